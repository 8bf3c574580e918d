import KcAdminClient, { NetworkError } from '@keycloak/keycloak-admin-client';
import { describeError } from '../errors.js';
import type { AdminCredentials } from './admin-login.js';
import { adminLogin } from './admin-login.js';
import { keycloakDispatcher } from '../tls/trust.js';

export type AdminClient = KcAdminClient;

/** Keycloak's admin-cli tokens live 60 s by default; a fresh one is fetched well before that. */
const ADMIN_TOKEN_REUSE_MS = 30_000;

/**
 * An admin client logged in at the master realm, for the realm-level admin operations. It logs in
 * again whenever its token is older than 30 s, so a check that runs for minutes keeps its access.
 */
export async function connectAdmin(baseUrl: string, credentials: AdminCredentials): Promise<AdminClient> {
  // The admin client calls the global fetch, which takes an undici dispatcher as a request option.
  const requestOptions = { dispatcher: keycloakDispatcher() } as unknown as RequestInit;
  const client = new KcAdminClient({ baseUrl, realmName: 'master', requestOptions });
  let token = await adminLogin(baseUrl, credentials);
  let fetchedAt = Date.now();
  let refreshing: Promise<string> | undefined;
  client.registerTokenProvider({
    async getAccessToken() {
      if (Date.now() - fetchedAt < ADMIN_TOKEN_REUSE_MS) return token;
      refreshing ??= adminLogin(baseUrl, credentials).finally(() => (refreshing = undefined));
      token = await refreshing;
      fetchedAt = Date.now();
      return token;
    },
  });
  client.setAccessToken(token);
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
