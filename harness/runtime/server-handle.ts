import { connectAdmin } from './admin-client.js';
import { deleteRealms } from '../realm/realm-admin.js';
import { importRealm } from '../realm/realm-handle.js';
import type { KeycloakServer, ServerRecord } from './types.js';
import { trustCertificateAuthority } from '../tls/trust.js';

/**
 * Builds the public server object from its record and the runtime's way to stop it. Realms
 * imported through it are tracked: on a remote server `stop()` deletes exactly those (a local
 * server takes them along when it ends).
 */
export function serverHandle(record: ServerRecord, stopServer: () => Promise<void>): KeycloakServer {
  trustCertificateAuthority(record.caFile);
  const imported = new Set<string>();
  const connection = { url: record.url, adminCredentials: record.adminCredentials, caFile: record.caFile };
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      if (record.runtime === 'remote' && imported.size > 0) {
        await deleteRealms(await connectAdmin(record.url, record.adminCredentials), [...imported]);
      }
      await stopServer();
    })());
  return {
    url: record.url,
    managementUrl: record.managementUrl,
    adminCredentials: record.adminCredentials,
    caFile: record.caFile,
    version: record.version,
    runtime: record.runtime,
    logFile: record.logFile,
    realms: record.realms,
    realmFiles: record.realmFiles,
    toRecord: () => ({ ...record, createdRealms: [...record.createdRealms, ...imported] }),
    importRealm: (source, options) =>
      importRealm(
        connection,
        source,
        options,
        (name) => imported.add(name),
        (name) => imported.delete(name),
      ),
    stop,
    [Symbol.asyncDispose]: stop,
  };
}
