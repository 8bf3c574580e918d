import { KcboxError } from '../errors.js';
import { adminCall as call } from '../realm/live-settings.js';
import { fixturePassword, defaultLoginClient } from '../realm/fixtures.js';
import type { RealmRepresentation } from '../realm/realm-input.js';
import type { AdminClient } from '../runtime/admin-client.js';
import { type LoginClient, type LoginFlow, loginClientOf } from '../tokens/user-login.js';
import { exportAuthorizationSettings } from '../realm/live-settings.js';
import type { RealmFacts } from './spec-realm-check.js';

interface LiveClient {
  readonly id: string;
  readonly clientId: string;
  readonly publicClient: boolean;
  readonly directAccessGrantsEnabled: boolean;
  readonly standardFlowEnabled: boolean;
  readonly redirectUris: readonly string[];
  readonly rootUrl: string | undefined;
}

/** The live realm a matrix runs against: what it holds, and how to log its users in. */
export interface MatrixRealm {
  readonly facts: RealmFacts;
  /** The client users log in with for `access` and `rpt` tokens. */
  readonly loginClient: string;
  /**
   * The client's credentials and login settings, to log users in with (the flow follows its
   * settings, or `loginFlow`). With `secret`, its secret is not read from Keycloak.
   */
  oauthClient(clientId: string, secret?: string): Promise<LoginClient>;
  /** The user's password from `keycloak.passwords`, else the realm file; undefined when neither gives one. */
  passwordOf(username: string): string | undefined;
  /** The user's group paths, as Keycloak has them. */
  userGroups(username: string): Promise<string[]>;
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
    /** How users log in; default `auto` (the client's direct access grants decide). */
    loginFlow?: LoginFlow | undefined;
    /** Read the resource server's Authorization Services (only when the spec asks UMA permissions). */
    authorization: boolean;
    /** Clients whose roles the spec names. */
    roleClients: readonly string[];
  },
): Promise<MatrixRealm> {
  const [users, clients, settings, realmRoles] = await Promise.all([
    call(`Listing the users of realm "${realm}"`, () => admin.users.find({ realm, max: 10_000, briefRepresentation: true })),
    call(`Listing the clients of realm "${realm}"`, () => admin.clients.find({ realm })),
    options.authorization
      ? (exportAuthorizationSettings(admin, realm, resourceServer) as Promise<SettingsShape>)
      : Promise.resolve<SettingsShape>({}),
    call(`Listing the realm roles of "${realm}"`, () => admin.roles.find({ realm })),
  ]);
  const liveClients: LiveClient[] = clients.flatMap((client) =>
    client.id && client.clientId
      ? [
          {
            id: client.id,
            clientId: client.clientId,
            publicClient: client.publicClient === true,
            directAccessGrantsEnabled: client.directAccessGrantsEnabled === true,
            standardFlowEnabled: client.standardFlowEnabled !== false,
            redirectUris: client.redirectUris ?? [],
            rootUrl: client.rootUrl || undefined,
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
    realmRoles: realmRoles.map((role) => String(role.name)),
    clientRoles: Object.fromEntries(
      await Promise.all(
        liveClients
          .filter((client) => options.roleClients.includes(client.clientId))
          .map(async (client) => {
            const roles = await call(`Listing the roles of client "${client.clientId}"`, () =>
              admin.clients.listRoles({ realm, id: client.id }),
            );
            return [client.clientId, roles.map((role) => String(role.name))] as const;
          }),
      ),
    ),
  };
  const representation = options.representation;
  // Live realms without a file: the resource server itself is the one client sure to exist.
  const loginClient = options.loginClient ?? (representation ? defaultLoginClient(representation).clientId : resourceServer);
  const secrets = new Map<string, Promise<LoginClient>>();
  const passwordOf = (username: string) =>
    options.passwords[username] ?? (representation ? fixturePassword(representation, username) : undefined);
  return {
    facts,
    loginClient,
    oauthClient(clientId, givenSecret) {
      const cacheKey = JSON.stringify([clientId, givenSecret ?? null]);
      let client = secrets.get(cacheKey);
      if (!client) {
        client = (async () => {
          const live = liveClients.find((candidate) => candidate.clientId === clientId);
          if (!live) throw new KcboxError('ERR_KCBOX_CLIENT_NOT_FOUND', `Realm "${realm}" has no client "${clientId}".`);
          const flow = options.loginFlow ? { flow: options.loginFlow } : {};
          if (live.publicClient || givenSecret !== undefined)
            return { ...loginClientOf({ clientId, clientSecret: givenSecret }, live), ...flow };
          const secret = await call(`Reading the secret of client "${clientId}"`, () =>
            admin.clients.getClientSecret({ realm, id: live.id }),
          );
          return { ...loginClientOf({ clientId, clientSecret: secret.value }, live), ...flow };
        })();
        secrets.set(cacheKey, client);
      }
      return client;
    },
    passwordOf,
    async userGroups(username) {
      const [user] = await call(`Looking up user "${username}"`, () => admin.users.find({ realm, username, exact: true }));
      if (!user?.id) return [];
      const id = user.id;
      const groups = await call(`Listing the groups of "${username}"`, () => admin.users.listGroups({ realm, id }));
      return groups.map((group) => String(group.path));
    },
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
