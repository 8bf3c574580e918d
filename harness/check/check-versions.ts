import { KcboxError } from '../errors.js';
import { parseKeycloakVersion } from '../runtime/distribution/versions.js';
import { startKeycloak } from '../runtime/start-keycloak.js';
import type { ProgressListener } from '../runtime/progress.js';
import type { RuntimeChoice } from '../runtime/types.js';
import { type CheckMatrixOptions, checkMatrix } from './check-matrix.js';
import type { MatrixResult } from './result-types.js';

/** One Keycloak version's run of a matrix check. */
export interface VersionResult {
  /** e.g. `26.4.7` */
  readonly version: string;
  readonly result: MatrixResult;
}

export interface CheckMatrixVersionsOptions extends Omit<CheckMatrixOptions, 'server'> {
  /** The Keycloak versions to check against, in order; each gets its own ephemeral server. */
  readonly versions: readonly string[];
  /** How each server runs: `dist`, `container` or `auto` (the default, as `startKeycloak` decides). */
  readonly runtime?: RuntimeChoice | undefined;
  /** Download and start progress of each server. */
  readonly onProgress?: ProgressListener | undefined;
  /** kcbox's cache (distributions are kept per version). Default: KCBOX_CACHE or ~/.cache/kcbox. */
  readonly cacheDir?: string | undefined;
}

/**
 * `26.4.7,26.7.3` → `['26.4.7', '26.7.3']`: each version checked, duplicates dropped, order kept.
 *
 * @throws KcboxError `ERR_KCBOX_VERSION` naming `source` and the value when one is not a supported version.
 * @example
 * parseKeycloakVersions('26.4.7, 26.7.3', '--keycloak'); // ['26.4.7', '26.7.3']
 */
export function parseKeycloakVersions(value: string, source: string): string[] {
  const parts = value.split(',').map((part) => part.trim());
  if (parts.some((part) => part === '')) {
    throw new KcboxError(
      'ERR_KCBOX_VERSION',
      `${source} "${value}" has an empty entry: expected versions separated by commas, e.g. 26.4.7,26.7.3.`,
    );
  }
  return [...new Set(parts.map((part) => parseKeycloakVersion(part, source).text))];
}

/**
 * The same matrix check once per Keycloak version, each against its own ephemeral server (started,
 * checked, stopped, then the next: a run never shares a server or a realm with another version).
 * A version whose server does not start ends the whole check with that error.
 *
 * @example
 * const runs = await checkMatrixVersions({ spec, versions: ['26.4.7', '26.7.3'], runtime: 'dist' });
 * process.exitCode = checkExitCode(runs.map((run) => run.result));
 */
export async function checkMatrixVersions(options: CheckMatrixVersionsOptions): Promise<VersionResult[]> {
  const { versions, runtime, onProgress, cacheDir, ...check } = options;
  if (versions.length === 0) throw new TypeError('checkMatrixVersions: options.versions names no version');
  if (check.spec.keycloak.realm !== undefined) {
    throw new KcboxError(
      'ERR_KCBOX_USAGE',
      `${check.spec.file ?? 'the matrix'}: keycloak.realmName "${check.spec.keycloak.realm}" names a realm on one running server; a check across Keycloak versions starts a server per version, so it needs keycloak.realm (a realm file).`,
    );
  }
  const runs: VersionResult[] = [];
  for (const version of versions) {
    check.signal?.throwIfAborted();
    check.onStep?.(`Keycloak ${version}: starting an ephemeral server`);
    const server = await startKeycloak({
      ...(runtime ? { runtime } : {}),
      ...(onProgress ? { onProgress } : {}),
      ...(cacheDir ? { cacheDir } : {}),
      ...(check.spec.keycloak.tls ? { tls: true } : {}),
      version,
      realms: [],
    });
    try {
      const onStep = check.onStep && ((step: string) => check.onStep?.(`Keycloak ${version}: ${step}`));
      runs.push({ version, result: await checkMatrix({ ...check, ...(onStep ? { onStep } : {}), server }) });
    } finally {
      await server.stop();
    }
  }
  return runs;
}
