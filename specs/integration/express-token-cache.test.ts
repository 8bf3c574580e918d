import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { startBackend } from '../../harness/matrix/backend-process.js';
import { bundledRealmPath } from '../../harness/realm/bundled.js';
import { fixtureClient, fixturePassword } from '../../harness/realm/fixtures.js';
import type { RealmRepresentation } from '../../harness/realm/realm-input.js';
import { passwordGrant } from '../../harness/tokens/token-client.js';
import { useIsolatedRealm } from '../../harness/vitest/index.js';

// Access tokens that live 2 s: the example accepts them up to its 5 s clock tolerance after exp.
const LIFESPAN_S = 2;
const TOLERANCE_S = 5;
const realm = useIsolatedRealm({
  ...(JSON.parse(readFileSync(bundledRealmPath(), 'utf8')) as RealmRepresentation),
  accessTokenLifespan: LIFESPAN_S,
});

async function statusOf(url: string, token: string): Promise<number> {
  const response = await request(url, { headers: { authorization: `Bearer ${token}` } });
  await response.body.dump();
  return response.statusCode;
}

describe("the Express example's cache of verified tokens (real Keycloak, real backend)", () => {
  it('serves a token it verified before, verifies any altered copy afresh, and drops it once expired', async () => {
    const representation = realm().representation;
    const client = fixtureClient(representation, 'inventory-api');
    await using backend = await startBackend(
      {
        command: 'node server.mjs',
        image: undefined,
        cwd: resolve('examples/express-inventory'),
        url: 'http://127.0.0.1:${PORT}',
        env: {},
        readyPath: '/health',
        readyTimeoutMs: 30_000,
      },
      {
        KEYCLOAK_URL: realm().serverUrl,
        KEYCLOAK_REALM: realm().name,
        KEYCLOAK_ISSUER: realm().issuer,
        KEYCLOAK_CLIENT_ID: 'inventory-api',
        KEYCLOAK_CLIENT_SECRET: client.clientSecret ?? '',
        KEYCLOAK_PUBLIC_KEY: '',
      },
    );
    const { accessToken } = await passwordGrant(realm(), client, {
      username: 'alice',
      password: fixturePassword(representation, 'alice') ?? '',
    });
    const url = `${backend.url}/api/inventory`;
    expect(await statusOf(url, accessToken)).toBe(200);
    expect(await statusOf(url, accessToken)).toBe(200);

    // Once the genuine token is cached, a copy with another signature or payload is still refused.
    const [header, payload, signature] = accessToken.split('.') as [string, string, string];
    const flipped = (part: string) => `${part.slice(0, -2)}${part.at(-2) === 'A' ? 'B' : 'A'}${part.at(-1)}`;
    expect(await statusOf(url, `${header}.${payload}.${flipped(signature)}`)).toBe(401);
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    const later = Buffer.from(JSON.stringify({ ...claims, exp: Number(claims.exp) + 3600 })).toString('base64url');
    expect(await statusOf(url, `${header}.${later}.${signature}`)).toBe(401);

    // Past exp and the tolerance, the cached token is refused like any expired one.
    const expiredAt = (Number(claims.exp) + TOLERANCE_S + 1) * 1000;
    await new Promise((done) => setTimeout(done, Math.max(0, expiredAt - Date.now())));
    expect(await statusOf(url, accessToken)).toBe(401);
    expect(await backend.output()).not.toContain(' 500');
  });
});
