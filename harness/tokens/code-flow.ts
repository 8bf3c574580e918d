import { createHash, randomBytes } from 'node:crypto';
import createDebug from 'debug';
import { CookieJar } from 'tough-cookie';
import { request } from 'undici';
import { KcboxError, describeError } from '../errors.js';
import { keycloakDispatcher } from '../tls/trust.js';
import { LoginError } from './login-error.js';
import { type LoginPage, classifyLoginPage, requiredActionOf } from './login-page.js';
import { type OAuthClient, type TokenRealm, type TokenSet, type UserCredentials, authorizationCodeGrant } from './token-client.js';

const debug = createDebug('kcbox:tokens');

/** Redirects and pages between the authorization request and the code; a normal login takes one or two. */
const MAX_STEPS = 8;

export interface CodeFlowOptions {
  /** A redirect URI the client registered; nothing needs to listen there, kcbox reads the code from `Location`. */
  readonly redirectUri: string;
  /** Default `openid`. */
  readonly scope?: string | undefined;
}

/** `…/protocol/openid-connect/token` → `…/protocol/openid-connect/auth`. */
export function authorizationUrl(realm: TokenRealm): string {
  return realm.tokenUrl.replace(/\/token$/, '/auth');
}

const base64url = (bytes: Buffer) => bytes.toString('base64url');

interface Answer {
  readonly url: string;
  readonly status: number;
  readonly location: string | undefined;
  readonly body: string;
}

/** One browser-less session: a cookie jar and requests that never follow redirects on their own. */
function session(realm: TokenRealm) {
  const jar = new CookieJar();
  return async (url: string, form?: Record<string, string>): Promise<Answer> => {
    const cookie = await jar.getCookieString(url);
    let response;
    try {
      response = await request(url, {
        // Keycloak over https with kcbox's CA: the login form is Keycloak too.
        dispatcher: keycloakDispatcher(),
        method: form ? 'POST' : 'GET',
        headers: {
          accept: 'text/html',
          ...(cookie ? { cookie } : {}),
          ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        },
        ...(form ? { body: new URLSearchParams(form).toString() } : {}),
        headersTimeout: 30_000,
        bodyTimeout: 30_000,
      });
    } catch (error) {
      throw new KcboxError(
        'ERR_KCBOX_REMOTE_UNREACHABLE',
        `Keycloak's login page ${url.split('?')[0]} (realm "${realm.name}") does not answer: ${describeError(error)}.`,
        { cause: error },
      );
    }
    const setCookie = response.headers['set-cookie'];
    for (const header of setCookie === undefined ? [] : Array.isArray(setCookie) ? setCookie : [setCookie]) {
      await jar.setCookie(header, url, { ignoreError: true });
    }
    const location = response.headers.location;
    return {
      url,
      status: response.statusCode,
      location: typeof location === 'string' ? new URL(location, url).toString() : undefined,
      body: await response.body.text(),
    };
  };
}

const sameEndpoint = (a: URL, b: URL) => a.protocol === b.protocol && a.host === b.host && a.pathname === b.pathname;

/**
 * Logs a user in through Keycloak's own login form, without a browser: the authorization-code
 * flow with PKCE (S256). GETs the authorization endpoint, fills in the login form, follows
 * Keycloak's redirects until one goes to `redirectUri`, and exchanges the code from that
 * `Location` (with the client's secret when it is confidential).
 *
 * @throws LoginError when the form asks for what kcbox cannot give (a required action, a
 *   one-time password, consent), refuses the password, or shows an error page.
 */
export async function codeFlowLogin(
  realm: TokenRealm,
  client: OAuthClient,
  user: UserCredentials,
  options: CodeFlowOptions,
): Promise<TokenSet> {
  const fetchPage = session(realm);
  const verifier = base64url(randomBytes(32));
  const state = base64url(randomBytes(16));
  const query = new URLSearchParams({
    client_id: client.clientId,
    response_type: 'code',
    redirect_uri: options.redirectUri,
    scope: options.scope ?? 'openid',
    state,
    nonce: base64url(randomBytes(16)),
    code_challenge: base64url(createHash('sha256').update(verifier).digest()),
    code_challenge_method: 'S256',
  });
  const redirect = new URL(options.redirectUri);
  const who = `user "${user.username}" (client "${client.clientId}", realm "${realm.name}")`;

  let answer = await fetchPage(`${authorizationUrl(realm)}?${query}`);
  let submitted = false;
  let restarts = 0;
  for (let step = 0; step < MAX_STEPS; step++) {
    // Origin and path only: the query carries the code, the state and Keycloak's session ids.
    debug('code flow for %s: %d %s', user.username, answer.status, (answer.location ?? answer.url).split('?')[0]);
    if (answer.location) {
      const target = new URL(answer.location);
      if (sameEndpoint(target, redirect)) {
        const returned = target.searchParams;
        const error = returned.get('error');
        if (error) {
          const said = [error, returned.get('error_description')].filter(Boolean).join(': ');
          throw new LoginError(
            'ERR_KCBOX_LOGIN_FLOW',
            `Keycloak's login for ${who} ended with an error instead of a code (${said}).`,
            said,
          );
        }
        const code = returned.get('code');
        if (!code || returned.get('state') !== state) {
          throw new LoginError(
            'ERR_KCBOX_LOGIN_FLOW',
            `Keycloak redirected ${who} to ${options.redirectUri} without a code for this login (no code, or another state).`,
            code ? 'a code for another state' : 'no code',
          );
        }
        return authorizationCodeGrant(realm, client, { code, redirectUri: options.redirectUri, codeVerifier: verifier }, user.username);
      }
      const action = requiredActionOf(answer.location);
      if (action) throw blocked({ kind: action === 'OAUTH_GRANT' ? 'consent' : 'required-action', action }, who);
      answer = await fetchPage(answer.location);
      continue;
    }
    const page = classifyLoginPage(answer.body, answer.url);
    if (page.kind === 'login' && !submitted) {
      submitted = true;
      answer = await fetchPage(page.action, { ...page.fields, username: user.username, password: user.password });
      continue;
    }
    // Keycloak lost the login's session between the form and its answer (seen once on a loaded
    // machine) and says the login starts again: a browser's user would do just that, once.
    if (page.kind === 'login' && page.restarted && restarts < 1) {
      restarts += 1;
      submitted = false;
      debug('code flow for %s: Keycloak restarted the login (%s)', user.username, page.error);
      answer = await fetchPage(`${authorizationUrl(realm)}?${query}`);
      continue;
    }
    throw blocked(page, who, answer.status);
  }
  throw new LoginError('ERR_KCBOX_LOGIN_FLOW', `Keycloak's login for ${who} went through ${MAX_STEPS} pages without a code.`, answer.url);
}

/** The error for a page that is not the way to a code, saying what the user or the realm must change. */
function blocked(page: LoginPage | { kind: 'required-action' | 'consent'; action: string }, who: string, status?: number): LoginError {
  switch (page.kind) {
    case 'login':
      return new LoginError(
        'ERR_KCBOX_LOGIN_CREDENTIALS',
        `Keycloak's login form refused ${who}: "${page.error ?? 'no message'}". Check the password (realm file credentials or keycloak.passwords / --password), and that the user exists and is enabled.`,
        page.error ?? '',
      );
    case 'required-action':
      return new LoginError(
        'ERR_KCBOX_LOGIN_REQUIRED_ACTION',
        `Keycloak asks ${who} to complete the required action ${page.action} before it issues a code; kcbox does not fill in such forms. Remove "${page.action}" from the user's requiredActions (for VERIFY_PROFILE, give the user an email, first and last name), or disable that required action in the realm.`,
        page.action,
      );
    case 'otp':
      return new LoginError(
        'ERR_KCBOX_LOGIN_OTP',
        `Keycloak asks ${who} for a one-time password; kcbox logs in with a password only. Use a fixture user without an OTP credential, or a browser flow without the OTP step for this client.`,
        'otp',
      );
    case 'consent':
      return new LoginError(
        'ERR_KCBOX_LOGIN_CONSENT',
        `Keycloak asks ${who} to consent to the client's access; kcbox does not grant consent. Set "consentRequired": false on the client, or grant the consent once in the user's account console.`,
        'consent',
      );
    case 'error':
      return new LoginError(
        'ERR_KCBOX_LOGIN_FLOW',
        `Keycloak's login page for ${who} shows an error${status ? ` (HTTP ${status})` : ''}: "${page.message}". Check that the client allows the standard flow and registers the redirect URI kcbox used.`,
        page.message,
      );
    case 'unknown':
      return new LoginError(
        'ERR_KCBOX_LOGIN_FLOW',
        `Keycloak's login for ${who} stopped at a page kcbox does not know ("${page.title}"${status ? `, HTTP ${status}` : ''}). A custom authentication flow or login theme may ask for more than a password.`,
        page.title,
      );
  }
}
