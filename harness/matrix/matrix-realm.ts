import { KcboxError } from '../errors.js';
import { adminCall as call } from '../realm/live-settings.js';
import { fixturePassword, defaultLoginClient } from '../realm/fixtures.js';
import type { RealmRepresentation } from '../realm/realm-input.js';
import type { AdminClient } from '../runtime/admin-client.js';
import type { OAuthClient } from '../tokens/token-client.js';
import { exportAuthorizationSettings } from '../realm/live-settings.js';
import type { RealmFacts } from './spec-realm-check.js';

interface LiveClient {
  readonly id: string;
  readonly clientId: string;
  readonly publicClient: boolean;
  readonly directAccessGrantsEnabled: boolean;
}

/** The live realm a matrix runs against: what it holds, and how to log its users in. */
export interface MatrixRealm {
  readonly facts: RealmFacts;
  /** The client users log in with for `access` and `rpt` tokens. */
  readonly loginClient: string;
  oauthClient(clientId: string): Promise<OAuthClient>;
  /** The user's password from `keycloak.passwords`, else the realm file; undefined when neither gives one. */
  passwordOf(username: string): string | undefined;
  /** {@link passwordOf}, for users the spec check already vouched for. */
  password(username: string): string;
}

interface SettingsShape {
  resources?: Array<{ name?: string; scopes?: Array<{ name?: string }> }>;
  scopes?: Array<{ name?: string }>;
}

/**
 * Reads the live realm over the admin API. The realm file, when there is one, supplies fixture
 * passwords and the default login client; `passwords` fills in the rest.
 */
export async function matrixRealm(
  admin: AdminClient,
  realm: string,
  resourceServer: string,
  options: {
    representation: RealmRepresentation | undefined;
    loginClient: string | undefined;
    passwords: Readonly<Record<string, string>>;
  },
): Promise<MatrixRealm> {
  const [users, clients, settings] = await Promise.all([
    call(`Listing the users of realm "${realm}"`, () => admin.users.find({ realm, max: 10_000, briefRepresentation: true })),
    call(`Listing the clients of realm "${realm}"`, () => admin.clients.find({ realm })),
    exportAuthorizationSettings(admin, realm, resourceServer) as Promise<SettingsShape>,
  ]);
  const liveClients: LiveClient[] = clients.flatMap((client) =>
    client.id && client.clientId
      ? [
          {
            id: client.id,
            clientId: client.clientId,
            publicClient: client.publicClient === true,
            directAccessGrantsEnabled: client.directAccessGrantsEnabled === true,
          },
        ]
      : [],
  );
  const facts: RealmFacts = {
    realm,
    users: users
      .filter((user) => typeof user.username === 'string')
      .map((user) => ({ username: String(user.username), enabled: user.enabled !== false })),
    clients: liveClients,
    resources: (settings.resources ?? []).map((resource) => ({
      name: String(resource.name),
      scopes: (resource.scopes ?? []).map((scope) => String(scope.name)),
    })),
    scopes: (settings.scopes ?? []).map((scope) => String(scope.name)),
  };
  const representation = options.representation;
  // Live realms without a file: the resource server itself is the one client sure to exist.
  const loginClient = options.loginClient ?? (representation ? defaultLoginClient(representation).clientId : resourceServer);
  const secrets = new Map<string, Promise<OAuthClient>>();
  const passwordOf = (username: string) =>
    options.passwords[username] ?? (representation ? fixturePassword(representation, username) : undefined);
  return {
    facts,
    loginClient,
    oauthClient(clientId) {
      let client = secrets.get(clientId);
      if (!client) {
        client = (async () => {
          const live = liveClients.find((candidate) => candidate.clientId === clientId);
          if (!live) throw new KcboxError('ERR_KCBOX_CLIENT_NOT_FOUND', `Realm "${realm}" has no client "${clientId}".`);
          if (live.publicClient) return { clientId };
          const secret = await call(`Reading the secret of client "${clientId}"`, () =>
            admin.clients.getClientSecret({ realm, id: live.id }),
          );
          return { clientId, clientSecret: secret.value };
        })();
        secrets.set(clientId, client);
      }
      return client;
    },
    passwordOf,
    password(username) {
      const password = passwordOf(username);
      if (password === undefined) {
        throw new KcboxError(
          'ERR_KCBOX_MATRIX_SPEC',
          `No password for user "${username}": the realm file gives none in clear. Add it under keycloak.passwords in the matrix file.`,
        );
      }
      return password;
    },
  };
}
