import type { KeycloakServer, ServerRecord } from './types.js';

/** Builds the public server object from its record and the runtime's way to stop it. */
export function serverHandle(record: ServerRecord, stopServer: () => Promise<void>): KeycloakServer {
  let stopping: Promise<void> | undefined;
  const stop = () => (stopping ??= stopServer());
  return {
    url: record.url,
    managementUrl: record.managementUrl,
    adminCredentials: record.adminCredentials,
    version: record.version,
    runtime: record.runtime,
    logFile: record.logFile,
    realms: record.realms,
    toRecord: () => record,
    stop,
    [Symbol.asyncDispose]: stop,
  };
}
