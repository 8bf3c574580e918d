import type { AdminCredentials } from './admin-login.js';

export type { AdminCredentials };

/**
 * A Keycloak kcbox can act on: where it is, how to log in as its admin, and which realms kcbox
 * imported from files. Every layer that needs "a server" takes this; a started server, a state-file
 * record, a remote server and the one vitest provides are all of this shape.
 */
export interface KeycloakConnection {
  /** Base URL without a trailing slash, e.g. http://127.0.0.1:41234. */
  readonly url: string;
  readonly adminCredentials: AdminCredentials;
  /** Realm name → the file kcbox imported it from: fixture users, passwords and clients come from there. */
  readonly realmFiles?: Readonly<Record<string, string>> | undefined;
  /**
   * The CA certificate (PEM file) behind an https `url` that public roots do not cover, e.g.
   * kcbox's own (`kcbox ca`). kcbox trusts it for its own requests and hands it to backends.
   */
  readonly caFile?: string | undefined;
}

/** Just the connection, as plain data (e.g. to hand across a process or worker boundary). */
export function connectionOf(server: KeycloakConnection): KeycloakConnection {
  return {
    url: server.url,
    adminCredentials: { ...server.adminCredentials },
    realmFiles: { ...(server.realmFiles ?? {}) },
    ...(server.caFile ? { caFile: server.caFile } : {}),
  };
}
