import { KcboxError } from '../errors.js';
import type { OAuthClient } from '../tokens/token-client.js';
import type { RealmRepresentation } from './realm-input.js';

interface ClientFields {
  clientId?: string;
  secret?: string;
  publicClient?: boolean;
  bearerOnly?: boolean;
  directAccessGrantsEnabled?: boolean;
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

/** A client of the realm file as OAuth credentials (its secret when confidential). */
export function fixtureClient(realm: RealmRepresentation, clientId: string): OAuthClient {
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
  return { clientId, ...(client.publicClient ? {} : { clientSecret: client.secret }) };
}

/** The client users log in with when none is named: a public one with direct access grants, else any with them. */
export function defaultLoginClient(realm: RealmRepresentation): OAuthClient {
  const candidates = clientsOf(realm).filter((client) => client.directAccessGrantsEnabled && !client.bearerOnly);
  const chosen = candidates.find((client) => client.publicClient) ?? candidates[0];
  if (!chosen?.clientId) {
    throw new KcboxError(
      'ERR_KCBOX_CLIENT_NOT_FOUND',
      `Realm "${realm.realm}" has no client with direct access grants: name one with --client.`,
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
