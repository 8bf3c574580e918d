import createDebug from 'debug';
import { KcboxError } from '../errors.js';
import { probeDocker } from './container/docker-probe.js';
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

/**
 * `auto`: remote when KCBOX_URL is set (someone runs a server for us), else a container when a
 * Docker engine answers, else the distribution with a local JDK.
 */
export async function resolveRuntime(
  choice: RuntimeChoice,
  env: NodeJS.ProcessEnv = process.env,
  dockerAnswers: () => Promise<boolean> = async () => (await probeDocker(env)).available,
): Promise<RuntimeKind> {
  if (choice !== 'auto') return choice;
  if (env.KCBOX_URL) return 'remote';
  return (await dockerAnswers()) ? 'container' : 'dist';
}

/**
 * Starts (or, for `remote`, connects to) a Keycloak and resolves once it is ready: health UP and
 * the admin API accepting a login. Stop it with `stop()` or `await using`.
 *
 * @example
 * await using server = await startKeycloak({ realms: ['realm/inventory-realm.json'] });
 * console.log(server.url);
 */
export async function startKeycloak(options: StartKeycloakOptions = {}): Promise<KeycloakServer> {
  const choice = options.runtime ?? parseRuntimeChoice(process.env.KCBOX_RUNTIME ?? 'auto', 'KCBOX_RUNTIME');
  const runtime = await resolveRuntime(parseRuntimeChoice(choice, 'runtime'));
  debug('runtime %s (asked: %s)', runtime, choice);
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
