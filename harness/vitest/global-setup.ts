import type { TestProject } from 'vitest/node';
import { connectionOf } from '../runtime/connection.js';
import { remoteOptionsFromEnv } from '../runtime/remote/connect-remote.js';
import { startKeycloak } from '../runtime/start-keycloak.js';
import type { KeycloakServer, StartKeycloakOptions } from '../runtime/types.js';
import type { KcboxProvidedServer } from './provided.js';
import './provided.js';

export function provided(server: KeycloakServer): KcboxProvidedServer {
  return {
    ...connectionOf(server),
    managementUrl: server.managementUrl ?? null,
    version: server.version,
    runtime: server.runtime,
    realms: server.realms,
    logFile: server.logFile ?? null,
  };
}

/**
 * A vitest `globalSetup` that starts one Keycloak for the whole run, provides it to test files as
 * `inject('kcbox')`, and stops it when the run ends. With `KCBOX_URL` set it uses that server.
 *
 * @example
 * // kcbox.setup.ts, listed in vitest.config.ts under test.globalSetup
 * import { kcboxGlobalSetup } from 'kcbox/vitest';
 * export default kcboxGlobalSetup({ realms: ['realm/my-realm.json'] });
 */
export function kcboxGlobalSetup(options: StartKeycloakOptions = {}) {
  return async function setup(project: TestProject): Promise<() => Promise<void>> {
    const remote = remoteOptionsFromEnv();
    const server = await startKeycloak(remote ? { ...options, runtime: 'remote', remote } : options);
    project.provide('kcbox', provided(server));
    return () => server.stop();
  };
}

/** Ready-made setup for `test.globalSetup: ['kcbox/vitest/global-setup']`: no realms, defaults from env. */
export default kcboxGlobalSetup();
