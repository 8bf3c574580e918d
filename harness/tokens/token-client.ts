import { request } from 'undici';
import { keycloakDispatcher } from '../tls/trust.js';
import { KcboxError, describeError } from '../errors.js';
import { type GrantedPermission, type KeycloakTokenClaims, decodeClaims } from './claims.js';
import { TokenError, type TokenRequestContext, explainTokenError } from './token-error.js';

/** Where tokens come from: a realm's token endpoint (a {@link RealmHandle} fits). */
export interface TokenRealm {
  readonly name: string;
  readonly tokenUrl: string;
}

export interface OAuthClient {
  readonly clientId: string;
  /** Confidential clients only. */
  readonly clientSecret?: string | undefined;
}

export interface UserCredentials {
  readonly username: string;
  readonly password: string;
}

/** A token response with its decoded access-token claims. */
export interface TokenSet {
  readonly accessToken: string;
  readonly refreshToken: string | undefined;
  readonly idToken: string | undefined;
  /** Epoch milliseconds at which the access token expires. */
  readonly expiresAt: number;
  readonly claims: KeycloakTokenClaims;
}

export interface UmaRequest {
  /** The resource server's client id, e.g. `inventory-api`. */
  readonly audience: string;
  /** `Resource#scope`, `Resource`, or `#scope`; none asks for everything the user may do. */
  readonly permissions?: readonly string[];
}

interface TokenResponse {
  access_token?: string;
  refresh_token?: string;
  id_token?: string;
  expires_in?: number;
  error?: string;
  error_description?: string;
}

async function post(
  realm: TokenRealm,
  form: Record<string, string | readonly string[]>,
  context: TokenRequestContext,
  bearer?: string,
): Promise<{ status: number; body: unknown }> {
  const body = new URLSearchParams();
  for (const [name, value] of Object.entries(form)) {
    for (const item of typeof value === 'string' ? [value] : value) body.append(name, item);
  }
  try {
    const response = await request(realm.tokenUrl, {
      dispatcher: keycloakDispatcher(),
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
      body: body.toString(),
      headersTimeout: 30_000,
      bodyTimeout: 30_000,
    });
    const text = await response.body.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // Non-JSON answers (a proxy's error page) are reported as they are.
    }
    return { status: response.statusCode, body: parsed };
  } catch (error) {
    throw new KcboxError(
      'ERR_KCBOX_REMOTE_UNREACHABLE',
      `Token endpoint ${realm.tokenUrl} (${context.grant} grant) does not answer: ${describeError(error)}.`,
      { cause: error },
    );
  }
}

function refused(status: number, body: unknown, context: TokenRequestContext): TokenError {
  const { error, error_description: description } = (typeof body === 'object' && body !== null ? body : {}) as TokenResponse;
  return new TokenError(explainTokenError(status, error, description, context), status, error, description);
}

function toTokenSet(status: number, body: unknown, context: TokenRequestContext, now: number): TokenSet {
  const response = body as TokenResponse;
  if (status !== 200 || typeof response?.access_token !== 'string') throw refused(status, body, context);
  const claims = decodeClaims(response.access_token);
  const expiresAt = claims.exp !== undefined ? claims.exp * 1000 : now + (response.expires_in ?? 60) * 1000;
  return { accessToken: response.access_token, refreshToken: response.refresh_token, idToken: response.id_token, expiresAt, claims };
}

function clientForm(client: OAuthClient): Record<string, string> {
  return { client_id: client.clientId, ...(client.clientSecret ? { client_secret: client.clientSecret } : {}) };
}

/** Resource-owner password grant: a fixture user's tokens (access, refresh, and ID with `openid`). */
export async function passwordGrant(
  realm: TokenRealm,
  client: OAuthClient,
  user: UserCredentials,
  options: { scope?: string } = {},
): Promise<TokenSet> {
  const context = { realm: realm.name, grant: 'password', clientId: client.clientId, username: user.username };
  const { status, body } = await post(
    realm,
    { grant_type: 'password', ...clientForm(client), username: user.username, password: user.password, scope: options.scope ?? 'openid' },
    context,
  );
  return toTokenSet(status, body, context, Date.now());
}

/** The authorization code Keycloak's login form redirected with, and what proves this caller asked for it. */
export interface AuthorizationCode {
  readonly code: string;
  /** The redirect URI the code was issued to, exactly as the authorization request sent it. */
  readonly redirectUri: string;
  /** The PKCE verifier whose S256 challenge the authorization request carried. */
  readonly codeVerifier: string;
}

/** Authorization-code grant with PKCE: exchanges a code from Keycloak's login form for the user's tokens. */
export async function authorizationCodeGrant(
  realm: TokenRealm,
  client: OAuthClient,
  code: AuthorizationCode,
  username?: string,
): Promise<TokenSet> {
  const context = { realm: realm.name, grant: 'authorization_code', clientId: client.clientId, ...(username ? { username } : {}) };
  const { status, body } = await post(
    realm,
    {
      grant_type: 'authorization_code',
      ...clientForm(client),
      code: code.code,
      redirect_uri: code.redirectUri,
      code_verifier: code.codeVerifier,
    },
    context,
  );
  return toTokenSet(status, body, context, Date.now());
}

/** Client-credentials grant: the client's service account; `scope` asks for optional client scopes too. */
export async function clientCredentialsGrant(realm: TokenRealm, client: OAuthClient, options: { scope?: string } = {}): Promise<TokenSet> {
  const context = { realm: realm.name, grant: 'client_credentials', clientId: client.clientId };
  const { status, body } = await post(
    realm,
    { grant_type: 'client_credentials', ...clientForm(client), ...(options.scope ? { scope: options.scope } : {}) },
    context,
  );
  return toTokenSet(status, body, context, Date.now());
}

export async function refreshGrant(realm: TokenRealm, client: OAuthClient, refreshToken: string): Promise<TokenSet> {
  const context = { realm: realm.name, grant: 'refresh_token', clientId: client.clientId };
  const { status, body } = await post(realm, { grant_type: 'refresh_token', ...clientForm(client), refresh_token: refreshToken }, context);
  return toTokenSet(status, body, context, Date.now());
}

const UMA_GRANT = 'urn:ietf:params:oauth:grant-type:uma-ticket';

function umaForm(uma: UmaRequest, mode?: 'decision' | 'permissions'): Record<string, string | readonly string[]> {
  return {
    grant_type: UMA_GRANT,
    audience: uma.audience,
    ...(uma.permissions?.length ? { permission: uma.permissions } : {}),
    ...(mode ? { response_mode: mode } : {}),
  };
}

function umaContext(realm: TokenRealm, accessToken: string, uma: UmaRequest): TokenRequestContext {
  const username = decodeClaims(accessToken).preferred_username;
  return { realm: realm.name, grant: 'UMA', audience: uma.audience, ...(username ? { username } : {}) };
}

/** A requesting party token: the user's access token exchanged for one that lists the granted permissions. */
export async function rptGrant(realm: TokenRealm, accessToken: string, uma: UmaRequest): Promise<TokenSet> {
  const context = umaContext(realm, accessToken, uma);
  const { status, body } = await post(realm, umaForm(uma), context, accessToken);
  return toTokenSet(status, body, context, Date.now());
}

/** Keycloak's yes/no policy decision for the permissions asked (`response_mode=decision`). */
export async function umaDecision(realm: TokenRealm, accessToken: string, uma: UmaRequest): Promise<boolean> {
  const context = umaContext(realm, accessToken, uma);
  const { status, body } = await post(realm, umaForm(uma, 'decision'), context, accessToken);
  if (status === 200 && (body as { result?: unknown }).result === true) return true;
  if (status === 403 && (body as TokenResponse).error === 'access_denied') return false;
  throw refused(status, body, context);
}

/** The permissions Keycloak grants (`response_mode=permissions`); empty when it grants none. */
export async function umaPermissions(realm: TokenRealm, accessToken: string, uma: UmaRequest): Promise<GrantedPermission[]> {
  const context = umaContext(realm, accessToken, uma);
  const { status, body } = await post(realm, umaForm(uma, 'permissions'), context, accessToken);
  if (status === 200 && Array.isArray(body)) return body as GrantedPermission[];
  if (status === 403 && (body as TokenResponse).error === 'access_denied') return [];
  throw refused(status, body, context);
}
