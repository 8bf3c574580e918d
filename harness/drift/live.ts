import { KcboxError } from '../errors.js';
import { adminCall as call, clientUuid } from '../realm/live-settings.js';
import type { AdminClient } from '../runtime/admin-client.js';
import type { UserFacts } from './evaluator.js';

export interface LiveResourceServer {
  readonly clientUuid: string;
  /** The live settings in Keycloak's export format (names, no ids). */
  readonly settings: unknown;
  /** Role UUID → `client/role` or realm role name, for files that carry ids. */
  readonly roleNames: Map<string, string>;
}

export async function liveResourceServer(admin: AdminClient, realm: string, clientId: string): Promise<LiveResourceServer> {
  const id = await clientUuid(admin, realm, clientId);
  const settings = await call(`Exporting the authorization settings of "${clientId}"`, () => admin.clients.exportResource({ realm, id }));
  const roleNames = new Map<string, string>();
  for (const role of await call('Listing realm roles', () => admin.roles.find({ realm })))
    if (role.id && role.name) roleNames.set(role.id, role.name);
  for (const client of await call('Listing clients', () => admin.clients.find({ realm }))) {
    if (!client.id || !client.clientId) continue;
    const clientRoles = await call(`Listing roles of "${client.clientId}"`, () => admin.clients.listRoles({ realm, id: client.id ?? '' }));
    for (const role of clientRoles) if (role.id && role.name) roleNames.set(role.id, `${client.clientId}/${role.name}`);
  }
  return { clientUuid: id, settings, roleNames };
}

export interface LiveUser extends UserFacts {
  readonly id: string;
}

/** Every user of the realm (or the named ones) with effective roles and groups. */
export async function liveUsers(admin: AdminClient, realm: string, usernames?: readonly string[]): Promise<LiveUser[]> {
  const all = await call(`Listing users of realm "${realm}"`, () => admin.users.find({ realm, max: 10_000, briefRepresentation: true }));
  const wanted = usernames
    ? all.filter((user) => usernames.includes(String(user.username)))
    : all.filter((user) => !user.serviceAccountClientId && !String(user.username).startsWith('service-account-'));
  const missing = (usernames ?? []).filter((name) => !all.some((user) => user.username === name));
  if (missing.length > 0)
    throw new KcboxError('ERR_KCBOX_USER_NOT_FOUND', `Realm "${realm}" has no user ${missing.map((name) => `"${name}"`).join(', ')}.`);
  const clients = (await call('Listing clients', () => admin.clients.find({ realm }))).filter((client) => client.id && client.clientId);
  return Promise.all(
    wanted.map(async (user) => {
      const id = user.id ?? '';
      const realmRoles = (await admin.users.listCompositeRealmRoleMappings({ realm, id })).map((role) => String(role.name));
      const clientRoles: Record<string, string[]> = {};
      for (const client of clients) {
        const roles = await admin.users.listCompositeClientRoleMappings({ realm, id, clientUniqueId: client.id ?? '' });
        if (roles.length > 0) clientRoles[client.clientId ?? ''] = roles.map((role) => String(role.name)).sort();
      }
      const groups = (await admin.users.listGroups({ realm, id })).map((group) => String(group.path));
      return { id, username: String(user.username), realmRoles: realmRoles.sort(), clientRoles, groups };
    }),
  );
}

/** Keycloak's own decision for a user: `Resource#scope` → granted?, from the admin policy evaluation. */
export async function liveDecisions(
  admin: AdminClient,
  realm: string,
  resourceServerUuid: string,
  user: LiveUser,
): Promise<Record<string, boolean>> {
  const response = await call(`Evaluating policies for "${user.username}"`, () =>
    admin.clients.evaluateResource(
      { realm, id: resourceServerUuid },
      { userId: user.id, resources: [], entitlements: false, context: { attributes: {} }, roleIds: [], clientId: resourceServerUuid },
    ),
  );
  const decisions: Record<string, boolean> = {};
  for (const result of response.results ?? []) {
    // Keycloak names each result "<resource> with scopes [<scopes>]".
    const resource = (result.resource?.name ?? '').replace(/ with scopes \[.*\]$/, '');
    const allowed = new Set((result.allowedScopes ?? []).map((scope) => scope.name));
    for (const scope of result.scopes ?? []) decisions[`${resource}#${scope.name}`] = allowed.has(scope.name);
    // A resource without scopes is decided as a whole.
    if ((result.resource?.scopes ?? []).length === 0 && (result.scopes ?? []).length === 0)
      decisions[resource] = result.status === 'PERMIT';
  }
  return decisions;
}
