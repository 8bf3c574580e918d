import { request } from 'undici';
import { keycloakDispatcher } from '../tls/trust.js';
import { KcboxError, describeError } from '../errors.js';

export interface AdminCredentials {
  readonly username: string;
  readonly password: string;
}

export type AdminLoginResult =
  | { readonly ok: true; readonly accessToken: string }
  | { readonly ok: false; readonly status: number | undefined; readonly reason: string };

/** One password-grant attempt for the admin user at the master realm's admin-cli client; `signal` abandons it. */
export async function tryAdminLogin(
  baseUrl: string,
  credentials: AdminCredentials,
  timeoutMs = 10_000,
  signal?: AbortSignal,
): Promise<AdminLoginResult> {
  try {
    const response = await request(`${baseUrl}/realms/master/protocol/openid-connect/token`, {
      dispatcher: keycloakDispatcher(),
      ...(signal ? { signal } : {}),
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'password',
        client_id: 'admin-cli',
        username: credentials.username,
        password: credentials.password,
      }).toString(),
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    const text = await response.body.text();
    if (response.statusCode === 200) {
      const token = (JSON.parse(text) as { access_token?: unknown }).access_token;
      if (typeof token === 'string') return { ok: true, accessToken: token };
    }
    return { ok: false, status: response.statusCode, reason: `HTTP ${response.statusCode} ${text.slice(0, 200)}` };
  } catch (error) {
    return { ok: false, status: undefined, reason: describeError(error) };
  }
}

/** An admin access token, or an error that says which server and user refused. */
export async function adminLogin(baseUrl: string, credentials: AdminCredentials, signal?: AbortSignal): Promise<string> {
  const result = await tryAdminLogin(baseUrl, credentials, undefined, signal);
  if (result.ok) return result.accessToken;
  if (result.status === undefined) {
    throw new KcboxError(
      'ERR_KCBOX_REMOTE_UNREACHABLE',
      `Keycloak at ${baseUrl} does not answer (${result.reason}). Start it (\`kcbox up --detach\`), or fix KCBOX_URL.`,
    );
  }
  throw new KcboxError(
    'ERR_KCBOX_ADMIN_LOGIN',
    `Admin login as "${credentials.username}" at ${baseUrl}/realms/master failed: ${result.reason}. ` +
      'Check the admin user and password (KCBOX_ADMIN_USER / KCBOX_ADMIN_PASSWORD for a remote server).',
  );
}

/** Keycloak's admin-cli tokens live 60 s by default; a fresh one is fetched well before that. */
const ADMIN_TOKEN_REUSE_MS = 30_000;

/**
 * Admin tokens shared by every admin client of this process (here, without the admin client, so a
 * command can start the login before it loads the rest), per server and admin user: a check
 * connects several times (import, live read, hostile suite, deletes) and each master-realm login
 * costs Keycloak a password hash at the master realm's full strength.
 */
const sharedLogins = new Map<string, { readonly token: Promise<string>; readonly fetchedAt: number }>();

/** `signal` abandons the login if this call starts it (a login started ahead of need, for a command that ended without it). */
export function sharedAdminToken(baseUrl: string, credentials: AdminCredentials, signal?: AbortSignal): Promise<string> {
  const key = JSON.stringify([baseUrl, credentials.username, credentials.password]);
  const cached = sharedLogins.get(key);
  if (cached && Date.now() - cached.fetchedAt < ADMIN_TOKEN_REUSE_MS) return cached.token;
  const token = adminLogin(baseUrl, credentials, signal);
  sharedLogins.set(key, { token, fetchedAt: Date.now() });
  // A refused login is not remembered: the next connection asks again.
  token.catch(() => sharedLogins.get(key)?.token === token && sharedLogins.delete(key));
  return token;
}
