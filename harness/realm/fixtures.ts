import { KcboxError } from '../errors.js';
import { type LoginClient, loginClientOf } from '../tokens/user-login.js';
import type { RealmRepresentation } from './realm-input.js';

interface ClientFields {
  clientId?: string;
  secret?: string;
  publicClient?: boolean;
  bearerOnly?: boolean;
  directAccessGrantsEnabled?: boolean;
  standardFlowEnabled?: boolean;
  redirectUris?: string[];
  rootUrl?: string;
  authorizationServicesEnabled?: boolean;
}
interface UserFields {
  username?: string;
  credentials?: Array<{ type?: string; value?: string }>;
}

const clientsOf = (realm: RealmRepresentation) => (Array.isArray(realm.clients) ? (realm.clients as ClientFields[]) : []);

/** The password a realm file gives a fixture user, if it gives one in clear. */
export function fixturePassword(realm: RealmRepresentation, username: string): string | undefined {
  const users = Array.isArray(realm.users) ? (realm.users as UserFields[]) : [];
  const user = users.find((candidate) => candidate.username === username);
  return user?.credentials?.find((credential) => (credential.type ?? 'password') === 'password' && typeof credential.value === 'string')
    ?.value;
}

/** A client of the realm file as OAuth credentials (its secret when confidential) and its login settings. */
export function fixtureClient(realm: RealmRepresentation, clientId: string): LoginClient {
  const client = clientsOf(realm).find((candidate) => candidate.clientId === clientId);
  if (!client) {
    throw new KcboxError(
      'ERR_KCBOX_CLIENT_NOT_FOUND',
      `Realm "${realm.realm}" defines no client "${clientId}" (clients: ${
        clientsOf(realm)
          .map((c) => c.clientId)
          .join(', ') || 'none'
      }).`,
    );
  }
  return loginClientOf({ clientId, ...(client.publicClient ? {} : { clientSecret: client.secret }) }, client);
}

/** Clients every realm has; their redirect URIs lead to Keycloak's own consoles. */
const BUILT_IN_CLIENTS = new Set(['account', 'account-console', 'admin-cli', 'broker', 'realm-management', 'security-admin-console']);

/**
 * The client users log in with when none is named: a public one with direct access grants, else
 * any with them; else (production-like realms) a public one with the standard flow and a redirect
 * URI, else any such.
 */
export function defaultLoginClient(realm: RealmRepresentation): LoginClient {
  const own = clientsOf(realm).filter((client) => !client.bearerOnly && client.clientId && !BUILT_IN_CLIENTS.has(client.clientId));
  const direct = own.filter((client) => client.directAccessGrantsEnabled);
  const browser = own.filter((client) => client.standardFlowEnabled !== false && (client.redirectUris?.length ?? 0) > 0);
  const chosen = direct.find((client) => client.publicClient) ?? direct[0] ?? browser.find((client) => client.publicClient) ?? browser[0];
  if (!chosen?.clientId) {
    throw new KcboxError(
      'ERR_KCBOX_CLIENT_NOT_FOUND',
      `Realm "${realm.realm}" has no client to log users in with (none with direct access grants, none with the standard flow and a redirect URI): name one with --client.`,
    );
  }
  return fixtureClient(realm, chosen.clientId);
}

/** The resource server (the client with authorization services) an RPT is asked from. */
export function defaultResourceServer(realm: RealmRepresentation): string {
  const servers = clientsOf(realm).filter((client) => client.authorizationServicesEnabled);
  if (servers.length !== 1 || !servers[0]?.clientId) {
    throw new KcboxError(
      'ERR_KCBOX_USAGE',
      `Realm "${realm.realm}" has ${servers.length} clients with authorization services (${servers.map((c) => c.clientId).join(', ') || 'none'}): name the resource server with --audience.`,
    );
  }
  return servers[0].clientId;
}
