import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import createDebug from 'debug';
import { describeError } from '../../errors.js';
import type { AdminCredentials } from '../admin-login.js';
import { generateAdminCredentials } from '../admin-password.js';
import { cacheLayout, cacheRoot, withCacheLock } from '../distribution/cache.js';
import { h2HeaderProblem } from '../distribution/database-template.js';
import { TEST_JVM, keycloakErrors } from '../distribution/start-distribution.js';
import { parseKeycloakVersion, supportsShutdownDelay } from '../distribution/versions.js';
import type { ProgressListener } from '../progress.js';
import { ReadinessTimeout, adminLoginAccepted, healthReady, waitForReadiness } from '../readiness.js';
import { type DockerEngine, type ImageSummary, publishedHost } from './docker-engine.js';
import { CONTAINER_HTTP_PORT, CONTAINER_MANAGEMENT_PORT, publishedPorts } from './ports.js';
import { startContainerWatchdog } from './watchdog.js';

const debug = createDebug('kcbox:container');

/**
 * The optimized image: the official image with `kc.sh build` done for kcbox's build options and an
 * initialised H2 database (schema, master realm, admin), made once per Keycloak version, build
 * options and base image, and kept in the local engine only. A start from it skips Quarkus'
 * augmentation and the database bootstrap, as the dist runtime's cached build and database template do.
 */
export const OPTIMIZED_REPOSITORY = 'kcbox-keycloak-optimized';
/** Bumped whenever the derivation changes, so an image an older kcbox derived differently is made again. */
export const OPTIMIZED_RECIPE = '1';
export const OPTIMIZED_LABEL = 'org.kcbox.optimized';
export const BASE_IMAGE_LABEL = 'org.kcbox.base-image';
export const BUILD_OPTIONS_LABEL = 'org.kcbox.build-options';
/** `KCBOX_CONTAINER_OPTIMIZE=0` starts the base image as it is (it builds Keycloak on every start). */
export const OPTIMIZE_ENV = 'KCBOX_CONTAINER_OPTIMIZE';

const KC_SH = '/opt/keycloak/bin/kc.sh';
const H2_STORE = '/opt/keycloak/data/h2/keycloakdb.mv.db';
const STOP_GRACE_SECONDS = 10;
/** A derivation is a build plus a first start: give it more than a start. */
const MIN_DERIVATION_TIMEOUT_MS = 300_000;

/** The name the optimized image of a version and set of build options is kept under, e.g. kcbox-keycloak-optimized:26.7.3-3f2a…. */
export function optimizedImageReference(version: string, buildArgs: readonly string[]): string {
  const hash = createHash('sha256')
    .update(JSON.stringify({ recipe: OPTIMIZED_RECIPE, buildArgs }))
    .digest('hex')
    .slice(0, 12);
  return `${OPTIMIZED_REPOSITORY}:${version}-${hash}`;
}

export interface OptimizedImage {
  /** repository:tag, what containers are created from. */
  readonly reference: string;
  readonly id: string;
  /**
   * The admin its database holds. Keycloak creates the bootstrap admin only together with the master
   * realm, so every server from the image has this admin (as with the dist runtime's database template).
   */
  readonly admin: AdminCredentials;
  /** Whether this call derived it (false: it was in the engine already). */
  readonly derived: boolean;
}

export type ImageVerdict = { readonly usable: true; readonly admin: AdminCredentials } | { readonly usable: false; readonly why: string };

const shortId = (id: string) => id.replace(/^sha256:/, '').slice(0, 12);

function envValue(env: readonly string[] | null | undefined, name: string): string | undefined {
  const entry = env?.find((line) => line.startsWith(`${name}=`));
  return entry?.slice(name.length + 1);
}

/** Whether an image found under the optimized name can be started from; pure, so each reason is unit-tested. */
export function judgeOptimizedImage(found: ImageSummary | undefined, baseId: string, buildArgs: readonly string[]): ImageVerdict {
  if (!found) return { usable: false, why: 'it is not in the engine yet' };
  const labels = found.Config?.Labels ?? {};
  if (labels[OPTIMIZED_LABEL] !== OPTIMIZED_RECIPE) return { usable: false, why: 'another kcbox derived it differently' };
  if (labels[BASE_IMAGE_LABEL] !== baseId) {
    return {
      usable: false,
      why: `it was derived from base image ${shortId(labels[BASE_IMAGE_LABEL] ?? 'none')}, the base is now ${shortId(baseId)}`,
    };
  }
  if (labels[BUILD_OPTIONS_LABEL] !== buildArgs.join(' ')) return { usable: false, why: 'it was built with other options' };
  const username = envValue(found.Config?.Env, 'KC_BOOTSTRAP_ADMIN_USERNAME');
  const password = envValue(found.Config?.Env, 'KC_BOOTSTRAP_ADMIN_PASSWORD');
  if (!username || !password) return { usable: false, why: 'it records no admin' };
  return { usable: true, admin: { username, password } };
}

const shellQuote = (word: string) => `'${word.replace(/'/g, `'\\''`)}'`;

/**
 * What the derivation container runs: the build, then (replacing the shell, so the engine's SIGTERM
 * reaches Keycloak and it closes the database cleanly) a first start on the empty database.
 */
export function derivationScript(version: string, buildArgs: readonly string[]): string {
  const start = ['start', '--optimized', '--http-enabled=true', '--hostname-strict=false', '--cache=local'];
  if (supportsShutdownDelay(parseKeycloakVersion(version))) start.push('--shutdown-delay=0s', '--shutdown-timeout=1s');
  start.push('--log-level=info,io.smallrye.health:warn');
  const command = (args: readonly string[]) => [KC_SH, ...args].map(shellQuote).join(' ');
  return `set -e; ${command(['build', ...buildArgs])}; exec ${command(start)}`;
}

/**
 * The derivation container. It carries no kcbox labels: the engine copies a container's labels into
 * the image committed from it, and from there into every server (an owner label would have servers
 * removed as abandoned). Its watchdog removes it if kcbox dies mid-derivation.
 */
export function derivationDefinition(
  base: string,
  version: string,
  buildArgs: readonly string[],
  admin: AdminCredentials,
  publishHost: string,
) {
  const { ExposedPorts, PortBindings } = publishedPorts(publishHost);
  return {
    Image: base,
    Entrypoint: ['/bin/sh', '-c'],
    Cmd: [derivationScript(version, buildArgs)],
    // Kept in the image on purpose: they record the admin its database holds (see OptimizedImage.admin).
    Env: [
      ...Object.entries(TEST_JVM).map(([name, value]) => `${name}=${value}`),
      `KC_BOOTSTRAP_ADMIN_USERNAME=${admin.username}`,
      `KC_BOOTSTRAP_ADMIN_PASSWORD=${admin.password}`,
    ],
    ExposedPorts,
    HostConfig: { PortBindings },
  };
}

/** The first regular file's content in a tar archive (what `GET /containers/{id}/archive` sends for one file). */
export function firstFileInTar(archive: Buffer): Buffer | undefined {
  for (let offset = 0; offset + 512 <= archive.length;) {
    const header = archive.subarray(offset, offset + 512);
    if (header.every((byte) => byte === 0)) return undefined;
    const size = Number.parseInt(header.toString('latin1', 124, 136).replace(/\0.*$/, '').trim() || '0', 8);
    const type = String.fromCharCode(header[156] ?? 0);
    if (type === '0' || type === '\0') return archive.subarray(offset + 512, offset + 512 + size);
    // PAX and GNU extension headers come before the file they describe.
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return undefined;
}

export interface OptimizedImageRequest {
  readonly engine: DockerEngine;
  /** The official image, e.g. quay.io/keycloak/keycloak:26.7.3. */
  readonly base: string;
  readonly version: string;
  /** `kc.sh build` options: the same as the dist runtime's (distributionBuildArgs). */
  readonly buildArgs: readonly string[];
  readonly cacheDir?: string | undefined;
  readonly startupTimeoutMs: number;
  readonly onProgress: ProgressListener;
}

/**
 * The optimized image for the request: the one in the engine when it was derived from the current
 * base image with these options, else derived now. Cross-process safe: one kcbox derives, the others
 * wait for it (a lock in the cache folder) and reuse the image. A failure throws and leaves no image
 * under the name: the engine tags a commit only once it is whole, and nothing is committed before the
 * database was seen closed cleanly.
 */
export async function ensureOptimizedImage(request: OptimizedImageRequest): Promise<OptimizedImage> {
  const { engine, base, version, buildArgs } = request;
  const reference = optimizedImageReference(version, buildArgs);
  const baseImage = await engine.inspectImage(base);
  if (!baseImage) throw new Error(`the engine does not hold ${base}`);
  const reuse = async (): Promise<OptimizedImage | string> => {
    const found = await engine.inspectImage(reference);
    const verdict = judgeOptimizedImage(found, baseImage.Id, buildArgs);
    if (verdict.usable && found) return { reference, id: found.Id, admin: verdict.admin, derived: false };
    return verdict.usable ? 'it vanished' : verdict.why;
  };
  const first = await reuse();
  if (typeof first !== 'string') return first;
  const locks = join(cacheLayout(cacheRoot(request.cacheDir)).root, 'container-images');
  return withCacheLock(locks, reference.replace(/[^\w.-]/g, '_'), async () => {
    const found = await reuse();
    if (typeof found !== 'string') return found;
    const stale = await engine.inspectImage(reference);
    request.onProgress({ phase: 'build', message: `deriving ${reference} from ${base} (${found}): kc.sh build and a first start, once` });
    const derived = await derive(request, reference, baseImage.Id);
    // The image it replaces keeps no name; remove it unless a container still runs from it.
    if (stale && stale.Id !== derived.id) {
      await engine
        .removeImage(stale.Id)
        .catch((error: unknown) => debug('could not remove %s: %s', shortId(stale.Id), describeError(error)));
    }
    return derived;
  });
}

async function derive(request: OptimizedImageRequest, reference: string, baseId: string): Promise<OptimizedImage> {
  const { engine, base, version, buildArgs } = request;
  const admin = generateAdminCredentials();
  const host = publishedHost(engine.endpoint);
  const name = `kcbox-derive-${process.pid}-${randomBytes(3).toString('hex')}`;
  const id = await engine.create(name, derivationDefinition(base, version, buildArgs, admin, host === '127.0.0.1' ? host : ''));
  debug('deriving %s in container %s', reference, name);
  let watchdog;
  try {
    watchdog = await startContainerWatchdog(
      engine.endpoint,
      id,
      join(cacheLayout(cacheRoot(request.cacheDir)).logs, 'container-watchdog.log'),
    );
  } catch (error) {
    await engine.remove(id).catch(() => {});
    throw error;
  }
  try {
    await engine.start(id);
    const url = `http://${host}:${await engine.publishedPort(id, CONTAINER_HTTP_PORT)}`;
    const managementUrl = `http://${host}:${await engine.publishedPort(id, CONTAINER_MANAGEMENT_PORT)}`;
    const stopWaiting = new AbortController();
    const exited = engine.waitForExit(id, stopWaiting.signal).then((code): never => {
      throw new Error(`the build or the first start exited with code ${code}`);
    });
    try {
      await waitForReadiness([healthReady(managementUrl), adminLoginAccepted(url, admin)], {
        timeoutMs: Math.max(request.startupTimeoutMs, MIN_DERIVATION_TIMEOUT_MS),
        abort: exited,
      });
    } catch (error) {
      const said = keycloakErrors(await engine.logs(id, 50).catch(() => []));
      const why = error instanceof ReadinessTimeout ? `the first start was ${error.message}` : describeError(error);
      throw new Error(said.length > 0 ? `${why}; Keycloak said: ${said.join(' | ')}` : why, { cause: error });
    } finally {
      stopWaiting.abort();
      exited.catch(() => {});
    }
    // A clean stop closes the H2 store; one killed after the grace period is never kept.
    await engine.stop(id, STOP_GRACE_SECONDS);
    const store = firstFileInTar(await engine.getArchive(id, H2_STORE));
    const problem = store ? h2HeaderProblem('keycloakdb.mv.db', store.subarray(0, 4096)) : `${H2_STORE} is not in the container`;
    if (problem) throw new Error(`the database was not kept: ${problem}`);
    const [repository, tag] = [reference.slice(0, reference.lastIndexOf(':')), reference.slice(reference.lastIndexOf(':') + 1)];
    const imageId = await engine.commit(id, repository, tag, {
      Entrypoint: [KC_SH],
      Cmd: ['start', '--optimized'],
      Labels: {
        [OPTIMIZED_LABEL]: OPTIMIZED_RECIPE,
        [BASE_IMAGE_LABEL]: baseId,
        [BUILD_OPTIONS_LABEL]: buildArgs.join(' '),
        'org.kcbox.version': version,
      },
    });
    debug('derived %s (%s)', reference, shortId(imageId));
    return { reference, id: imageId, admin, derived: true };
  } finally {
    await engine.remove(id).catch((error: unknown) => debug('could not remove %s: %s', name, describeError(error)));
    await watchdog.release().catch(() => {});
  }
}
