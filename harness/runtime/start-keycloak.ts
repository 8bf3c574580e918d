import createDebug from 'debug';
import { KcboxError } from '../errors.js';
import { type ContainerAvailability, containerAvailability } from './container/container-availability.js';
import { startContainer, stopRecordedContainer } from './container/keycloak-container.js';
import { startDistribution } from './distribution/start-distribution.js';
import { stopSupervisor } from '../process/supervised-process.js';
import { connectRemote, releaseRemote } from './remote/connect-remote.js';
import { serverHandle } from './server-handle.js';
import type { KeycloakServer, RuntimeChoice, RuntimeKind, ServerRecord, StartKeycloakOptions } from './types.js';

const debug = createDebug('kcbox:runtime');
const RUNTIME_CHOICES: readonly RuntimeChoice[] = ['auto', 'dist', 'container', 'remote'];

export function parseRuntimeChoice(value: string, source: string): RuntimeChoice {
  if ((RUNTIME_CHOICES as readonly string[]).includes(value)) return value as RuntimeChoice;
  throw new KcboxError('ERR_KCBOX_USAGE', `${source} "${value}" is not a runtime: expected one of ${RUNTIME_CHOICES.join(', ')}.`);
}

/** What `auto` (or an explicit choice) comes to, and why, in one line. */
export interface RuntimeDecision {
  readonly runtime: RuntimeKind;
  readonly reason: string;
}

/**
 * `auto`: remote when KCBOX_URL is set (someone runs a server for us), else a container when a
 * Docker engine answers and holds the Keycloak image (or its registry serves it), else the
 * distribution with a local JDK. Both serve https alike when `tls` is asked for.
 */
export async function decideRuntime(
  choice: RuntimeChoice,
  env: NodeJS.ProcessEnv = process.env,
  containerUsable: () => Promise<ContainerAvailability> = () => containerAvailability({ env }),
): Promise<RuntimeDecision> {
  if (choice !== 'auto') return { runtime: choice, reason: 'asked for' };
  if (env.KCBOX_URL) return { runtime: 'remote', reason: 'KCBOX_URL is set' };
  const container = await containerUsable();
  return { runtime: container.usable ? 'container' : 'dist', reason: container.reason };
}

/** The runtime `choice` comes to (see {@link decideRuntime}); `containerUsable` answers whether the container runtime can run here. */
export async function resolveRuntime(
  choice: RuntimeChoice,
  env: NodeJS.ProcessEnv = process.env,
  containerUsable: () => Promise<boolean> = async () => (await containerAvailability({ env })).usable,
): Promise<RuntimeKind> {
  return (await decideRuntime(choice, env, async () => ({ usable: await containerUsable(), reason: '' }))).runtime;
}

/**
 * Starts (or, for `remote`, connects to) a Keycloak and resolves once it is ready: health UP and
 * the admin API accepting a login. Stop it with `stop()` or `await using`. With `auto`, one
 * progress line says which runtime was picked and why.
 *
 * @example
 * await using server = await startKeycloak({ realms: ['realm/inventory-realm.json'] });
 * console.log(server.url);
 */
export async function startKeycloak(options: StartKeycloakOptions = {}): Promise<KeycloakServer> {
  const choice = parseRuntimeChoice(options.runtime ?? process.env.KCBOX_RUNTIME ?? 'auto', options.runtime ? 'runtime' : 'KCBOX_RUNTIME');
  const { runtime, reason } = await decideRuntime(choice, process.env, () =>
    containerAvailability({ env: process.env, version: options.version }),
  );
  debug('runtime %s (asked: %s): %s', runtime, choice, reason);
  if (choice === 'auto') options.onProgress?.({ phase: 'start', message: `runtime ${runtime}: ${reason}` });
  // kcbox does not start a remote server, so it cannot choose how it listens.
  if (options.tls && runtime === 'remote') {
    throw new KcboxError(
      'ERR_KCBOX_TLS',
      'tls: a remote server serves what KCBOX_URL says; for an https one with a private CA, set KCBOX_CA_FILE instead.',
    );
  }
  switch (runtime) {
    case 'dist':
      return startDistribution(options);
    case 'container':
      return startContainer(options);
    case 'remote':
      return connectRemote(options);
  }
}

/** A handle on a server started by another process (from its {@link ServerRecord}), to stop it. */
export function attachKeycloak(record: ServerRecord): KeycloakServer {
  return serverHandle(record, async () => {
    switch (record.runtime) {
      case 'dist':
        if (record.supervisorPid !== undefined && record.pid !== undefined) await stopSupervisor(record.supervisorPid, record.pid, 10_000);
        return;
      case 'container':
        if (record.containerId) await stopRecordedContainer(record.containerId);
        return;
      case 'remote':
        return releaseRemote(record);
    }
  });
}
