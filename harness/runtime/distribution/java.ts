import { execFile } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, realpathSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { homedir } from 'node:os';
import { promisify } from 'node:util';
import { KcboxError } from '../../errors.js';
import type { JavaRequirement } from './versions.js';

const execFileAsync = promisify(execFile);

/** A JDK or JRE found on this machine. */
export interface JavaInstallation {
  /** The folder that holds `bin/java`. */
  readonly home: string;
  /** Feature release, e.g. 17 or 25. */
  readonly feature: number;
  /** Full version text, e.g. "17.0.15". */
  readonly version: string;
  /** Where it was found: KCBOX_JAVA_HOME, JAVA_HOME, a JDK folder or PATH. */
  readonly source: string;
}

export interface FindJavaOptions {
  /** An explicit choice (`KCBOX_JAVA_HOME`): when set, only this one is considered. */
  readonly explicitHome?: string | undefined;
  readonly env?: NodeJS.ProcessEnv;
  /** Folders whose sub-folders are JDKs. Default: the usual Linux, macOS and SDKMAN places. */
  readonly jdkRoots?: readonly string[];
}

export function defaultJdkRoots(): string[] {
  return [
    '/usr/lib/jvm',
    '/usr/java',
    '/opt/java',
    '/Library/Java/JavaVirtualMachines',
    join(homedir(), '.sdkman', 'candidates', 'java'),
    join(homedir(), '.jdks'),
  ];
}

/** Parses "17.0.15", "1.8.0_392" or "25" into the feature release number. */
export function javaFeatureRelease(version: string): number | undefined {
  const match = /^(\d+)(?:\.(\d+))?/.exec(version.trim());
  if (!match) return undefined;
  const first = Number(match[1]);
  return first === 1 && match[2] !== undefined ? Number(match[2]) : first;
}

function javaBinary(home: string): string {
  return join(home, 'bin', process.platform === 'win32' ? 'java.exe' : 'java');
}

/** Reads the version from the JDK's `release` file, which every OpenJDK build ships. */
function versionFromReleaseFile(home: string): string | undefined {
  const releaseFile = join(home, 'release');
  if (!existsSync(releaseFile)) return undefined;
  const match = /^JAVA_VERSION="([^"]+)"/m.exec(readFileSync(releaseFile, 'utf8'));
  return match?.[1];
}

async function versionFromBinary(home: string): Promise<string | undefined> {
  try {
    // `-version` writes to stderr; the property dump is the one format stable across vendors.
    const { stderr } = await execFileAsync(javaBinary(home), ['-XshowSettings:properties', '-version'], {
      timeout: 15_000,
    });
    return /java\.version = (\S+)/.exec(stderr)?.[1];
  } catch {
    return undefined;
  }
}

async function inspect(home: string, source: string): Promise<JavaInstallation | undefined> {
  if (!existsSync(javaBinary(home))) return undefined;
  const version = versionFromReleaseFile(home) ?? (await versionFromBinary(home));
  const feature = version === undefined ? undefined : javaFeatureRelease(version);
  if (version === undefined || feature === undefined) return undefined;
  return { home, feature, version, source };
}

function homeOfJavaOnPath(env: NodeJS.ProcessEnv): string | undefined {
  for (const folder of (env.PATH ?? '').split(delimiter)) {
    if (!folder) continue;
    const candidate = join(folder, 'java');
    if (existsSync(candidate)) {
      // /usr/bin/java is usually a chain of links into the JDK's bin folder.
      return dirname(dirname(realpathSync(candidate)));
    }
  }
  return undefined;
}

function homesUnder(root: string): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() || entry.isSymbolicLink())
    .flatMap((entry) => {
      const folder = join(root, entry.name);
      // macOS bundles keep the JDK under Contents/Home.
      return [folder, join(folder, 'Contents', 'Home')];
    })
    .filter((home) => existsSync(javaBinary(home)));
}

/** Every Java installation kcbox can see, de-duplicated by real path, newest first. */
export async function findJavaInstallations(options: FindJavaOptions = {}): Promise<JavaInstallation[]> {
  const env = options.env ?? process.env;
  const candidates: Array<{ home: string; source: string }> = [];
  if (options.explicitHome) {
    candidates.push({ home: options.explicitHome, source: 'KCBOX_JAVA_HOME' });
  } else {
    if (env.JAVA_HOME) candidates.push({ home: env.JAVA_HOME, source: 'JAVA_HOME' });
    for (const root of options.jdkRoots ?? defaultJdkRoots()) {
      for (const home of homesUnder(root)) candidates.push({ home, source: root });
    }
    const onPath = homeOfJavaOnPath(env);
    if (onPath) candidates.push({ home: onPath, source: 'PATH' });
  }

  const seen = new Set<string>();
  const found: JavaInstallation[] = [];
  for (const candidate of candidates) {
    const real = existsSync(candidate.home) ? realpathSync(candidate.home) : candidate.home;
    if (seen.has(real)) continue;
    seen.add(real);
    const installation = await inspect(candidate.home, candidate.source);
    if (installation) found.push(installation);
  }
  return found.sort((a, b) => b.feature - a.feature);
}

/** Picks the newest installation inside the requirement; pure, so the rule is unit-tested. */
export function chooseJava(
  installations: readonly JavaInstallation[],
  requirement: JavaRequirement,
  keycloakVersion: string,
  explicitHome?: string,
): JavaInstallation {
  const fitting = installations
    .filter((java) => java.feature >= requirement.min && java.feature <= requirement.max)
    .sort((a, b) => b.feature - a.feature);
  const chosen = fitting[0];
  if (chosen) return chosen;

  const needed = `Java ${requirement.min}–${requirement.max}`;
  const seen =
    installations.length === 0
      ? 'no Java installation'
      : installations.map((java) => `Java ${java.version} at ${java.home} (${java.source})`).join('; ');
  const where = explicitHome
    ? `KCBOX_JAVA_HOME=${explicitHome} was given and only it was tried`
    : 'looked at KCBOX_JAVA_HOME, JAVA_HOME, the JDK folders (/usr/lib/jvm …) and PATH';
  throw new KcboxError(
    'ERR_KCBOX_JAVA_NOT_FOUND',
    `Keycloak ${keycloakVersion} needs ${needed}, found ${seen} (${where}). ` +
      `Install a JDK from ${requirement.min} to ${requirement.max} and set KCBOX_JAVA_HOME to its folder, ` +
      `or use --runtime container.`,
  );
}
