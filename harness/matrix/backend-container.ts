import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import createDebug from 'debug';
import { KcboxError, describeError } from '../errors.js';
import { OWNER_LABEL, ownerLabel } from '../runtime/container/container-owner.js';
import { DockerEngine } from '../runtime/container/docker-engine.js';
import { probeDocker } from '../runtime/container/docker-probe.js';
import { type GatewayRelay, bridgeGateway, startGatewayRelay } from '../runtime/container/gateway-relay.js';
import { startContainerWatchdog } from '../runtime/container/watchdog.js';
import { cacheLayout, cacheRoot } from '../runtime/distribution/cache.js';
import { ReadinessTimeout, waitForReadiness } from '../runtime/readiness.js';
import { type BackendKeycloakEnv, type StartedBackend, answersBelow500 } from './backend-process.js';
import type { BackendImage, MatrixBackend } from './types.js';

const debug = createDebug('kcbox:backend');

/** Every backend container kcbox runs carries it (beside the owner label that has it removed when its starter is gone). */
export const BACKEND_LABEL = 'org.kcbox.backend';
const OUTPUT_LINES = 100;
const STOP_GRACE_SECONDS = 5;

/** The engine a container backend runs on, and Keycloak's address as the check's every party uses it. */
export interface BackendEngine {
  readonly engine: DockerEngine;
  readonly relay: GatewayRelay;
}

const fix = 'Start Docker (bash .ci/docker-engine.sh on a CI machine), or run the backend with backend.command or --backend URL.';

/**
 * The engine for a container backend and a relay to Keycloak on the bridge gateway, the address
 * both this machine and the container reach (see {@link startGatewayRelay}). Needs an engine on
 * this machine: a remote engine's gateway is on another host.
 */
export async function openBackendEngine(keycloakUrl: string): Promise<BackendEngine> {
  const docker = await probeDocker();
  if (!docker.available || !docker.endpoint) {
    throw new KcboxError('ERR_KCBOX_BACKEND', `backend.image needs a Docker engine; none answered (${docker.tried.join('; ')}). ${fix}`);
  }
  if (!docker.endpoint.startsWith('unix://')) {
    throw new KcboxError(
      'ERR_KCBOX_BACKEND',
      `backend.image needs the Docker engine on this machine (its bridge gateway must be a local address); DOCKER_HOST is ${docker.endpoint}. Unset DOCKER_HOST or run the backend with backend.command.`,
    );
  }
  const engine = new DockerEngine(docker.endpoint);
  try {
    return { engine, relay: await startGatewayRelay(await bridgeGateway(engine), keycloakUrl) };
  } catch (error) {
    throw new KcboxError(
      'ERR_KCBOX_BACKEND',
      `Could not open Keycloak (${keycloakUrl}) to containers on the Docker bridge gateway: ${describeError(error)}. ${fix}`,
      { cause: error },
    );
  }
}

/** What kcbox sends to `POST /containers/create` for a backend; unit-tested without an engine. */
export function backendContainerDefinition(
  image: BackendImage,
  env: Readonly<Record<string, string>>,
  owner: string,
): Record<string, unknown> {
  return {
    Image: image.name,
    ...(image.command ? { Cmd: image.command } : {}),
    Env: Object.entries(env).map(([name, value]) => `${name}=${value}`),
    Labels: { [BACKEND_LABEL]: 'true', [OWNER_LABEL]: owner },
    ExposedPorts: { [`${image.port}/tcp`]: {} },
    HostConfig: { PortBindings: { [`${image.port}/tcp`]: [{ HostIp: '127.0.0.1', HostPort: '' }] } },
  };
}

/**
 * Runs the spec's backend image with the realm's coordinates (Keycloak at the relay's URL) and
 * `PORT`/`HOST` in its env, publishes its port on 127.0.0.1 and waits until its readiness path
 * answers. A watchdog removes the container if this process dies; on failure it is removed and
 * the error carries its last output.
 */
export async function startContainerBackend(
  backend: MatrixBackend & { image: BackendImage },
  keycloak: BackendKeycloakEnv,
  docker: BackendEngine,
  cacheDir?: string,
): Promise<StartedBackend> {
  const { image } = backend;
  const { engine } = docker;
  const described = `the backend image ${image.name}`;
  const failed = (what: string, error: unknown, tail = '') =>
    new KcboxError(
      'ERR_KCBOX_BACKEND',
      `${described} ${what}: ${describeError(error)}.\nCheck backend.image, backend.ready and backend.readyTimeout in the matrix file.` +
        (tail ? `\nIts last output:\n${tail}` : ''),
      { cause: error },
    );
  if (!(await engine.hasImage(image.name).catch(() => false))) {
    throw new KcboxError(
      'ERR_KCBOX_BACKEND',
      `${described} is not in the Docker engine at ${engine.endpoint}; kcbox never pulls a backend image. Build it (docker build -t ${image.name} …) or docker pull it first.`,
    );
  }
  const env = { ...backend.env, ...image.env, ...keycloak, PORT: String(image.port), HOST: '0.0.0.0' };
  const name = `kcbox-backend-${process.pid}-${randomBytes(3).toString('hex')}`;
  let id: string;
  try {
    id = await engine.create(name, backendContainerDefinition(image, env, ownerLabel()));
  } catch (error) {
    throw failed('could not be created', error);
  }
  let watchdog;
  try {
    watchdog = await startContainerWatchdog(engine.endpoint, id, join(cacheLayout(cacheRoot(cacheDir)).logs, 'container-watchdog.log'));
  } catch (error) {
    await engine.remove(id).catch(() => {});
    throw failed('could not be watched', error);
  }
  watchdog.unref();
  const logs = async (lines = OUTPUT_LINES) => (await engine.logs(id, lines).catch(() => [])).join('\n');
  let stopping: Promise<void> | undefined;
  let lastOutput = '';
  let earlyExit: string | undefined;
  const stopWaiting = new AbortController();
  const stop = () =>
    (stopping ??= (async () => {
      stopWaiting.abort();
      await engine.stop(id, STOP_GRACE_SECONDS).catch((error: unknown) => debug('stop %s: %s', name, describeError(error)));
      lastOutput = await logs();
      await engine.remove(id).catch((error: unknown) => debug('remove %s: %s', name, describeError(error)));
      await watchdog.release().catch((error: unknown) => debug('watchdog: %s', describeError(error)));
    })());

  let url: string;
  try {
    await engine.start(id);
    const port = await engine.publishedPort(id, image.port);
    url = backend.url.replaceAll('${PORT}', String(port));
  } catch (error) {
    await stop();
    throw failed('could not be started', error, lastOutput);
  }
  const exited = engine.waitForExit(id, stopWaiting.signal).then((code) => {
    if (!stopping) earlyExit = `code ${code}`;
    throw new Error(`it exited (code ${code})`);
  });
  exited.catch(() => {});
  try {
    await waitForReadiness([answersBelow500(`${url}${backend.readyPath}`)], { timeoutMs: backend.readyTimeoutMs, abort: exited });
  } catch (error) {
    const reason = error instanceof ReadinessTimeout ? error.message : `stopped before it was ready: ${describeError(error)}`;
    await stop();
    throw new KcboxError(
      'ERR_KCBOX_BACKEND',
      `${described} (container ${name}, port ${image.port} published at ${url}) is not ready: ${reason}.\n` +
        'Check backend.image, backend.ready and backend.readyTimeout in the matrix file; the backend must listen on HOST (0.0.0.0) and PORT.\n' +
        (lastOutput ? `Its last output:\n${lastOutput}` : 'It printed nothing.'),
      { cause: error },
    );
  }
  debug('backend container %s serves %s', name, url);
  return {
    url,
    port: Number(new URL(url).port),
    output: async (lines) => (stopping ? lastOutput : logs(lines)),
    exitedEarly: () => earlyExit,
    stop,
    [Symbol.asyncDispose]: stop,
  };
}
