import { randomBytes } from 'node:crypto';
import createDebug from 'debug';
import { describeError } from '../errors.js';
import { importRealm } from '../realm/realm-handle.js';
import type { RealmRepresentation } from '../realm/realm-input.js';
import type { AdminClient } from '../runtime/admin-client.js';
import type { KeycloakConnection } from '../runtime/connection.js';
import { decodeClaims } from '../tokens/claims.js';
import { type TokenRealm, type UserCredentials, passwordGrant } from '../tokens/token-client.js';
import { type LoginClient, loginTokens } from '../tokens/user-login.js';
import type { HostileCaseId, KeycloakTokenCaseId } from './types.js';

const debug = createDebug('kcbox:hostile');

export interface HostileTokenContext {
  readonly admin: AdminClient;
  readonly server: KeycloakConnection;
  readonly realm: TokenRealm;
  /** The client the matrix logs users in with (and how). */
  readonly loginClient: LoginClient;
  /** A user who is allowed on the endpoints under attack. */
  readonly user: UserCredentials;
  /** The realm's definition, for a sibling realm with the same users and clients; none skips other-realm. */
  readonly representation: RealmRepresentation | undefined;
  /** kcbox imported the realm, so it may add a client and a user to it; false skips other-client and disabled-user. */
  readonly ownRealm: boolean;
  /**
   * A sibling realm already being imported for every user (whoever started it deletes it); without
   * one, other-realm imports its own and {@link HostileKeycloakTokens.cleanup} deletes it.
   */
  readonly sibling?: Promise<TokenRealm> | undefined;
  /** The cases that will run: tokens of other cases are not collected. Default all. */
  readonly cases?: readonly HostileCaseId[] | undefined;
}

/** Real Keycloak tokens for the claim cases, and what to undo afterwards. */
export interface HostileKeycloakTokens {
  readonly tokens: Partial<Record<KeycloakTokenCaseId, string>>;
  /** Why a case got no token, for a stated, expected reason (the realm is not kcbox's, …): a skip. */
  readonly missing: Partial<Record<KeycloakTokenCaseId, string>>;
  /** Why Keycloak failed to give a case its token: the case could not run, so the check is incomplete. */
  readonly failed: Partial<Record<KeycloakTokenCaseId, string>>;
  cleanup(): Promise<void>;
}

const suffix = () => randomBytes(4).toString('hex');

/**
 * Collects genuine Keycloak tokens used out of context: an ID token and a refresh token of the
 * allowed user, an access token from a sibling realm (same users, clients and roles; another
 * issuer and key), one issued to a client that does not put the API in `aud`, one whose session
 * was logged out, and one of a user disabled after issue. A case that cannot get its token is
 * reported, not thrown, so the rest of the suite still runs: as `missing` when the reason is
 * expected, as `failed` when Keycloak failed (which makes the check incomplete).
 */
export async function hostileKeycloakTokens(context: HostileTokenContext): Promise<HostileKeycloakTokens> {
  const { admin, realm, loginClient, user } = context;
  const tokens: Partial<Record<KeycloakTokenCaseId, string>> = {};
  const missing: Partial<Record<KeycloakTokenCaseId, string>> = {};
  const failed: Partial<Record<KeycloakTokenCaseId, string>> = {};
  const cleanups: Array<() => Promise<void>> = [];
  let undone: Promise<void> | undefined;
  const attempt = async (id: KeycloakTokenCaseId, get: () => Promise<string | undefined>) => {
    if (context.cases && !context.cases.includes(id)) return;
    try {
      const token = await get();
      if (token) tokens[id] = token;
      else missing[id] ??= 'Keycloak returned no such token';
    } catch (error) {
      debug('%s: %O', id, error);
      failed[id] = `Keycloak did not give kcbox the token: ${describeError(error)}`;
    }
  };

  await Promise.all([
    attempt('id-token', async () => (await loginTokens(realm, loginClient, user, { scope: 'openid' })).idToken),
    attempt('refresh-token', async () => (await loginTokens(realm, loginClient, user)).refreshToken),
    attempt('revoked-session', async () => {
      const token = (await loginTokens(realm, loginClient, user)).accessToken;
      const session = decodeClaims(token).sid;
      if (typeof session !== 'string') throw new Error('the access token carries no "sid"');
      await admin.realms.deleteSession({ realm: realm.name, session, isOffline: false });
      return token;
    }),
    context.sibling || context.representation
      ? attempt('other-realm', async () => {
          let sibling = await context.sibling;
          if (!sibling) {
            const imported = await importRealm(context.server, context.representation as RealmRepresentation, { isolate: true });
            cleanups.push(() => imported.delete());
            sibling = imported;
          }
          return (await loginTokens({ name: sibling.name, tokenUrl: sibling.tokenUrl }, loginClient, user)).accessToken;
        })
      : Promise.resolve(
          void (missing['other-realm'] = 'the realm has no file kcbox knows, so it cannot create a sibling realm with the same users'),
        ),
    context.ownRealm
      ? attempt('other-client', async () => {
          // No audience mapper and no role scope: Keycloak puts nothing of the API into the token.
          const clientId = `kcbox-foreign-${suffix()}`;
          const { id } = await admin.clients.create({
            realm: realm.name,
            clientId,
            publicClient: true,
            directAccessGrantsEnabled: true,
            standardFlowEnabled: false,
            fullScopeAllowed: false,
          });
          cleanups.push(() => admin.clients.del({ realm: realm.name, id }));
          return (await passwordGrant(realm, { clientId }, user)).accessToken;
        })
      : Promise.resolve(void (missing['other-client'] = 'kcbox adds a client only to realms it imported')),
    context.ownRealm
      ? attempt('disabled-user', async () => {
          const [original] = await admin.users.find({ realm: realm.name, username: user.username, exact: true });
          if (!original?.id) throw new Error(`user "${user.username}" not found`);
          const username = `kcbox-disabled-${suffix()}`;
          const password = randomBytes(12).toString('base64url');
          const { id } = await admin.users.create({
            realm: realm.name,
            username,
            enabled: true,
            email: `${username}@kcbox.test`,
            emailVerified: true,
            firstName: 'Disabled',
            lastName: 'Later',
            credentials: [{ type: 'password', value: password, temporary: false }],
            // The same attributes and groups as the allowed user (a tenant, a group check).
            ...(original.attributes ? { attributes: original.attributes } : {}),
          });
          cleanups.push(() => admin.users.del({ realm: realm.name, id }));
          for (const group of await admin.users.listGroups({ realm: realm.name, id: original.id, briefRepresentation: true })) {
            if (group.id) await admin.users.addToGroup({ realm: realm.name, id, groupId: group.id });
          }
          // The same roles as the allowed user, so only "disabled" can explain a refusal.
          const mappings = await admin.users.listRoleMappings({ realm: realm.name, id: original.id });
          const realmRoles = (mappings.realmMappings ?? []).flatMap((role) =>
            role.id && role.name ? [{ id: role.id, name: role.name }] : [],
          );
          if (realmRoles.length > 0) await admin.users.addRealmRoleMappings({ realm: realm.name, id, roles: realmRoles });
          for (const client of Object.values(mappings.clientMappings ?? {}) as Array<{
            id?: string;
            mappings?: Array<{ id?: string; name?: string }>;
          }>) {
            const roles = (client.mappings ?? []).flatMap((role) => (role.id && role.name ? [{ id: role.id, name: role.name }] : []));
            if (client.id && roles.length > 0)
              await admin.users.addClientRoleMappings({ realm: realm.name, id, clientUniqueId: client.id, roles });
          }
          const token = (await loginTokens(realm, loginClient, { username, password })).accessToken;
          await admin.users.update({ realm: realm.name, id }, { enabled: false });
          return token;
        })
      : Promise.resolve(void (missing['disabled-user'] = 'kcbox adds a user only to realms it imported')),
  ]);

  return {
    tokens,
    missing,
    failed,
    // Once only: the suite and the run both undo the tokens they were handed.
    cleanup: () =>
      (undone ??= (async () => {
        for (const cleanup of cleanups) await cleanup().catch((error: unknown) => debug('cleanup: %O', error));
      })()),
  };
}
