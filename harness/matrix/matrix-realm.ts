import { KcboxError } from '../errors.js';
import { adminCall as call } from '../realm/live-settings.js';
import { fixturePassword, defaultLoginClient } from '../realm/fixtures.js';
import type { RealmRepresentation } from '../realm/realm-input.js';
import type { AdminClient } from '../runtime/admin-client.js';
import { type LoginClient, type LoginFlow, loginClientOf } from '../tokens/user-login.js';
import { exportAuthorizationSettings } from '../realm/live-settings.js';
import type { RealmFacts } from './spec-realm-check.js';
import type { Caller, FixtureUser } from './types.js';

/** Every group path of the realm, subgroups included. */
async function groupPaths(admin: AdminClient, realm: string): Promise<string[]> {
  const paths: string[] = [];
  const walk = async (groups: ReadonlyArray<{ id?: string; path?: string; subGroupCount?: number; subGroups?: unknown[] }>) => {
    for (const group of groups) {
      if (group.path) paths.push(group.path);
      if (!group.id || (group.subGroupCount ?? group.subGroups?.length ?? 0) === 0) continue;
      const parentId = group.id;
      await walk(await admin.groups.listSubGroups({ realm, parentId, max: 10_000 }));
    }
  };
  await walk(await admin.groups.find({ realm, max: 10_000 }));
  return paths;
}

interface LiveClient {
  readonly id: string;
  readonly clientId: string;
  readonly publicClient: boolean;
  readonly directAccessGrantsEnabled: boolean;
  readonly standardFlowEnabled: boolean;
  readonly redirectUris: readonly string[];
  readonly rootUrl: string | undefined;
  readonly serviceAccountsEnabled: boolean;
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
  /** The caller's group paths, as Keycloak has them (a service account's are its service-account user's). */
  callerGroups(caller: Caller): Promise<string[]>;
  /** The values of the caller's user attribute, as Keycloak has them (a service account's are its service-account user's). */
  callerAttribute(caller: Caller, attribute: string): Promise<string[]>;
  /**
   * Creates the matrix's fixture users in one partial import, with the passwords
   * {@link passwordOf} gives them. Only for a realm kcbox imported: it is deleted with them.
   */
  createUsers(users: readonly FixtureUser[]): Promise<void>;
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
    /** Read every group path (only when fixture users name groups). */
    groups?: boolean;
  },
): Promise<MatrixRealm> {
  const [users, clients, settings, realmRoles, groups] = await Promise.all([
    call(`Listing the users of realm "${realm}"`, () => admin.users.find({ realm, max: 10_000, briefRepresentation: true })),
    call(`Listing the clients of realm "${realm}"`, () => admin.clients.find({ realm })),
    options.authorization
      ? (exportAuthorizationSettings(admin, realm, resourceServer) as Promise<SettingsShape>)
      : Promise.resolve<SettingsShape>({}),
    call(`Listing the realm roles of "${realm}"`, () => admin.roles.find({ realm })),
    options.groups ? call(`Listing the groups of realm "${realm}"`, () => groupPaths(admin, realm)) : Promise.resolve(undefined),
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
            serviceAccountsEnabled: client.serviceAccountsEnabled === true && client.bearerOnly !== true,
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
    ...(groups ? { groups } : {}),
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
  // A realm file without a client that allows the password grant is fine for service accounts:
  // the spec check names the missing login client only when a user needs it.
  const fileLoginClient = () => {
    try {
      return representation ? defaultLoginClient(representation).clientId : undefined;
    } catch {
      return undefined;
    }
  };
  const loginClient = options.loginClient ?? fileLoginClient() ?? resourceServer;
  const secrets = new Map<string, Promise<LoginClient>>();
  const userIdOf = async (caller: Caller): Promise<string | undefined> => {
    if (caller.kind === 'user') {
      const username = caller.username;
      const [user] = await call(`Looking up user "${username}"`, () => admin.users.find({ realm, username, exact: true }));
      return user?.id;
    }
    if (caller.kind !== 'service-account') return undefined;
    const live = liveClients.find((candidate) => candidate.clientId === caller.clientId);
    if (!live) return undefined;
    const user = await call(`Looking up the service account of "${caller.clientId}"`, () =>
      admin.clients.getServiceAccountUser({ realm, id: live.id }),
    );
    return user.id;
  };
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
    async callerGroups(caller) {
      const id = await userIdOf(caller);
      if (!id) return [];
      const groups = await call(`Listing the groups of a caller`, () => admin.users.listGroups({ realm, id }));
      return groups.map((group) => String(group.path));
    },
    async callerAttribute(caller, attribute) {
      const id = await userIdOf(caller);
      if (!id) return [];
      const user = await call(`Reading the attributes of a caller`, () => admin.users.findOne({ realm, id, userProfileMetadata: false }));
      const values: unknown = user?.attributes?.[attribute];
      return Array.isArray(values) ? values.map(String) : typeof values === 'string' ? [values] : [];
    },
    async createUsers(fixtures) {
      if (fixtures.length === 0) return;
      await call(`Creating the matrix's users (${fixtures.map((user) => user.username).join(', ')}) in realm "${realm}"`, () =>
        admin.realms.partialImport({
          realm,
          rep: {
            ifResourceExists: 'FAIL',
            users: fixtures.map((user) => ({
              username: user.username,
              enabled: user.enabled,
              // Keycloak's user profile refuses the password grant to an account without these.
              email: user.email ?? `${user.username}@kcbox.test`,
              emailVerified: true,
              firstName: user.firstName ?? user.username,
              lastName: user.lastName ?? 'Test',
              credentials: [{ type: 'password', value: passwordOf(user.username) ?? '', temporary: false }],
              realmRoles: [...user.realmRoles],
              clientRoles: Object.fromEntries(Object.entries(user.clientRoles).map(([client, roles]) => [client, [...roles]])),
              groups: [...user.groups],
              attributes: Object.fromEntries(Object.entries(user.attributes).map(([name, values]) => [name, [...values]])),
            })),
          },
        }),
      );
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
