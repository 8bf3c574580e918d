import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { audiences, decodeClaims, grantedScopes } from '../../harness/tokens/claims.js';
import { TokenCache } from '../../harness/tokens/token-cache.js';
import type { TokenSet } from '../../harness/tokens/token-client.js';
import { explainTokenError } from '../../harness/tokens/token-error.js';

const context = { realm: 'inventory', grant: 'password', clientId: 'inventory-web', username: 'dave', audience: 'inventory-api' };

describe('explainTokenError', () => {
  it.each([
    [401, 'invalid_grant', 'Invalid user credentials', 'Wrong password for user "dave" in realm "inventory" (or no such user).'],
    [400, 'invalid_grant', 'Account disabled', 'User "dave" is disabled in realm "inventory": no token can be issued.'],
    [
      400,
      'invalid_grant',
      'Account is not fully set up',
      'User "dave" cannot log in to realm "inventory": the account is not fully set up',
    ],
    [
      400,
      'unauthorized_client',
      'Client not allowed for direct access grants',
      'Client "inventory-web" in realm "inventory" does not allow the password grant',
    ],
    [
      401,
      'unauthorized_client',
      'Invalid client or Invalid client credentials',
      'Client "inventory-web" in realm "inventory" was refused (unauthorized_client: Invalid client or Invalid client credentials): check the client id and secret.',
    ],
    [
      403,
      'access_denied',
      'not_authorized',
      'Permission denied: Keycloak\'s policies grant user "dave" nothing of what was asked at resource server "inventory-api"',
    ],
    [
      400,
      'invalid_scope',
      'Invalid scopes: inventory:fly',
      'Resource server "inventory-api" in realm "inventory" does not know what was asked',
    ],
    [404, 'Realm does not exist', undefined, 'Realm "inventory" does not exist on this server'],
    [502, undefined, undefined, 'Keycloak refused the password grant in realm "inventory" with HTTP 502.'],
  ])('HTTP %d %s %s', (status, error, description, expected) => {
    expect(explainTokenError(status, error, description, context)).toContain(expected);
  });

  it('names the client when a login asks for OAuth scopes it does not offer', () => {
    expect(
      explainTokenError(400, 'invalid_scope', 'Invalid scopes: openid reports.fly', {
        realm: 'reports',
        grant: 'client_credentials',
        clientId: 'nightly-job',
      }),
    ).toBe(
      'Client "nightly-job" in realm "reports" does not offer the OAuth scopes asked (invalid_scope: Invalid scopes: openid reports.fly): make each a default or optional client scope of the client.',
    );
  });
});

async function jwt(claims: Record<string, unknown>): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode('k'.repeat(32)));
}

describe('claims', () => {
  it('decodes, lists audiences and granted scopes', async () => {
    const claims = decodeClaims(
      await jwt({
        iss: 'http://kc/realms/r',
        aud: 'inventory-api',
        authorization: { permissions: [{ rsname: 'Inventory', scopes: ['inventory:view', 'inventory:add'] }] },
      }),
    );
    expect(audiences(claims)).toEqual(['inventory-api']);
    expect(audiences({ iss: 'x', aud: ['a', 'b'] })).toEqual(['a', 'b']);
    expect(audiences({ iss: 'x' })).toEqual([]);
    expect(grantedScopes(claims)).toEqual(['Inventory#inventory:view', 'Inventory#inventory:add']);
  });
});

describe('TokenCache', () => {
  const tokens = (expiresAt: number, accessToken = `t${expiresAt}`): TokenSet => ({
    accessToken,
    refreshToken: undefined,
    idToken: undefined,
    expiresAt,
    claims: { iss: 'x' },
  });
  const key = { issuer: 'http://kc/realms/a', clientId: 'web', username: 'alice', kind: 'access' as const };

  it('mints once per key and reuses the token while it is fresh', async () => {
    let now = 1_000_000;
    const cache = new TokenCache({ clock: () => now, renewBeforeMs: 30_000 });
    let mints = 0;
    const mint = async () => tokens(now + 300_000, `token-${++mints}`);
    expect((await cache.get(key, mint)).accessToken).toBe('token-1');
    now += 200_000;
    expect((await cache.get(key, mint)).accessToken).toBe('token-1');
    // Within the renewal window: a new one is minted.
    now += 75_000;
    expect((await cache.get(key, mint)).accessToken).toBe('token-2');
    expect(mints).toBe(2);
  });

  it('keeps realms, clients, users and kinds apart', async () => {
    const cache = new TokenCache({ clock: () => 0 });
    let mints = 0;
    const mint = async () => tokens(1e9, `token-${++mints}`);
    await cache.get(key, mint);
    await cache.get({ ...key, issuer: 'http://kc/realms/b' }, mint);
    await cache.get({ ...key, clientId: 'api' }, mint);
    await cache.get({ ...key, username: 'bob' }, mint);
    await cache.get({ ...key, kind: 'rpt' }, mint);
    expect(mints).toBe(5);
  });

  it('shares one mint between concurrent callers, and does not keep a refusal', async () => {
    const cache = new TokenCache({ clock: () => 0 });
    let mints = 0;
    const slow = async () => {
      mints++;
      await new Promise((resolve) => setTimeout(resolve, 20));
      return tokens(1e9);
    };
    await Promise.all([cache.get(key, slow), cache.get(key, slow), cache.get(key, slow)]);
    expect(mints).toBe(1);
    const other = { ...key, username: 'dave' };
    await expect(cache.get(other, async () => Promise.reject(new Error('Account disabled')))).rejects.toThrow('Account disabled');
    expect((await cache.get(other, async () => tokens(1e9, 'later'))).accessToken).toBe('later');
  });
});
