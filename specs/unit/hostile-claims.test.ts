import { type JWTPayload, jwtVerify } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { forgeAttempts, unforgeableCases } from '../../harness/hostile/forge-attempts.js';
import type { ForgeMaterial, HostileAttempt } from '../../harness/hostile/types.js';
import {
  type HostileFixture,
  NOW,
  NOW_MS,
  SIGNING_KID,
  VALID_CLAIMS,
  attemptsFor,
  bearerToken,
  hostileFixture,
} from '../support/hostile-material.js';

const RESIGNED = ['expired', 'not-yet-valid', 'iat-future', 'exp-missing'];
const KEYCLOAK_TOKENS = ['other-realm', 'other-client', 'id-token', 'refresh-token', 'revoked-session', 'disabled-user'] as const;

let fixture: HostileFixture;
let attempts: HostileAttempt[];

beforeAll(async () => {
  fixture = await hostileFixture();
  attempts = await forgeAttempts(fixture.material, [...RESIGNED, ...KEYCLOAK_TOKENS]);
});

/** Verifies signature, issuer and alg only: the time claims are what the test inspects. */
async function verifiedClaims(caseId: string): Promise<{ payload: JWTPayload; kid: string | undefined }> {
  const [attempt] = attemptsFor(attempts, caseId);
  const { payload, protectedHeader } = await jwtVerify(bearerToken(attempt!), fixture.signingKeys.publicKey, {
    algorithms: ['RS256'],
    issuer: VALID_CLAIMS.iss,
    currentDate: new Date(NOW_MS),
    // Wide enough to accept every forged exp/nbf/iat: only the signature is under test here.
    clockTolerance: 3 * 3600,
  });
  return { payload, kid: protectedHeader.kid };
}

describe('re-signed claim cases', () => {
  it('are signed by the realm signing key under its kid and keep the real claims', async () => {
    for (const caseId of RESIGNED) {
      const { payload, kid } = await verifiedClaims(caseId);
      expect(kid, caseId).toBe(SIGNING_KID);
      expect(payload, caseId).toMatchObject({
        sub: VALID_CLAIMS.sub,
        aud: VALID_CLAIMS.aud,
        realm_access: VALID_CLAIMS.realm_access,
        scope: VALID_CLAIMS.scope,
        jti: VALID_CLAIMS.jti,
      });
    }
  });

  it('expired: exp an hour ago, iat two hours ago', async () => {
    const { payload } = await verifiedClaims('expired');
    expect(payload).toMatchObject({ exp: NOW - 3600, iat: NOW - 7200 });
    const [attempt] = attemptsFor(attempts, 'expired');
    await expect(jwtVerify(bearerToken(attempt!), fixture.signingKeys.publicKey, { currentDate: new Date(NOW_MS) })).rejects.toMatchObject({
      code: 'ERR_JWT_EXPIRED',
    });
  });

  it('not-yet-valid: nbf an hour ahead, exp after it', async () => {
    const { payload } = await verifiedClaims('not-yet-valid');
    expect(payload).toMatchObject({ nbf: NOW + 3600, iat: NOW, exp: NOW + 7200 });
    const [attempt] = attemptsFor(attempts, 'not-yet-valid');
    await expect(jwtVerify(bearerToken(attempt!), fixture.signingKeys.publicKey, { currentDate: new Date(NOW_MS) })).rejects.toMatchObject({
      code: 'ERR_JWT_CLAIM_VALIDATION_FAILED',
      claim: 'nbf',
    });
  });

  it('iat-future: iat an hour ahead, which jose accepts unless told maxTokenAge', async () => {
    const { payload } = await verifiedClaims('iat-future');
    expect(payload).toMatchObject({ iat: NOW + 3600, exp: NOW + 7200 });
    expect(payload.nbf).toBeUndefined();
    const [attempt] = attemptsFor(attempts, 'iat-future');
    const token = bearerToken(attempt!);
    await expect(jwtVerify(token, fixture.signingKeys.publicKey, { currentDate: new Date(NOW_MS) })).resolves.toBeDefined();
    await expect(
      jwtVerify(token, fixture.signingKeys.publicKey, { currentDate: new Date(NOW_MS), maxTokenAge: '10m' }),
    ).rejects.toMatchObject({ claim: 'iat' });
  });

  it('exp-missing: no exp, which jose accepts unless exp is required', async () => {
    const { payload } = await verifiedClaims('exp-missing');
    expect(payload).not.toHaveProperty('exp');
    expect(payload.iat).toBe(NOW);
    const [attempt] = attemptsFor(attempts, 'exp-missing');
    const token = bearerToken(attempt!);
    await expect(jwtVerify(token, fixture.signingKeys.publicKey, { currentDate: new Date(NOW_MS) })).resolves.toBeDefined();
    await expect(jwtVerify(token, fixture.signingKeys.publicKey, { requiredClaims: ['exp'] })).rejects.toMatchObject({ claim: 'exp' });
  });

  it('are not forged without a realm signing key, and unforgeableCases says why', async () => {
    const { realmSigningKey: _omitted, ...material } = fixture.material;
    expect(await forgeAttempts(material, RESIGNED)).toEqual([]);
    const skipped = unforgeableCases(material, RESIGNED);
    expect(skipped.map((entry) => entry.id)).toEqual(RESIGNED);
    for (const entry of skipped) expect(entry.reason).toMatch(/signing key/);
    expect(unforgeableCases(fixture.material, RESIGNED)).toEqual([]);
  });

  it('accepts a KeyObject signing key as well as a CryptoKey', async () => {
    const material: ForgeMaterial = {
      ...fixture.material,
      realmSigningKey: { privateKey: fixture.signingKeys.privateKey, kid: SIGNING_KID },
    };
    const [attempt] = await forgeAttempts(material, ['exp-missing']);
    await expect(jwtVerify(bearerToken(attempt!), fixture.signingKeys.publicKey)).resolves.toBeDefined();
  });
});

describe('Keycloak-issued tokens', () => {
  it('are sent unchanged', () => {
    for (const caseId of KEYCLOAK_TOKENS) {
      const forged = attemptsFor(attempts, caseId);
      expect(forged, caseId).toHaveLength(1);
      expect(forged[0]?.authorization).toBe(`Bearer ${fixture.material.keycloakTokens[caseId]}`);
    }
  });

  it('are skipped when absent, each with its own reason', async () => {
    const material: ForgeMaterial = {
      ...fixture.material,
      keycloakTokens: { 'id-token': fixture.material.keycloakTokens['id-token'] ?? '' },
    };
    const forged = await forgeAttempts(material, [...KEYCLOAK_TOKENS]);
    expect(forged.map((attempt) => attempt.caseId)).toEqual(['id-token']);
    const skipped = unforgeableCases(material);
    expect(skipped.map((entry) => entry.id)).toEqual(['other-realm', 'other-client', 'refresh-token', 'revoked-session', 'disabled-user']);
    expect(skipped.find((entry) => entry.id === 'other-realm')?.reason).toMatch(/another realm/);
  });
});
