import KcAdminClient, { NetworkError } from '@keycloak/keycloak-admin-client';
import { describeError } from '../errors.js';
import type { AdminCredentials } from './admin-login.js';
import { adminLogin } from './admin-login.js';
import { keycloakDispatcher } from '../tls/trust.js';

export type AdminClient = KcAdminClient;

/** Keycloak's admin-cli tokens live 60 s by default; a fresh one is fetched well before that. */
const ADMIN_TOKEN_REUSE_MS = 30_000;

/**
 * Admin tokens shared by every admin client of this process, per server and admin user: a check
 * connects several times (import, live read, hostile suite, deletes) and each master-realm login
 * costs Keycloak a password hash at the master realm's full strength.
 */
const sharedLogins = new Map<string, { readonly token: Promise<string>; readonly fetchedAt: number }>();

function sharedAdminToken(baseUrl: string, credentials: AdminCredentials): Promise<string> {
  const key = JSON.stringify([baseUrl, credentials.username, credentials.password]);
  const cached = sharedLogins.get(key);
  if (cached && Date.now() - cached.fetchedAt < ADMIN_TOKEN_REUSE_MS) return cached.token;
  const token = adminLogin(baseUrl, credentials);
  sharedLogins.set(key, { token, fetchedAt: Date.now() });
  // A refused login is not remembered: the next connection asks again.
  token.catch(() => sharedLogins.get(key)?.token === token && sharedLogins.delete(key));
  return token;
}

/**
 * An admin client logged in at the master realm, for the realm-level admin operations. Its token
 * is shared with the process's other admin clients of that server and user, and fetched again
 * once older than 30 s, so a check that runs for minutes keeps its access.
 */
export async function connectAdmin(baseUrl: string, credentials: AdminCredentials): Promise<AdminClient> {
  // The admin client calls the global fetch, which takes an undici dispatcher as a request option.
  const requestOptions = { dispatcher: keycloakDispatcher() } as unknown as RequestInit;
  const client = new KcAdminClient({ baseUrl, realmName: 'master', requestOptions });
  client.registerTokenProvider({ getAccessToken: () => sharedAdminToken(baseUrl, credentials) });
  client.setAccessToken(await sharedAdminToken(baseUrl, credentials));
  return client;
}

/** Keycloak's own words from a failed admin call (`errorMessage`, `error_description`…), else the error's message. */
export function keycloakMessage(error: unknown): string {
  if (error instanceof NetworkError) {
    const data = error.responseData as { errorMessage?: unknown; error_description?: unknown; error?: unknown } | string | undefined;
    const status = error.response?.status;
    if (typeof data === 'string' && data.trim()) return `HTTP ${status}: ${data.trim().slice(0, 500)}`;
    if (data && typeof data === 'object') {
      const said = data.errorMessage ?? data.error_description ?? data.error;
      if (typeof said === 'string') return `HTTP ${status}: ${said}`;
    }
    return `HTTP ${status}: ${error.message}`;
  }
  return describeError(error);
}
