import { afterAll, beforeAll } from 'vitest';
import type { ImportRealmOptions, RealmHandle } from '../realm/realm-handle.js';
import type { RealmInput } from '../realm/realm-input.js';
import { bundledRealmPath } from '../realm/bundled.js';
import { startKeycloak } from '../runtime/start-keycloak.js';
import type { KeycloakServer } from '../runtime/types.js';
import { kcboxServer } from './provided-server.js';

export { kcboxGlobalSetup } from './global-setup.js';
export type { KcboxProvidedServer } from './provided.js';
export { kcboxServer } from './provided-server.js';
export { describeMatrix, resolveMatrixSpec } from './matrix.js';
export type { MatrixSpecInput, MatrixTestOptions } from './matrix.js';

/**
 * A handle on the run's server for this test file: import realms, create users. Its `stop()` deletes
 * what this file created and leaves the server running for the other files.
 */
export function connectKcbox(): Promise<KeycloakServer> {
  const server = kcboxServer();
  return startKeycloak({
    runtime: 'remote',
    remote: { url: server.url, adminCredentials: server.adminCredentials },
  });
}

/**
 * Imports an isolated copy of a realm (default: the bundled inventory realm) before this file's
 * tests and deletes it after them, so files running in parallel never share a realm.
 *
 * @example
 * const realm = useIsolatedRealm();
 * it('…', async () => { const url = realm().tokenUrl; });
 */
export function useIsolatedRealm(
  source: RealmInput = bundledRealmPath(),
  options: Omit<ImportRealmOptions, 'isolate'> = {},
): () => RealmHandle {
  let server: KeycloakServer | undefined;
  let realm: RealmHandle | undefined;
  beforeAll(async () => {
    server = await connectKcbox();
    realm = await server.importRealm(source, { ...options, isolate: true });
  });
  afterAll(async () => {
    await server?.stop();
  });
  return () => {
    if (!realm) throw new TypeError('useIsolatedRealm(): the realm exists only inside tests and hooks of the file that declared it.');
    return realm;
  };
}
