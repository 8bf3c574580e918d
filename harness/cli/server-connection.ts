import { KcboxError } from '../errors.js';
import { loadRealm, type RealmRepresentation } from '../realm/realm-input.js';
import type { KeycloakConnection } from '../runtime/connection.js';
import { readState, stateFilePath } from '../runtime/state-file.js';
import { trustCertificateAuthority } from '../tls/trust.js';

/** The server the CLI talks to, and where it learnt of it. */
export interface CliServer {
  readonly url: string;
  readonly realms: readonly string[];
  readonly realmFiles: Readonly<Record<string, string>>;
  /** The state file, or `KCBOX_URL`. */
  readonly source: string;
  /** The admin connection; throws `ERR_KCBOX_NO_ADMIN_CREDENTIALS` when only `KCBOX_URL` is known. */
  connection(): KeycloakConnection;
}

/** The server the CLI talks to: `KCBOX_URL` when set, else the one `kcbox up` recorded. */
export async function cliServer(env: NodeJS.ProcessEnv = process.env): Promise<CliServer> {
  const stateFile = stateFilePath(env);
  const record = env.KCBOX_URL ? undefined : await readState(stateFile);
  if (record) {
    const realmFiles = record.realmFiles ?? {};
    trustCertificateAuthority(record.caFile, `The CA file recorded in ${stateFile}`);
    const connection = { url: record.url, adminCredentials: record.adminCredentials, realmFiles, caFile: record.caFile };
    return { url: record.url, realms: record.realms, realmFiles, source: stateFile, connection: () => connection };
  }
  if (env.KCBOX_URL) {
    const url = env.KCBOX_URL.replace(/\/+$/, '');
    const { KCBOX_ADMIN_USER: username, KCBOX_ADMIN_PASSWORD: password } = env;
    return {
      url,
      realms: [],
      realmFiles: {},
      source: 'KCBOX_URL',
      connection() {
        if (!username || !password) {
          throw new KcboxError(
            'ERR_KCBOX_NO_ADMIN_CREDENTIALS',
            `No admin credentials for ${url} (KCBOX_URL): set KCBOX_ADMIN_USER and KCBOX_ADMIN_PASSWORD.`,
          );
        }
        return { url, adminCredentials: { username, password }, realmFiles: {} };
      },
    };
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
