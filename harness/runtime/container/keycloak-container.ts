import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import createDebug from 'debug';
import type * as Testcontainers from 'testcontainers';
import type { GenericContainer } from 'testcontainers';
import { KcboxError, KeycloakStartError, describeError } from '../../errors.js';
import { type LoadedRealm, loadRealms, realmFilesOf } from '../../realm/realm-input.js';
import type { AdminCredentials } from '../admin-login.js';
import { generateAdminCredentials } from '../admin-password.js';
import { cacheLayout, cacheRoot } from '../distribution/cache.js';
import { type ServerTlsFiles, TEST_JVM, distributionBuildArgs, keycloakErrors, listenArgs } from '../distribution/start-distribution.js';
import { ignoreProgress } from '../progress.js';
import { ReadinessTimeout, adminLoginAccepted, assertRealmsServed, healthReady, waitForReadiness } from '../readiness.js';
import { serverHandle } from '../server-handle.js';
import type { KeycloakServer, ServerRecord, StartKeycloakOptions } from '../types.js';
import { DEFAULT_KEYCLOAK_VERSION, parseKeycloakVersion, supportsShutdownDelay } from '../distribution/versions.js';
import { OWNER_LABEL, ownerIsGone, ownerLabel } from './container-owner.js';
import { DockerEngine, EngineError, publishedHost } from './docker-engine.js';
import { probeDocker } from './docker-probe.js';
import { OPTIMIZE_ENV, type OptimizedImage, ensureOptimizedImage } from './optimized-image.js';
import { CONTAINER_HTTP_PORT, CONTAINER_HTTPS_PORT, CONTAINER_MANAGEMENT_PORT, publishedPorts } from './ports.js';
import { type TarEntry, tarArchive } from './tar.js';
import { LOOPBACK_NAMES } from '../../tls/certificates.js';
import { ensureLocalTls } from '../../tls/local-ca.js';
import { trustCertificateAuthority } from '../../tls/trust.js';
import { startContainerWatchdog } from './watchdog.js';

const debug = createDebug('kcbox:container');

export const KEYCLOAK_IMAGE = 'quay.io/keycloak/keycloak';
export { CONTAINER_HTTP_PORT, CONTAINER_HTTPS_PORT, CONTAINER_MANAGEMENT_PORT };
const IMPORT_FOLDER = '/opt/keycloak/data/import';
/** Where the server certificate and key are copied before the start (conf/ is in every image). */
export const CONTAINER_TLS_FILES: ServerTlsFiles = {
  certificateFile: '/opt/keycloak/conf/kcbox-server.pem',
  keyFile: '/opt/keycloak/conf/kcbox-server-key.pem',
};
/** The official image's user and group: /opt/keycloak belongs to 1000:0. */
const KEYCLOAK_UID = 1000;
const KEYCLOAK_GID = 0;
const STOP_GRACE_SECONDS = 10;
const DEFAULT_STARTUP_TIMEOUT_MS = 180_000;

/** Every container kcbox creates carries it. */
export const SERVER_LABEL = 'org.kcbox.server';
/** A `kcbox up --detach` container: it outlives its starter, so no later start removes it. */
export const DETACHED_LABEL = 'org.kcbox.detached';

export interface ContainerPlan {
  readonly version: string;
  readonly admin: AdminCredentials;
  readonly realms: readonly LoadedRealm[];
  readonly features?: readonly string[] | undefined;
  readonly serverOptions?: Readonly<Record<string, string>> | undefined;
  readonly env?: Readonly<Record<string, string>> | undefined;
  readonly startupTimeoutMs: number;
  readonly detached: boolean;
  /**
   * The optimized image derived for this version and these build options (optimized-image.ts):
   * started `--optimized`, its build options and database baked in. Absent: the official image,
   * which builds Keycloak on every start.
   */
  readonly optimizedImage?: string | undefined;
  /** Serve https only, on {@link CONTAINER_HTTPS_PORT}, with this certificate and key (PEM text). */
  readonly tls?: { readonly certificatePem: string; readonly keyPem: string } | undefined;
}

/** The port Keycloak serves on inside the container: https with tls, else http. */
export function containerWebPort(plan: Pick<ContainerPlan, 'tls'>): number {
  return plan.tls ? CONTAINER_HTTPS_PORT : CONTAINER_HTTP_PORT;
}

/** The image a version runs from, e.g. quay.io/keycloak/keycloak:26.7.3. */
export function keycloakImage(version: string): string {
  return `${KEYCLOAK_IMAGE}:${version}`;
}

/** The image a plan starts: the optimized one when there is one. */
export function planImage(plan: ContainerPlan): string {
  return plan.optimizedImage ?? keycloakImage(plan.version);
}

/** The server's command line inside the image: the same settings as the dist runtime. */
export function containerCommand(plan: ContainerPlan): string[] {
  const version = parseKeycloakVersion(plan.version);
  const command = ['start'];
  // The optimized image holds the build options (database, health, features) already; the
  // listener (https too) is a runtime option, so it applies to either image.
  const listen = listenArgs(containerWebPort(plan), plan.tls && CONTAINER_TLS_FILES);
  if (plan.optimizedImage) command.push('--optimized', ...listen, '--hostname-strict=false', '--cache=local');
  else {
    command.push(...listen, '--hostname-strict=false', '--cache=local', '--db=dev-mem', '--health-enabled=true');
    if (plan.features && plan.features.length > 0) command.push(`--features=${[...plan.features].sort().join(',')}`);
  }
  if (plan.realms.length > 0) command.push('--import-realm');
  if (supportsShutdownDelay(version)) command.push('--shutdown-delay=0s', '--shutdown-timeout=1s');
  // Readiness polling would otherwise fill the log (and the tail in errors) with health reports.
  const serverOptions = { 'log-level': 'info,io.smallrye.health:warn', ...plan.serverOptions };
  for (const [name, value] of Object.entries(serverOptions)) command.push(`--${name}=${value}`);
  return command;
}

/** The container's environment: the dist runtime's bounded heap, the caller's additions, the bootstrap admin. */
export function containerEnv(plan: ContainerPlan): Record<string, string> {
  return {
    ...TEST_JVM,
    ...plan.env,
    KC_BOOTSTRAP_ADMIN_USERNAME: plan.admin.username,
    KC_BOOTSTRAP_ADMIN_PASSWORD: plan.admin.password,
  };
}

/** A realm's file in the import folder: Keycloak insists on `<realm name>-realm.json`. */
function importFileName(realm: LoadedRealm): string {
  return `${realm.name}-realm.json`;
}

const OWNER = { uid: KEYCLOAK_UID, gid: KEYCLOAK_GID };

/** The import folder, owned like the rest of /opt/keycloak, with one file per realm. */
function realmEntries(realms: readonly LoadedRealm[]): TarEntry[] {
  return [
    { path: 'opt/keycloak/data/', mode: 0o775, ...OWNER },
    { path: `${IMPORT_FOLDER.slice(1)}/`, mode: 0o775, ...OWNER },
    ...realms.map((realm) => ({
      path: `${IMPORT_FOLDER.slice(1)}/${importFileName(realm)}`,
      content: JSON.stringify(realm.representation),
      mode: 0o664,
      ...OWNER,
    })),
  ];
}

/** The realms' tar (see {@link startArchive}). */
export function realmArchive(realms: readonly LoadedRealm[]): Buffer {
  return tarArchive(realmEntries(realms));
}

/**
 * The tar the engine unpacks at `/` before the start: the realms to import and, with tls, the
 * server certificate and its key (readable by Keycloak's user only). Undefined when there is nothing.
 */
export function startArchive(plan: Pick<ContainerPlan, 'realms' | 'tls'>): Buffer | undefined {
  const entries = plan.realms.length > 0 ? realmEntries(plan.realms) : [];
  if (plan.tls) {
    entries.push(
      { path: CONTAINER_TLS_FILES.certificateFile.slice(1), content: plan.tls.certificatePem, mode: 0o644, ...OWNER },
      { path: CONTAINER_TLS_FILES.keyFile.slice(1), content: plan.tls.keyPem, mode: 0o600, ...OWNER },
    );
  }
  return entries.length > 0 ? tarArchive(entries) : undefined;
}

/**
 * What kcbox sends to the engine's `POST /containers/create`; unit-tested without an engine.
 * Ports are published on loopback only (like the dist runtime's) when the engine is local, and
 * the labels let a later start find containers whose starter died.
 */
export function containerDefinition(plan: ContainerPlan, options: { owner: string; publishHost: string }): object {
  const { ExposedPorts, PortBindings } = publishedPorts(options.publishHost, containerWebPort(plan));
  return {
    Image: planImage(plan),
    Cmd: containerCommand(plan),
    Env: Object.entries(containerEnv(plan)).map(([name, value]) => `${name}=${value}`),
    Labels: {
      [SERVER_LABEL]: 'true',
      'org.kcbox.version': plan.version,
      ...(plan.detached ? { [DETACHED_LABEL]: 'true' } : { [OWNER_LABEL]: options.owner }),
    },
    ExposedPorts,
    HostConfig: { PortBindings },
  };
}

/**
 * The same server as a testcontainers definition, for callers who run their containers through
 * testcontainers themselves. kcbox's own runtime talks to the engine directly (see
 * {@link containerDefinition}): it needs no reaper image.
 */
export function keycloakContainer(plan: ContainerPlan): GenericContainer {
  // Loaded here, not at the top: testcontainers and its Docker stack take ~0.5 s to load, and every
  // kcbox command would pay it although only this definition uses it.
  const { GenericContainer, Wait } = createRequire(import.meta.url)('testcontainers') as typeof Testcontainers;
  const health = Wait.forHttp('/health/ready', CONTAINER_MANAGEMENT_PORT).forStatusCode(200);
  let container = new GenericContainer(planImage(plan))
    .withCommand(containerCommand(plan))
    .withEnvironment(containerEnv(plan))
    .withExposedPorts(containerWebPort(plan), CONTAINER_MANAGEMENT_PORT)
    .withLabels({ [SERVER_LABEL]: 'true' })
    // The probe only waits; whoever calls the server checks its certificate.
    .withWaitStrategy(plan.tls ? health.usingTls().allowInsecure() : health)
    .withStartupTimeout(plan.startupTimeoutMs);
  const copies: { content: string; target: string; mode?: number }[] = plan.realms.map((realm) => ({
    content: JSON.stringify(realm.representation),
    target: `${IMPORT_FOLDER}/${importFileName(realm)}`,
  }));
  // testcontainers copies as root: the key must be readable by Keycloak's user.
  if (plan.tls) {
    copies.push(
      { content: plan.tls.certificatePem, target: CONTAINER_TLS_FILES.certificateFile, mode: 0o644 },
      { content: plan.tls.keyPem, target: CONTAINER_TLS_FILES.keyFile, mode: 0o644 },
    );
  }
  if (copies.length > 0) container = container.withCopyContentToContainer(copies);
  // A reusable container carries no session label, so testcontainers' reaper leaves it running.
  if (plan.detached) container = container.withReuse();
  return container;
}

/** The engine that answers, or the error that says which were tried and what to do. */
async function engineOrThrow(): Promise<DockerEngine> {
  const docker = await probeDocker();
  if (!docker.available || !docker.endpoint) {
    throw new KcboxError(
      'ERR_KCBOX_DOCKER_UNAVAILABLE',
      `The container runtime needs a Docker engine; none answered (${docker.tried.join('; ')}). Start Docker or use --runtime dist (KCBOX_RUNTIME=dist).`,
    );
  }
  return new DockerEngine(docker.endpoint);
}

/**
 * kcbox's local CA and the server certificate for a container published on `host`, read for
 * copying in. The certificate names loopback only, so a remote engine's server could not match it.
 */
async function containerTls(host: string, cacheDir: string | undefined) {
  if (!LOOPBACK_NAMES.dns.includes(host) && !LOOPBACK_NAMES.ip.includes(host)) {
    throw new KcboxError(
      'ERR_KCBOX_TLS',
      `tls: the Docker engine publishes ports on ${host}, but kcbox's server certificate names only localhost, 127.0.0.1 and ::1. ` +
        'Use a local engine (DOCKER_HOST unset or a unix socket) or the dist runtime (--runtime dist, KCBOX_RUNTIME=dist).',
    );
  }
  const files = await ensureLocalTls({ cacheDir });
  const [certificatePem, keyPem] = await Promise.all([readFile(files.certificateFile, 'utf8'), readFile(files.keyFile, 'utf8')]);
  return { caFile: files.caFile, pem: { certificatePem, keyPem } };
}

/** What to do when the engine itself fails. */
const ENGINE_FIX = 'See what the engine says (docker info, its log), or use the dist runtime (--runtime dist, KCBOX_RUNTIME=dist).';

/** What to do about an image the engine does not hold and cannot pull. */
export function imageFix(image: string): string {
  return (
    `Pull it beforehand (docker pull ${image}), or build or load it under that name (docker load -i …; ` +
    `through a registry mirror: docker pull MIRROR/keycloak/keycloak:${image.split(':').pop()} && docker tag it ${image}), ` +
    'or use the dist runtime (--runtime dist, KCBOX_RUNTIME=dist).'
  );
}

/**
 * Removes containers kcbox started whose starter is gone (killed together with its watchdog, or
 * a watchdog that could not reach the engine). Never touches detached servers or containers of
 * processes on other machines. Returns the names removed.
 */
export async function removeAbandonedContainers(engine: DockerEngine): Promise<string[]> {
  const removed: string[] = [];
  for (const container of await engine.listByLabel(OWNER_LABEL)) {
    const owner = container.Labels?.[OWNER_LABEL];
    if (owner === undefined || !ownerIsGone(owner)) continue;
    await engine.remove(container.Id);
    removed.push(container.Names?.[0]?.replace(/^\//, '') ?? container.Id.slice(0, 12));
  }
  return removed;
}

async function ensureImage(engine: DockerEngine, image: string, onProgress: NonNullable<StartKeycloakOptions['onProgress']>) {
  let present: boolean;
  try {
    present = await engine.hasImage(image);
  } catch (error) {
    throw new KcboxError(
      'ERR_KCBOX_DOCKER_UNAVAILABLE',
      `The Docker engine at ${engine.endpoint} could not say whether it holds ${image}: ${describeError(error)}. ${ENGINE_FIX}`,
      { cause: error },
    );
  }
  if (present) return;
  onProgress({ phase: 'download', source: `${image} (docker pull)`, receivedBytes: 0 });
  try {
    await engine.pull(image, (receivedBytes, totalBytes) => onProgress({ phase: 'download', source: image, receivedBytes, totalBytes }));
  } catch (error) {
    throw new KcboxError(
      'ERR_KCBOX_DOCKER_UNAVAILABLE',
      `The Keycloak image ${image} is not in the Docker engine at ${engine.endpoint}, and pulling it failed: ${describeError(error)}. ${imageFix(image)}`,
      { cause: error },
    );
  }
}

/**
 * The optimized image for the start, or undefined with one progress line saying why the official
 * image is started as it is instead (a failed derivation must not fail the start: it is only slower).
 */
async function optimizedImageOrNothing(
  engine: DockerEngine,
  base: string,
  version: string,
  options: StartKeycloakOptions,
  startupTimeoutMs: number,
): Promise<OptimizedImage | undefined> {
  const onProgress = options.onProgress ?? ignoreProgress;
  if (process.env[OPTIMIZE_ENV] === '0') {
    debug('%s=0: starting %s as it is', OPTIMIZE_ENV, base);
    return undefined;
  }
  try {
    return await ensureOptimizedImage({
      engine,
      base,
      version,
      buildArgs: distributionBuildArgs(options),
      cacheDir: options.cacheDir,
      startupTimeoutMs,
      onProgress,
    });
  } catch (error) {
    onProgress({
      phase: 'build',
      message: `no optimized image (${describeError(error)}): starting ${base} as it is, which builds Keycloak on every start`,
    });
    return undefined;
  }
}

/**
 * Starts Keycloak in a container through the engine API, from the optimized image derived once per
 * version and build options (optimized-image.ts), else from the official image. From the moment
 * the container exists a watchdog process (container-watchdog.js) removes it if this process ends
 * without stopping it; a detached container is handed over to `kcbox down` instead.
 */
export async function startContainer(options: StartKeycloakOptions): Promise<KeycloakServer> {
  const onProgress = options.onProgress ?? ignoreProgress;
  const engine = await engineOrThrow();
  const version = parseKeycloakVersion(options.version ?? process.env.KCBOX_KEYCLOAK_VERSION ?? DEFAULT_KEYCLOAK_VERSION).text;
  const realms = await loadRealms(options.realms ?? []);
  const startupTimeoutMs = options.startupTimeoutMs ?? DEFAULT_STARTUP_TIMEOUT_MS;
  const base = keycloakImage(version);
  const host = publishedHost(engine.endpoint);
  const tls = options.tls ? await containerTls(host, options.cacheDir) : undefined;
  const engineFailed = (what: string, error: unknown) =>
    new KeycloakStartError(
      'ERR_KCBOX_START_FAILED',
      `The Docker engine at ${engine.endpoint} could not ${what}: ${describeError(error)}. ${ENGINE_FIX}`,
      { cause: error },
    );

  try {
    const removed = await removeAbandonedContainers(engine);
    if (removed.length > 0) onProgress({ phase: 'start', message: `removed ${removed.join(', ')}: left by kcbox processes that are gone` });
  } catch (error) {
    debug('could not look for abandoned containers: %s', describeError(error));
  }
  await ensureImage(engine, base, onProgress);
  const optimized = await optimizedImageOrNothing(engine, base, version, options, startupTimeoutMs);
  const plan: ContainerPlan = {
    version,
    // The optimized image's database already holds an admin; Keycloak ignores the bootstrap one then.
    admin: optimized?.admin ?? generateAdminCredentials(),
    realms,
    features: options.features,
    serverOptions: options.serverOptions,
    env: options.env,
    startupTimeoutMs,
    detached: options.detached ?? false,
    optimizedImage: optimized?.reference,
    tls: tls?.pem,
  };
  const image = planImage(plan);

  const name = `kcbox-${process.pid}-${randomBytes(3).toString('hex')}`;
  let id: string;
  try {
    id = await engine.create(name, containerDefinition(plan, { owner: ownerLabel(), publishHost: host === '127.0.0.1' ? host : '' }));
  } catch (error) {
    throw engineFailed(`create a container from ${image}`, error);
  }
  debug('created container %s (%s)', id, name);
  let watchdog;
  try {
    watchdog = await startContainerWatchdog(
      engine.endpoint,
      id,
      join(cacheLayout(cacheRoot(options.cacheDir)).logs, 'container-watchdog.log'),
    );
  } catch (error) {
    await engine.remove(id).catch(() => {});
    throw error;
  }
  const abandon = async () => {
    await engine.remove(id).catch((error: unknown) => debug('could not remove %s: %s', name, describeError(error)));
    await watchdog.release().catch(() => {});
  };

  onProgress({ phase: 'start', message: `starting ${image} as container ${name}` });
  let url: string;
  let managementUrl: string;
  const scheme = tls ? 'https' : 'http';
  // Readiness probes already go over https.
  trustCertificateAuthority(tls?.caFile);
  try {
    const archive = startArchive(plan);
    if (archive) await engine.putArchive(id, '/', archive);
    await engine.start(id);
    url = `${scheme}://${host}:${await engine.publishedPort(id, containerWebPort(plan))}`;
    managementUrl = `${scheme}://${host}:${await engine.publishedPort(id, CONTAINER_MANAGEMENT_PORT)}`;
  } catch (error) {
    await abandon();
    throw engineFailed(`start container ${name} from ${image}`, error);
  }
  debug('container %s serves %s', name, url);

  const stopWaiting = new AbortController();
  const exitedEarly = engine.waitForExit(id, stopWaiting.signal).then(
    (code): never => {
      throw new KeycloakStartError(
        'ERR_KCBOX_START_FAILED',
        `Keycloak in container ${name} (${image}) exited with code ${code} before it was ready.`,
        {},
      );
    },
    (error: unknown): never => {
      throw stopWaiting.signal.aborted ? new Error('no longer waiting') : engineFailed(`watch container ${name}`, error);
    },
  );
  try {
    await waitForReadiness([healthReady(managementUrl), adminLoginAccepted(url, plan.admin)], {
      timeoutMs: plan.startupTimeoutMs,
      abort: exitedEarly,
    });
    await assertRealmsServed(url, realms);
  } catch (error) {
    const logTail = await engine.logs(id, 50).catch(() => []);
    await abandon();
    if (error instanceof ReadinessTimeout) {
      throw new KeycloakStartError(
        'ERR_KCBOX_START_TIMEOUT',
        `Keycloak in container ${name} (${image}) at ${url} ${error.message}. Raise startupTimeoutMs if the machine is slow.`,
        { logTail, cause: error },
      );
    }
    if (error instanceof KeycloakStartError) {
      const said = keycloakErrors(logTail);
      const summary = said.length > 0 ? `${error.message} Keycloak said:\n  ${said.join('\n  ')}` : error.message;
      throw new KeycloakStartError('ERR_KCBOX_START_FAILED', summary, { logTail, cause: error });
    }
    if (error instanceof KcboxError) throw error;
    throw new KeycloakStartError(
      'ERR_KCBOX_START_FAILED',
      `Keycloak in container ${name} (${image}) did not become ready: ${describeError(error)}`,
      {
        logTail,
        cause: error,
      },
    );
  } finally {
    stopWaiting.abort();
    exitedEarly.catch(() => {});
  }

  if (plan.detached) await watchdog.detach();
  else watchdog.unref();
  const record: ServerRecord = {
    runtime: 'container',
    version,
    url,
    managementUrl,
    adminCredentials: plan.admin,
    caFile: tls?.caFile,
    realms: realms.map((realm) => realm.name),
    realmFiles: realmFilesOf(realms),
    createdRealms: [],
    logFile: undefined,
    dataDir: undefined,
    pid: undefined,
    supervisorPid: undefined,
    containerId: id,
    startedAt: new Date().toISOString(),
  };
  return serverHandle(record, async () => {
    try {
      await engine.stop(id, STOP_GRACE_SECONDS);
      await engine.remove(id);
    } catch (error) {
      // Not released, the watchdog removes the container once this process ends.
      throw engineFailed(`stop container ${name}`, error);
    }
    await watchdog.release().catch((error: unknown) => debug('watchdog: %s', describeError(error)));
  });
}

/** Stops and removes a container recorded by `kcbox up --detach`. */
export async function stopRecordedContainer(containerId: string): Promise<void> {
  const engine = await engineOrThrow();
  try {
    await engine.stop(containerId, STOP_GRACE_SECONDS);
    await engine.remove(containerId);
  } catch (error) {
    if (error instanceof EngineError && error.status === 404) return;
    throw new KcboxError(
      'ERR_KCBOX_DOCKER_UNAVAILABLE',
      `The Docker engine at ${engine.endpoint} could not remove container ${containerId.slice(0, 12)}: ${describeError(error)}`,
      {
        cause: error,
      },
    );
  }
}
