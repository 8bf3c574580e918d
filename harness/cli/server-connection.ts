import { KcboxError } from '../errors.js';
import { loadRealm, type RealmRepresentation } from '../realm/realm-input.js';
import { readState, stateFilePath } from '../runtime/state-file.js';
import type { AdminCredentials } from '../runtime/admin-login.js';

export interface CliServer {
  readonly url: string;
  /** Known from the state file or KCBOX_ADMIN_USER / KCBOX_ADMIN_PASSWORD. */
  readonly adminCredentials: AdminCredentials | undefined;
  readonly realms: readonly string[];
  readonly realmFiles: Readonly<Record<string, string>>;
  readonly source: string;
}

/** The server the CLI talks to: the one `kcbox up` recorded, else `KCBOX_URL`. */
export async function cliServer(env: NodeJS.ProcessEnv = process.env): Promise<CliServer> {
  const stateFile = stateFilePath(env);
  const record = await readState(stateFile);
  if (record)
    return {
      url: record.url,
      adminCredentials: record.adminCredentials,
      realms: record.realms,
      realmFiles: record.realmFiles ?? {},
      source: stateFile,
    };
  if (env.KCBOX_URL) {
    const credentials =
      env.KCBOX_ADMIN_USER && env.KCBOX_ADMIN_PASSWORD ? { username: env.KCBOX_ADMIN_USER, password: env.KCBOX_ADMIN_PASSWORD } : undefined;
    return { url: env.KCBOX_URL.replace(/\/+$/, ''), adminCredentials: credentials, realms: [], realmFiles: {}, source: 'KCBOX_URL' };
  }
  throw new KcboxError(
    'ERR_KCBOX_NO_SERVER',
    `No kcbox server is running (${stateFile} records none and KCBOX_URL is unset). Start one with \`kcbox up --detach\`.`,
  );
}

/** The realm a command works on: --realm, else the server's only (or first) realm, else `inventory`. */
export function chooseRealm(server: CliServer, requested: string | undefined): string {
  return requested ?? server.realms[0] ?? 'inventory';
}

/** The realm file behind a realm, for fixture passwords and clients; undefined when kcbox has none. */
export async function realmDefinition(server: CliServer, realm: string): Promise<RealmRepresentation | undefined> {
  const file = server.realmFiles[realm];
  return file ? (await loadRealm(file)).representation : undefined;
}

/** Admin access to the CLI's server, or an error saying how to provide it. */
export function adminOf(server: CliServer): AdminCredentials {
  if (!server.adminCredentials) {
    throw new KcboxError(
      'ERR_KCBOX_NO_ADMIN_CREDENTIALS',
      `No admin credentials for ${server.url}: set KCBOX_ADMIN_USER and KCBOX_ADMIN_PASSWORD.`,
    );
  }
  return server.adminCredentials;
}
