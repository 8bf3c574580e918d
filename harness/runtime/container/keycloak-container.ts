import { GenericContainer, Wait, getContainerRuntimeClient } from 'testcontainers';
import { KcboxError, KeycloakStartError, describeError } from '../../errors.js';
import { type LoadedRealm, loadRealms, realmFilesOf } from '../../realm/realm-input.js';
import type { AdminCredentials } from '../admin-login.js';
import { generateAdminCredentials } from '../admin-password.js';
import { adminLoginAccepted, assertRealmsServed, waitForReadiness } from '../readiness.js';
import { serverHandle } from '../server-handle.js';
import type { KeycloakServer, ServerRecord, StartKeycloakOptions } from '../types.js';
import { DEFAULT_KEYCLOAK_VERSION, parseKeycloakVersion, supportsShutdownDelay } from '../distribution/versions.js';
import { probeDocker } from './docker-probe.js';

export const KEYCLOAK_IMAGE = 'quay.io/keycloak/keycloak';
export const CONTAINER_HTTP_PORT = 8080;
export const CONTAINER_MANAGEMENT_PORT = 9000;
const IMPORT_FOLDER = '/opt/keycloak/data/import';

export interface ContainerPlan {
  readonly version: string;
  readonly admin: AdminCredentials;
  readonly realms: readonly LoadedRealm[];
  readonly features?: readonly string[] | undefined;
  readonly serverOptions?: Readonly<Record<string, string>> | undefined;
  readonly env?: Readonly<Record<string, string>> | undefined;
  readonly startupTimeoutMs: number;
  readonly detached: boolean;
}

/** The server's command line inside the official image: the same settings as the dist runtime. */
export function containerCommand(plan: ContainerPlan): string[] {
  const version = parseKeycloakVersion(plan.version);
  const command = ['start', '--http-enabled=true', '--hostname-strict=false', '--cache=local', '--db=dev-mem', '--health-enabled=true'];
  if (plan.features && plan.features.length > 0) command.push(`--features=${[...plan.features].sort().join(',')}`);
  if (plan.realms.length > 0) command.push('--import-realm');
  if (supportsShutdownDelay(version)) command.push('--shutdown-delay=0s', '--shutdown-timeout=1s');
  for (const [name, value] of Object.entries(plan.serverOptions ?? {})) command.push(`--${name}=${value}`);
  return command;
}

/** The container definition, before start; unit-tested without a Docker engine. */
export function keycloakContainer(plan: ContainerPlan): GenericContainer {
  let container = new GenericContainer(`${KEYCLOAK_IMAGE}:${plan.version}`)
    .withCommand(containerCommand(plan))
    .withEnvironment({
      ...plan.env,
      KC_BOOTSTRAP_ADMIN_USERNAME: plan.admin.username,
      KC_BOOTSTRAP_ADMIN_PASSWORD: plan.admin.password,
    })
    .withExposedPorts(CONTAINER_HTTP_PORT, CONTAINER_MANAGEMENT_PORT)
    .withLabels({ 'org.kcbox.server': 'true' })
    .withWaitStrategy(Wait.forHttp('/health/ready', CONTAINER_MANAGEMENT_PORT).forStatusCode(200))
    .withStartupTimeout(plan.startupTimeoutMs);
  if (plan.realms.length > 0) {
    container = container.withCopyContentToContainer(
      plan.realms.map((realm) => ({
        content: JSON.stringify(realm.representation),
        target: `${IMPORT_FOLDER}/${realm.name}-realm.json`,
      })),
    );
  }
  // A reusable container carries no session label, so testcontainers' reaper leaves a detached
  // server running after this process exits; its unique admin password keeps it from being shared.
  if (plan.detached) container = container.withReuse();
  return container;
}

/** Starts Keycloak in a container from the official image. */
export async function startContainer(options: StartKeycloakOptions): Promise<KeycloakServer> {
  const docker = await probeDocker();
  if (!docker.available) {
    throw new KcboxError(
      'ERR_KCBOX_DOCKER_UNAVAILABLE',
      `The container runtime needs a Docker engine; none answered (${docker.tried.join('; ')}). Start Docker or use --runtime dist.`,
    );
  }
  const version = parseKeycloakVersion(options.version ?? process.env.KCBOX_KEYCLOAK_VERSION ?? DEFAULT_KEYCLOAK_VERSION).text;
  const realms = await loadRealms(options.realms ?? []);
  const admin = generateAdminCredentials();
  const plan: ContainerPlan = {
    version,
    admin,
    realms,
    features: options.features,
    serverOptions: options.serverOptions,
    env: options.env,
    startupTimeoutMs: options.startupTimeoutMs ?? 180_000,
    detached: options.detached ?? false,
  };
  options.onProgress?.({ phase: 'start', message: `starting ${KEYCLOAK_IMAGE}:${version}` });
  let started;
  try {
    started = await keycloakContainer(plan).start();
  } catch (error) {
    throw new KeycloakStartError(
      'ERR_KCBOX_START_FAILED',
      `Container ${KEYCLOAK_IMAGE}:${version} did not start: ${describeError(error)}`,
      { cause: error },
    );
  }
  const url = `http://${started.getHost()}:${started.getMappedPort(CONTAINER_HTTP_PORT)}`;
  try {
    await waitForReadiness([adminLoginAccepted(url, admin)], { timeoutMs: plan.startupTimeoutMs });
    await assertRealmsServed(url, realms);
  } catch (error) {
    const logs = await started
      .logs({ tail: 50 })
      .then(collect)
      .catch(() => []);
    await started.stop();
    throw new KeycloakStartError(
      'ERR_KCBOX_START_FAILED',
      `Keycloak in container ${started.getId()} did not become ready: ${describeError(error)}`,
      { logTail: logs, cause: error },
    );
  }
  const record: ServerRecord = {
    runtime: 'container',
    version,
    url,
    managementUrl: `http://${started.getHost()}:${started.getMappedPort(CONTAINER_MANAGEMENT_PORT)}`,
    adminCredentials: admin,
    realms: realms.map((realm) => realm.name),
    realmFiles: realmFilesOf(realms),
    createdRealms: [],
    logFile: undefined,
    dataDir: undefined,
    pid: undefined,
    supervisorPid: undefined,
    containerId: started.getId(),
    startedAt: new Date().toISOString(),
  };
  return serverHandle(record, async () => {
    await started.stop({ remove: true });
  });
}

function collect(stream: NodeJS.ReadableStream): Promise<string[]> {
  return new Promise((resolve) => {
    let text = '';
    stream.on('data', (chunk) => (text += String(chunk)));
    stream.on('end', () => resolve(text.split('\n').filter(Boolean)));
    stream.on('error', () => resolve(text.split('\n').filter(Boolean)));
  });
}

/** Stops and removes a container recorded by `kcbox up --detach`. */
export async function stopRecordedContainer(containerId: string): Promise<void> {
  const client = await getContainerRuntimeClient();
  const container = client.container.getById(containerId);
  try {
    await client.container.stop(container, { timeout: 10_000 });
    await client.container.remove(container, { removeVolumes: true });
  } catch (error) {
    if (!/no such container|404/i.test(describeError(error))) throw error;
  }
}
