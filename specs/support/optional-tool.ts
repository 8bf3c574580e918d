/**
 * Tests that need a tool `npm ci` does not bring (headless Chromium, Debian's Django, a Docker engine
 * with a Keycloak image) skip on a developer's machine with a one-line reason naming what to install.
 * Under `CI=true` a missing tool is an error instead: `.ci/run` installs every tool, so a skip there
 * would hide a broken CI machine.
 *
 * @example
 * const chromium = optionalTool('Chromium at /usr/bin/chromium', () => existsSync('/usr/bin/chromium'), 'apt-get install chromium');
 * it.skipIf(!chromium.available)('renders in Chromium', async () => { ... });
 */

export type ToolStatus = { readonly available: true } | { readonly available: false; readonly reason: string };

export interface ToolDecision {
  /** What is needed, e.g. "Chromium at /usr/bin/chromium". */
  readonly name: string;
  /** How to get it, e.g. "apt-get install chromium". */
  readonly installHint: string;
  /** What the probe found. */
  readonly present: boolean;
  /** Why a missing tool fails rather than skips, e.g. "CI=true"; undefined: it skips. */
  readonly requiredBy?: string | undefined;
}

const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim();

/** The pure rule: present → available; missing and required → throws; missing → a skip with its reason. */
export function decideTool({ name, installHint, present, requiredBy }: ToolDecision): ToolStatus {
  if (present) return { available: true };
  const reason = `needs ${oneLine(name)}: ${oneLine(installHint)}`;
  if (requiredBy) throw new Error(`${reason} (required because ${requiredBy})`);
  return { available: false, reason };
}

/** "CI=true" when the environment requires every optional tool, else undefined. */
export function requiredByCi(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.CI === 'true' ? 'CI=true' : undefined;
}

export interface OptionalToolOptions {
  /** Why a missing tool is an error; default {@link requiredByCi}. Pass `undefined` explicitly to always skip. */
  readonly requiredBy?: string | undefined;
}

/**
 * Probes for a tool when the test file is collected. Throws when it is missing and required; otherwise
 * returns whether it is there and, when not, prints `skipped: <reason>` once for the file.
 * The probe must be synchronous and quick (existsSync, an execFileSync with a timeout); one that
 * throws counts as "missing".
 */
export function optionalTool(name: string, probe: () => boolean, installHint: string, options: OptionalToolOptions = {}): ToolStatus {
  let present: boolean;
  try {
    present = probe();
  } catch {
    present = false;
  }
  const requiredBy = 'requiredBy' in options ? options.requiredBy : requiredByCi();
  const status = decideTool({ name, installHint, present, requiredBy });
  if (!status.available) console.warn(`skipped: ${status.reason}`);
  return status;
}
