import { describe, expect, it } from 'vitest';
import { checkMatrix } from '../../harness/check/check-matrix.js';
import { parseMatrixSpec } from '../../harness/matrix/spec-load.js';
import { fixtureClient } from '../../harness/realm/fixtures.js';
import { audiences } from '../../harness/tokens/claims.js';
import { LoginError } from '../../harness/tokens/login-error.js';
import { passwordGrant } from '../../harness/tokens/token-client.js';
import { TokenError } from '../../harness/tokens/token-error.js';
import { type LoginClient, chooseLoginFlow, loginTokens } from '../../harness/tokens/user-login.js';
import { kcboxServer, useIsolatedRealm } from '../../harness/vitest/index.js';
import { runKcbox, sharedServerEnv } from '../support/cli-process.js';
import { useTempDir } from '../support/temp.js';

const REALM_FILE = 'specs/fixtures/code-flow-realm.json';
// Production-like: no client of this realm allows direct access grants.
const realm = useIsolatedRealm(REALM_FILE);
const tempDir = useTempDir();
const client = (clientId: string): LoginClient => fixtureClient(realm().representation, clientId);

describe("logins through Keycloak's login form (authorization code + PKCE)", () => {
  it('a public client without direct access grants: the code flow, with the claims Keycloak issues', async () => {
    const spa = client('spa');
    expect(chooseLoginFlow(spa)).toBe('code');
    // The password grant is really off: the code flow is the only way in.
    await expect(passwordGrant(realm(), spa, { username: 'alice', password: 'alice-password' })).rejects.toThrow(
      'does not allow the password grant',
    );
    const tokens = await loginTokens(realm(), spa, { username: 'alice', password: 'alice-password' });
    expect(tokens.claims).toMatchObject({ iss: realm().issuer, typ: 'Bearer', azp: 'spa', preferred_username: 'alice' });
    expect(tokens.claims.scope?.split(' ')).toContain('openid');
    expect(tokens.claims.realm_access?.roles).toContain('reader');
    expect(tokens.claims.resource_access?.api?.roles).toEqual(['api-admin']);
    expect(audiences(tokens.claims)).toContain('api');
    expect(tokens.idToken).toBeDefined();
    expect(tokens.refreshToken).toBeDefined();
  });

  it('a confidential client with a relative redirect URI: the secret goes with the code', async () => {
    const portal = client('portal');
    const tokens = await loginTokens(realm(), portal, { username: 'alice', password: 'alice-password' });
    expect(tokens.claims).toMatchObject({ azp: 'portal', preferred_username: 'alice' });
    // Without its secret Keycloak refuses the exchange: the secret was what made it pass.
    await expect(
      loginTokens(realm(), { ...portal, clientSecret: 'wrong' }, { username: 'alice', password: 'alice-password' }),
    ).rejects.toBeInstanceOf(TokenError);
  });

  it('a wrong password is a clear error', async () => {
    const error = await loginTokens(realm(), client('spa'), { username: 'alice', password: 'nope' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LoginError);
    expect(error).toMatchObject({ code: 'ERR_KCBOX_LOGIN_CREDENTIALS', page: 'Invalid username or password.' });
    expect((error as Error).message).toMatch(/^Keycloak's login form refused user "alice" \(client "spa", realm "code-flow-[0-9a-f]{8}"\)/);
  });

  it('a required action is a clear error naming it', async () => {
    const error = await loginTokens(realm(), client('spa'), { username: 'bob', password: 'bob-password' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ERR_KCBOX_LOGIN_REQUIRED_ACTION', page: 'UPDATE_PASSWORD' });
    expect((error as Error).message).toContain('Remove "UPDATE_PASSWORD" from the user\'s requiredActions');
  });

  it('a one-time password is a clear error', async () => {
    await expect(loginTokens(realm(), client('spa'), { username: 'frank', password: 'frank-password' })).rejects.toMatchObject({
      code: 'ERR_KCBOX_LOGIN_OTP',
    });
  });

  it('a client that asks consent is a clear error', async () => {
    const error = await loginTokens(realm(), client('consenting'), { username: 'alice', password: 'alice-password' }).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'ERR_KCBOX_LOGIN_CONSENT' });
    expect((error as Error).message).toContain('"consentRequired": false');
  });

  it("a redirect URI the client did not register: Keycloak's error page, in its words", async () => {
    await expect(
      loginTokens(
        realm(),
        { ...client('spa'), redirectUri: 'http://elsewhere.test/cb' },
        { username: 'alice', password: 'alice-password' },
      ),
    ).rejects.toMatchObject({ code: 'ERR_KCBOX_LOGIN_FLOW', page: 'Invalid parameter: redirect_uri' });
  });

  it('a client with neither flow is refused before any request', async () => {
    await expect(loginTokens(realm(), client('machine'), { username: 'alice', password: 'alice-password' })).rejects.toMatchObject({
      code: 'ERR_KCBOX_CLIENT_NOT_FOUND',
      message: expect.stringContaining('allows neither direct access grants nor the standard flow'),
    });
  });

  it('kcbox token reads the client from the live realm and logs in through the form', async () => {
    const env = sharedServerEnv(kcboxServer(), tempDir());
    const alice = await runKcbox(
      ['token', 'alice', '--realm', realm().name, '--client', 'spa', '--password', 'alice-password', '--decode'],
      env,
    );
    expect(alice.stderr).toBe('');
    expect(alice.code).toBe(0);
    expect(JSON.parse(alice.stdout)).toMatchObject({ azp: 'spa', preferred_username: 'alice' });
    // Forcing the password grant asks Keycloak for what the client does not allow.
    const forced = await runKcbox(
      ['token', 'alice', '--realm', realm().name, '--client', 'spa', '--password', 'alice-password', '--flow', 'password'],
      env,
    );
    expect(forced.code).toBe(1);
    expect(forced.stderr).toContain('does not allow the password grant');
    const bob = await runKcbox(['token', 'bob', '--realm', realm().name, '--client', 'spa', '--password', 'bob-password'], env);
    expect(bob.code).toBe(2);
    expect(bob.stderr).toContain('required action UPDATE_PASSWORD');
  });

  it('a matrix whose login client has no direct access grants logs its users in through the form', async () => {
    const raw = (keycloak: Record<string, unknown>) => ({
      keycloak: { realmName: realm().name, client: 'api', loginClient: 'spa', passwords: { alice: 'alice-password' }, ...keycloak },
      backend: { url: 'http://127.0.0.1:9' },
      users: ['alice'],
      endpoints: [{ method: 'GET', path: '/nothing', requires: { role: 'api/api-admin' } }],
    });
    const result = await checkMatrix({ spec: parseMatrixSpec(raw({}), { file: 'code-flow.yaml' }), server: kcboxServer(), hostile: false });
    // Nothing listens at the backend URL: what matters is the token, whose roles made Keycloak's expectation.
    expect(result.cells.map((cell) => `${cell.user} ${cell.expected}`)).toEqual(['alice allow']);
    // With the password grant forced, the spec check says the client cannot do it, before anything runs.
    await expect(
      checkMatrix({
        spec: parseMatrixSpec(raw({ loginFlow: 'password' }), { file: 'forced.yaml' }),
        server: kcboxServer(),
        hostile: false,
      }),
    ).rejects.toThrow(
      'forced.yaml: keycloak.loginClient: client "spa" does not allow direct access grants while the password grant is forced',
    );
  });
});
