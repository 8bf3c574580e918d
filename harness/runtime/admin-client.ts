import KcAdminClient, { NetworkError } from '@keycloak/keycloak-admin-client';
import { describeError } from '../errors.js';
import { type AdminCredentials, sharedAdminToken } from './admin-login.js';
import { keycloakDispatcher } from '../tls/trust.js';

export type AdminClient = KcAdminClient;

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
