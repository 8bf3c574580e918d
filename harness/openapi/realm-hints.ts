import type { RealmRepresentation } from '../realm/realm-input.js';
import { fixturePassword } from '../realm/fixtures.js';

/**
 * What `kcbox init` reads from a realm file to make its guesses: the resource server, its
 * Authorization Services resources, the roles, and the users with their roles. Only guesses for
 * a person to review come from here; `kcbox check` asks Keycloak itself.
 */

export interface RealmResource {
  readonly name: string;
  readonly uris: readonly string[];
  readonly scopes: readonly string[];
}

export interface RealmUser {
  readonly username: string;
  /** `client/role` for client roles, the bare name for realm roles; default roles left out. */
  readonly roles: readonly string[];
  readonly groups: readonly string[];
  /** The realm file gives the password in clear, so the matrix needs no `passwords:` entry. */
  readonly knownPassword: boolean;
}

export interface RealmHints {
  readonly name: string;
  /** The client with Authorization Services, else a confidential or bearer-only client that is not one of Keycloak's own. */
  readonly resourceServer: string | undefined;
  readonly resources: readonly RealmResource[];
  readonly realmRoles: readonly string[];
  /** client → its role names. */
  readonly clientRoles: Readonly<Record<string, readonly string[]>>;
  readonly users: readonly RealmUser[];
}

/** Keycloak's own clients, never the API a matrix checks. */
const BUILT_IN_CLIENTS = new Set(['account', 'account-console', 'admin-cli', 'broker', 'realm-management', 'security-admin-console']);
/** Roles every user has by default: they tell no caller from another. */
const isDefaultRole = (role: string) => role.startsWith('default-roles-') || role === 'offline_access' || role === 'uma_authorization';

const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
const record = (value: unknown): Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};

export function realmHints(realm: RealmRepresentation): RealmHints {
  const clients = list(realm.clients).map(record);
  const withAuthz = clients.find((client) => client.authorizationServicesEnabled === true || client.authorizationSettings);
  const api =
    withAuthz ??
    clients.find(
      (client) =>
        !BUILT_IN_CLIENTS.has(String(client.clientId)) &&
        (client.bearerOnly === true || (client.publicClient !== true && client.serviceAccountsEnabled !== true)),
    );
  const settings = record(withAuthz?.authorizationSettings);
  const resources = list(settings.resources)
    .map(record)
    .flatMap((resource) => {
      const name = text(resource.name);
      if (!name) return [];
      const scopes = list(resource.scopes).flatMap((scope) => {
        const scopeName = typeof scope === 'string' ? scope : text(record(scope).name);
        return scopeName ? [scopeName] : [];
      });
      return [{ name, uris: list(resource.uris).flatMap((uri) => (text(uri) ? [String(uri)] : [])), scopes }];
    });
  const roles = record(realm.roles);
  const clientRoles = Object.fromEntries(
    Object.entries(record(roles.client)).map(([client, entries]) => [
      client,
      list(entries).flatMap((role) => text(record(role).name) ?? []),
    ]),
  );
  const users = list(realm.users)
    .map(record)
    .flatMap((user): RealmUser[] => {
      const username = text(user.username);
      if (!username || user.serviceAccountClientId !== undefined || username.startsWith('service-account-') || user.enabled === false)
        return [];
      const realmRoles = list(user.realmRoles).flatMap((role) => (text(role) && !isDefaultRole(String(role)) ? [String(role)] : []));
      const ofClients = Object.entries(record(user.clientRoles)).flatMap(([client, names]) =>
        list(names).flatMap((role) => (text(role) ? [`${client}/${String(role)}`] : [])),
      );
      return [
        {
          username,
          roles: [...realmRoles, ...ofClients],
          groups: list(user.groups).flatMap((group) => text(group) ?? []),
          knownPassword: fixturePassword(realm, username) !== undefined,
        },
      ];
    });
  return {
    name: realm.realm,
    resourceServer: text(api?.clientId),
    resources,
    realmRoles: list(roles.realm).flatMap((role) => text(record(role).name) ?? []),
    clientRoles,
    users,
  };
}

/**
 * Callers: one user for each distinct set of roles and groups the realm file's users hold (most
 * first), so every role is covered and so is every combination a backend may get wrong (a user
 * with read:pets but not write:pets); then one user without any, then `anonymous` (added by the
 * caller). Only users whose password the realm file gives; the others are returned apart, for a
 * comment.
 */
export function chooseCallers(hints: RealmHints): { chosen: RealmUser[]; withoutPassword: string[] } {
  const usable = hints.users.filter((user) => user.knownPassword);
  const holdings = (user: RealmUser) => [...user.roles, ...user.groups.map((group) => `group ${group}`)].sort().join('\u0000');
  const bySet = new Map<string, RealmUser>();
  for (const user of usable) if (!bySet.has(holdings(user))) bySet.set(holdings(user), user);
  const plain = bySet.get('');
  bySet.delete('');
  const chosen = [...bySet.values()].sort((a, b) => b.roles.length + b.groups.length - (a.roles.length + a.groups.length));
  return {
    chosen: plain ? [...chosen, plain] : chosen,
    withoutPassword: hints.users.filter((user) => !user.knownPassword).map((user) => user.username),
  };
}
