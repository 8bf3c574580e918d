import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { classifyLoginPage, requiredActionOf } from '../../harness/tokens/login-page.js';
import { chooseLoginFlow, loginClientOf, redirectUriFor } from '../../harness/tokens/user-login.js';

// Pages captured from Keycloak 26.7.3 (login theme keycloak.v2) during a code-flow login.
const page = (name: string) => readFileSync(`specs/fixtures/login-pages/${name}.html`, 'utf8');
const pageUrl = 'http://127.0.0.1:8080/realms/pkce-scratch/protocol/openid-connect/auth?client_id=web';

describe('classifyLoginPage', () => {
  it('reads the login form: its absolute action and hidden fields, no error before an attempt', () => {
    const login = classifyLoginPage(page('login'), pageUrl);
    expect(login.kind).toBe('login');
    if (login.kind !== 'login') return;
    expect(login.action).toMatch(
      /^http:\/\/127\.0\.0\.1:8080\/realms\/pkce-scratch\/login-actions\/authenticate\?session_code=.+&execution=/,
    );
    expect(Object.keys(login.fields).sort()).toEqual(['credentialId', 'password', 'username']);
    expect(login.error).toBeUndefined();
  });

  it('reads the message of a refused password', () => {
    expect(classifyLoginPage(page('login-invalid-credentials'), pageUrl)).toMatchObject({
      kind: 'login',
      error: 'Invalid username or password.',
    });
    expect(classifyLoginPage(page('login-invalid-credentials'), pageUrl)).not.toHaveProperty('restarted');
  });

  it("tells Keycloak's restarted login (loginTimeout) from a refused password", () => {
    const restarted = page('login-invalid-credentials').replace(
      'Invalid username or password.',
      'Your login attempt timed out. Login will start from the beginning.',
    );
    expect(classifyLoginPage(restarted, pageUrl)).toMatchObject({ kind: 'login', restarted: true });
  });

  it.each([
    ['update-password', 'UPDATE_PASSWORD'],
    ['configure-totp', 'CONFIGURE_TOTP'],
    ['terms', 'TERMS_AND_CONDITIONS'],
    ['update-profile', 'VERIFY_PROFILE'],
  ])('recognises the required action on %s', (name, action) => {
    expect(classifyLoginPage(page(name), pageUrl)).toEqual({ kind: 'required-action', action });
  });

  it('recognises a required action by its form id when the action URL does not name it', () => {
    const html = page('update-password').replace(/(&amp;)?execution=UPDATE_PASSWORD/g, '');
    expect(classifyLoginPage(html, pageUrl)).toEqual({ kind: 'required-action', action: 'UPDATE_PASSWORD' });
  });

  it('recognises the one-time-password form, the consent screen and the error page', () => {
    expect(classifyLoginPage(page('otp'), pageUrl)).toEqual({ kind: 'otp' });
    expect(classifyLoginPage(page('consent'), pageUrl)).toEqual({ kind: 'consent' });
    expect(classifyLoginPage(page('error'), pageUrl)).toEqual({ kind: 'error', message: 'Invalid parameter: redirect_uri' });
  });

  it('calls anything else unknown, by its title', () => {
    expect(classifyLoginPage('<html><head><title>Pick a colour</title></head><body><form></form></body></html>', pageUrl)).toEqual({
      kind: 'unknown',
      title: 'Pick a colour',
    });
  });
});

describe('requiredActionOf', () => {
  it('reads the alias from a required-action URL and nothing from other URLs', () => {
    expect(requiredActionOf('http://kc/realms/r/login-actions/required-action?execution=OAUTH_GRANT&client_id=web')).toBe('OAUTH_GRANT');
    expect(requiredActionOf('http://kc/realms/r/login-actions/authenticate?execution=UPDATE_PASSWORD')).toBeUndefined();
    expect(requiredActionOf('http://localhost:9/cb?code=1')).toBeUndefined();
  });
});

describe('chooseLoginFlow', () => {
  const client = (fields: Parameters<typeof loginClientOf>[1]) => loginClientOf({ clientId: 'web' }, fields);

  it('uses the password grant where the client allows it and the code flow where it does not', () => {
    expect(chooseLoginFlow(client({ directAccessGrantsEnabled: true }))).toBe('password');
    expect(chooseLoginFlow(client({}))).toBe('code');
    expect(chooseLoginFlow(client({ directAccessGrantsEnabled: false }))).toBe('code');
  });

  it('keeps the password grant for clients whose settings are unknown, and obeys a forced flow', () => {
    expect(chooseLoginFlow({ clientId: 'web' })).toBe('password');
    expect(chooseLoginFlow({ ...client({ directAccessGrantsEnabled: true }), flow: 'code' })).toBe('code');
    expect(chooseLoginFlow({ ...client({}), flow: 'password' })).toBe('password');
  });
});

describe('redirectUriFor', () => {
  const uri = (redirectUris: string[], rootUrl?: string) => redirectUriFor(loginClientOf({ clientId: 'web' }, { redirectUris, rootUrl }));

  it('makes a registered pattern concrete', () => {
    expect(uri(['http://localhost:3000/callback'])).toBe('http://localhost:3000/callback');
    expect(uri(['http://localhost:3000/*'])).toBe('http://localhost:3000/kcbox');
    expect(uri(['/app/*'], 'https://app.example')).toBe('https://app.example/app/kcbox');
    expect(uri(['*'])).toBe('http://localhost/kcbox');
    expect(uri(['com.example.app:/oauth2redirect'])).toBe('com.example.app:/oauth2redirect');
  });

  it('skips what it cannot resolve, and gives none when nothing is left', () => {
    expect(uri(['/relative/*', 'http://localhost:8081/cb'])).toBe('http://localhost:8081/cb');
    expect(uri(['/relative/*'])).toBeUndefined();
    expect(uri([])).toBeUndefined();
  });

  it('prefers an explicit redirect URI', () => {
    expect(redirectUriFor({ clientId: 'web', redirectUris: ['http://a/cb'], redirectUri: 'http://b/cb' })).toBe('http://b/cb');
  });
});
