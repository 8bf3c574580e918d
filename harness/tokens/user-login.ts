import { KcboxError } from '../errors.js';
import { codeFlowLogin } from './code-flow.js';
import { type OAuthClient, type TokenRealm, type TokenSet, type UserCredentials, passwordGrant } from './token-client.js';

/**
 * How kcbox logs a password user in: `password` is the resource-owner password grant (needs
 * direct access grants), `code` Keycloak's login form with the authorization-code flow and PKCE,
 * `auto` the password grant where the client allows it and the code flow where it does not.
 */
export type LoginFlow = 'auto' | 'password' | 'code';

export const LOGIN_FLOWS: readonly LoginFlow[] = ['auto', 'password', 'code'];

/** A client users log in with, and what Keycloak lets it do (as its client representation says). */
export interface LoginClient extends OAuthClient {
  /** Keycloak's `directAccessGrantsEnabled`; unknown means the password grant is tried. */
  readonly directAccessGrantsEnabled?: boolean | undefined;
  /** Keycloak's `standardFlowEnabled` (default true). */
  readonly standardFlowEnabled?: boolean | undefined;
  readonly redirectUris?: readonly string[] | undefined;
  /** Relative redirect URIs are relative to it. */
  readonly rootUrl?: string | undefined;
  /** Default `auto`. */
  readonly flow?: LoginFlow | undefined;
  /** A redirect URI to use instead of one picked from `redirectUris`. */
  readonly redirectUri?: string | undefined;
}

/** The fields of a Keycloak client representation (realm file or admin API) that {@link LoginClient} reads. */
export interface ClientFlowFields {
  readonly clientId?: string | undefined;
  readonly directAccessGrantsEnabled?: boolean | undefined;
  readonly standardFlowEnabled?: boolean | undefined;
  readonly redirectUris?: readonly string[] | undefined;
  readonly rootUrl?: string | undefined;
}

/** A client's login settings from its representation, with its credentials. */
export function loginClientOf(credentials: OAuthClient, representation: ClientFlowFields): LoginClient {
  return {
    ...credentials,
    // Keycloak's defaults for a client created without these fields.
    directAccessGrantsEnabled: representation.directAccessGrantsEnabled === true,
    standardFlowEnabled: representation.standardFlowEnabled !== false,
    redirectUris: representation.redirectUris ?? [],
    ...(representation.rootUrl ? { rootUrl: representation.rootUrl } : {}),
  };
}

/** The flow {@link loginTokens} uses for this client: the one place that decides it. */
export function chooseLoginFlow(client: LoginClient): 'password' | 'code' {
  const flow = client.flow ?? 'auto';
  if (flow !== 'auto') return flow;
  return client.directAccessGrantsEnabled === false ? 'code' : 'password';
}

/**
 * A concrete redirect URI the client registered: relative ones resolved against `rootUrl`, a
 * trailing wildcard replaced by `kcbox`. Nothing needs to listen there.
 */
export function redirectUriFor(client: LoginClient): string | undefined {
  if (client.redirectUri) return client.redirectUri;
  for (const registered of client.redirectUris ?? []) {
    if (registered === '*' || registered === '/*')
      return client.rootUrl ? new URL('/kcbox', client.rootUrl).toString() : 'http://localhost/kcbox';
    const concrete = registered.endsWith('*') ? `${registered.slice(0, -1)}kcbox` : registered;
    if (concrete.startsWith('/')) {
      if (client.rootUrl && !client.rootUrl.includes('${')) return new URL(concrete, client.rootUrl).toString();
      continue;
    }
    if (URL.canParse(concrete)) return concrete;
  }
  return undefined;
}

/**
 * Why kcbox cannot log users in with this client by the flow it would choose, in words that say
 * what to change; undefined when it can (as far as the client's settings tell).
 */
export function loginClientProblem(client: LoginClient): string | undefined {
  if (chooseLoginFlow(client) === 'password') {
    return client.directAccessGrantsEnabled === false
      ? 'does not allow direct access grants while the password grant is forced: set "directAccessGrantsEnabled": true, or let kcbox use the login form (loginFlow auto or code)'
      : undefined;
  }
  if (client.standardFlowEnabled === false) {
    return client.directAccessGrantsEnabled === false
      ? 'allows neither direct access grants nor the standard flow: enable one of them, or log users in with another client'
      : 'does not allow the standard flow (authorization code) while the login form is forced: set "standardFlowEnabled": true, or use the password grant';
  }
  if (!redirectUriFor(client)) {
    return 'registers no redirect URI kcbox can use for the authorization-code flow: add one to its "redirectUris" (nothing needs to listen there), or give one (--redirect-uri)';
  }
  return undefined;
}

/**
 * A password user's tokens, by the flow {@link chooseLoginFlow} picks: the password grant, or
 * Keycloak's login form (authorization code + PKCE) for clients without direct access grants,
 * as production realms have them.
 *
 * @throws TokenError when Keycloak refuses a grant; LoginError when its login form stops short
 *   of a code; KcboxError `ERR_KCBOX_CLIENT_NOT_FOUND` when the client allows no flow kcbox can use.
 */
export async function loginTokens(
  realm: TokenRealm,
  client: LoginClient,
  user: UserCredentials,
  options: { scope?: string } = {},
): Promise<TokenSet> {
  const credentials: OAuthClient = { clientId: client.clientId, clientSecret: client.clientSecret };
  if (chooseLoginFlow(client) === 'password') return passwordGrant(realm, credentials, user, options);
  const problem = loginClientProblem(client);
  const redirectUri = redirectUriFor(client);
  if (problem || !redirectUri) {
    throw new KcboxError(
      'ERR_KCBOX_CLIENT_NOT_FOUND',
      `Client "${client.clientId}" in realm "${realm.name}" ${problem ?? 'cannot log users in'}, so kcbox cannot log "${user.username}" in with it.`,
    );
  }
  return codeFlowLogin(realm, credentials, user, { redirectUri, scope: options.scope });
}
