import { X509Certificate, createHmac, verify } from 'node:crypto';
import { EmbeddedJWK, compactDecrypt, compactVerify, createLocalJWKSet, decodeProtectedHeader } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { forgeAttempts } from '../../harness/hostile/forge-attempts.js';
import { ESCALATED_ROLE, INJECTED_KIDS, NONE_SPELLINGS, OVERSIZED_LENGTH, TRAVERSAL_KIDS } from '../../harness/hostile/forge-signature.js';
import type { HostileAttempt } from '../../harness/hostile/types.js';
import {
  type HostileFixture,
  LISTENER_URL,
  REALM_KID,
  SIGNING_KID,
  VALID_CLAIMS,
  attemptsFor,
  bearerToken,
  hostileFixture,
  tokenParts,
} from '../support/hostile-material.js';

let fixture: HostileFixture;
let attempts: HostileAttempt[];
let valid: { header: string; payload: string; signature: string };

beforeAll(async () => {
  fixture = await hostileFixture();
  attempts = await forgeAttempts(fixture.material);
  const [header = '', payload = '', signature = ''] = fixture.material.validToken.split('.');
  valid = { header, payload, signature };
});

const tokens = (caseId: string) => attemptsFor(attempts, caseId).map(bearerToken);
const BASE64URL = /^[A-Za-z0-9_-]*$/;

/** Does the RS256 signature of a compact JWS verify with this public key? */
function rs256Verifies(token: string, publicKey: Parameters<typeof verify>[2]): boolean {
  const [header, payload, signature = ''] = token.split('.');
  return verify('sha256', Buffer.from(`${header}.${payload}`), publicKey, Buffer.from(signature, 'base64url'));
}

function hs256(token: string, key: string | Buffer): string {
  const [header, payload] = token.split('.');
  return createHmac('sha256', key).update(`${header}.${payload}`).digest('base64url');
}

describe('none', () => {
  it('sends the real payload with every spelling of "none", with and without the trailing dot', () => {
    const forged = attemptsFor(attempts, 'none');
    expect(forged).toHaveLength(NONE_SPELLINGS.length * 2);
    expect(new Set(forged.map((attempt) => tokenParts(bearerToken(attempt)).header['alg']))).toEqual(
      new Set(['none', 'None', 'NONE', 'nOnE']),
    );
    for (const token of forged.map(bearerToken)) {
      const { header, parts } = tokenParts(token);
      expect(header).toMatchObject({ typ: 'JWT', kid: REALM_KID });
      expect(parts[1]).toBe(valid.payload);
      expect(parts.length === 3 ? parts[2] : '').toBe('');
    }
    expect(forged.filter((attempt) => bearerToken(attempt).endsWith('.'))).toHaveLength(4);
    expect(forged.filter((attempt) => bearerToken(attempt).split('.').length === 2)).toHaveLength(4);
  });
});

describe('sig-strip', () => {
  it('keeps header and payload and sends an empty signature', () => {
    const [token = ''] = tokens('sig-strip');
    expect(token).toBe(`${valid.header}.${valid.payload}.`);
  });
});

describe('sig-corrupt', () => {
  it('changes the signature bytes while staying canonical base64url', () => {
    for (const token of tokens('sig-corrupt')) {
      const [header, payload, signature = ''] = token.split('.');
      expect([header, payload]).toEqual([valid.header, valid.payload]);
      expect(signature).toMatch(BASE64URL);
      expect(signature).toHaveLength(valid.signature.length);
      // A lenient decoder must see different bytes, not just different padding bits.
      expect(Buffer.from(signature, 'base64url').toString('base64url')).toBe(signature);
      expect(Buffer.from(signature, 'base64url').equals(Buffer.from(valid.signature, 'base64url'))).toBe(false);
      expect(rs256Verifies(token, fixture.realmKeys.publicKey)).toBe(false);
    }
    expect(rs256Verifies(fixture.material.validToken, fixture.realmKeys.publicKey)).toBe(true);
  });

  it('corrupts the last characters in one variant', () => {
    const [lastBytes = ''] = tokens('sig-corrupt');
    const signature = lastBytes.split('.')[2] ?? '';
    expect(signature.slice(0, -8)).toBe(valid.signature.slice(0, -8));
    expect(signature.slice(-4)).not.toBe(valid.signature.slice(-4));
  });
});

describe('payload-tamper', () => {
  it('escalates roles and scope and keeps the original header and signature bytes', () => {
    const [token = ''] = tokens('payload-tamper');
    const { header, payload, parts } = tokenParts(token);
    expect(parts[0]).toBe(valid.header);
    expect(parts[2]).toBe(valid.signature);
    expect(header).toEqual({ alg: 'RS256', typ: 'JWT', kid: REALM_KID });
    expect(payload).toMatchObject({
      sub: VALID_CLAIMS.sub,
      realm_access: { roles: [...VALID_CLAIMS.realm_access.roles, ESCALATED_ROLE] },
      resource_access: {
        account: { roles: [...VALID_CLAIMS.resource_access.account.roles, ESCALATED_ROLE] },
        'inventory-api': { roles: ['viewer', ESCALATED_ROLE] },
        'inventory-frontend': { roles: [ESCALATED_ROLE] },
      },
      scope: 'openid profile email admin',
    });
    expect(rs256Verifies(token, fixture.realmKeys.publicKey)).toBe(false);
  });
});

describe('hs-confusion', () => {
  it('signs HS256 with the realm PEM as the HMAC key, with and without trailing newline', () => {
    const pem = fixture.material.realmPublicKeyPem;
    expect(pem.endsWith('-----END PUBLIC KEY-----\n')).toBe(true);
    const [withNewline = '', withoutNewline = ''] = tokens('hs-confusion');
    for (const token of [withNewline, withoutNewline]) {
      const { header, parts } = tokenParts(token);
      expect(header).toMatchObject({ alg: 'HS256', kid: REALM_KID, typ: 'JWT' });
      expect(parts[1]).toBe(valid.payload);
    }
    expect(withNewline.split('.')[2]).toBe(hs256(withNewline, pem));
    expect(withoutNewline.split('.')[2]).toBe(hs256(withoutNewline, pem.trimEnd()));
    expect(withNewline).not.toBe(withoutNewline);
  });

  it('forges the same two variants from a PEM given without trailing newline', async () => {
    const pem = fixture.material.realmPublicKeyPem.trimEnd();
    const [withNewline = '', withoutNewline = ''] = (
      await forgeAttempts({ ...fixture.material, realmPublicKeyPem: pem }, ['hs-confusion'])
    ).map(bearerToken);
    expect(withNewline.split('.')[2]).toBe(hs256(withNewline, `${pem}\n`));
    expect(withoutNewline.split('.')[2]).toBe(hs256(withoutNewline, pem));
  });
});

describe('hs-empty', () => {
  it('verifies with an empty HMAC key', () => {
    const [token = ''] = tokens('hs-empty');
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'HS256' });
    expect(token.split('.')[2]).toBe(hs256(token, Buffer.alloc(0)));
    expect(token.split('.')[1]).toBe(valid.payload);
  });
});

describe('foreign-key and unknown-kid', () => {
  it("foreign-key claims the realm kid but verifies only with kcbox's key", async () => {
    const [token = ''] = tokens('foreign-key');
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'RS256', typ: 'JWT', kid: REALM_KID });
    expect(rs256Verifies(token, fixture.realmKeys.publicKey)).toBe(false);
    await expect(compactVerify(token, fixture.realmKeys.publicKey)).rejects.toThrow();
    await expect(compactVerify(token, fixture.listener.foreignKey.publicKey)).resolves.toBeDefined();
    expect(token.split('.')[1]).toBe(valid.payload);
  });

  it('unknown-kid carries a kid neither the realm nor the listener publishes', () => {
    const [token = ''] = tokens('unknown-kid');
    const { kid } = decodeProtectedHeader(token);
    expect(kid).toMatch(/^kcbox-unknown-/);
    expect(kid).not.toBe(REALM_KID);
    expect(kid).not.toBe(fixture.listener.foreignKey.kid);
    expect(rs256Verifies(token, fixture.listener.foreignKey.publicKey)).toBe(true);
  });
});

describe('jwk-embed', () => {
  it("embeds kcbox's public key and passes a verifier that trusts it (CVE-2018-0114)", async () => {
    const forged = tokens('jwk-embed');
    expect(forged).toHaveLength(2);
    const { n, e } = fixture.listener.foreignKey.publicJwk;
    for (const token of forged) {
      const header = decodeProtectedHeader(token);
      expect(header.alg).toBe('RS256');
      expect(header.jwk).toEqual({ kty: 'RSA', n, e, kid: header.kid });
      expect(header.jwk).not.toHaveProperty('d');
      await expect(compactVerify(token, EmbeddedJWK)).resolves.toBeDefined();
      expect(rs256Verifies(token, fixture.realmKeys.publicKey)).toBe(false);
    }
    expect(forged.map((token) => decodeProtectedHeader(token).kid)).toEqual([fixture.listener.foreignKey.kid, REALM_KID]);
  });
});

describe('jku and x5u', () => {
  it('jku points at the listener JWKS, whose key verifies the token', async () => {
    const [token = ''] = tokens('jku');
    const header = decodeProtectedHeader(token);
    expect(header.jku).toBe('http://127.0.0.1:40123/jku/jwks.json');
    expect(header.kid).toBe(fixture.listener.foreignKey.kid);
    await expect(compactVerify(token, createLocalJWKSet({ keys: [...fixture.listener.jwks.keys] }))).resolves.toBeDefined();
  });

  it('x5u points at the listener certificate, whose key verifies the token', () => {
    const forged = tokens('x5u');
    expect(forged).toHaveLength(2);
    const certificateKey = new X509Certificate(fixture.listener.certificatePem).publicKey;
    for (const token of forged) {
      expect(decodeProtectedHeader(token).x5u).toBe(`${LISTENER_URL}x5u/cert.pem`);
      expect(rs256Verifies(token, certificateKey)).toBe(true);
    }
    expect(forged.map((token) => decodeProtectedHeader(token).kid)).toEqual([undefined, fixture.listener.foreignKey.kid]);
  });
});

describe('kid-traversal and kid-inject', () => {
  it('kid-traversal points kid at /dev/null and signs HS256 with an empty key', () => {
    const forged = tokens('kid-traversal');
    expect(forged.map((token) => decodeProtectedHeader(token).kid)).toEqual([...TRAVERSAL_KIDS]);
    expect(TRAVERSAL_KIDS).toContain('../../../../../../dev/null');
    for (const token of forged) {
      expect(decodeProtectedHeader(token).alg).toBe('HS256');
      expect(token.split('.')[2]).toBe(hs256(token, ''));
    }
  });

  it('kid-inject carries SQL and shell metacharacters and signs HS256 with "key"', () => {
    const forged = tokens('kid-inject');
    expect(forged.map((token) => decodeProtectedHeader(token).kid)).toEqual([...INJECTED_KIDS]);
    expect(INJECTED_KIDS).toEqual(expect.arrayContaining(["x' UNION SELECT 'key'--", '$(sleep 5)', '| sleep 5']));
    for (const token of forged) expect(token.split('.')[2]).toBe(hs256(token, 'key'));
  });
});

describe('crit-unknown', () => {
  it('is signed by the realm signing key so that only crit is wrong', async () => {
    const [attempt] = attemptsFor(attempts, 'crit-unknown');
    const token = bearerToken(attempt!);
    expect(attempt!.note).toBeUndefined();
    const header = decodeProtectedHeader(token);
    expect(header).toMatchObject({ alg: 'RS256', kid: SIGNING_KID, crit: ['x-unknown'], 'x-unknown': true });
    expect(token.split('.')[1]).toBe(valid.payload);
    await expect(compactVerify(token, fixture.signingKeys.publicKey)).rejects.toMatchObject({ code: 'ERR_JOSE_NOT_SUPPORTED' });
    await expect(compactVerify(token, fixture.signingKeys.publicKey, { crit: { 'x-unknown': true } })).resolves.toBeDefined();
  });

  it("falls back to kcbox's key, with a note, without a realm signing key", async () => {
    const { realmSigningKey: _omitted, ...material } = fixture.material;
    const [attempt] = await forgeAttempts(material, ['crit-unknown']);
    const token = bearerToken(attempt!);
    expect(attempt!.note).toMatch(/does not prove/);
    expect(decodeProtectedHeader(token)).toMatchObject({ kid: REALM_KID, crit: ['x-unknown'] });
    expect(rs256Verifies(token, fixture.listener.foreignKey.publicKey)).toBe(true);
  });
});

describe('jwe', () => {
  it('is a five-part JWE of the valid claims that decrypts with the realm private key', async () => {
    const forged = tokens('jwe');
    expect(forged).toHaveLength(2);
    for (const token of forged) {
      expect(token.split('.')).toHaveLength(5);
      const { plaintext, protectedHeader } = await compactDecrypt(token, fixture.realmKeys.privateKey);
      expect(protectedHeader).toMatchObject({ enc: 'A256GCM', kid: REALM_KID });
      expect(JSON.parse(new TextDecoder().decode(plaintext))).toEqual(VALID_CLAIMS);
    }
    expect(forged.map((token) => decodeProtectedHeader(token).alg)).toEqual(['RSA-OAEP', 'RSA-OAEP-256']);
  });
});

describe('format', () => {
  it('sends what each variant says', () => {
    const byVariant = Object.fromEntries(attemptsFor(attempts, 'format').map((attempt) => [attempt.variant, bearerToken(attempt)]));
    expect(JSON.parse(byVariant['JWS JSON serialization (flattened)'] ?? '')).toEqual({
      protected: valid.header,
      payload: valid.payload,
      signature: valid.signature,
    });
    expect(byVariant['signature with "=" padding']).toBe(`${valid.header}.${valid.payload}.${valid.signature}==`);
    const standard = byVariant['signature in the base64 alphabet ("+", "/")'] ?? '';
    expect(standard.split('.')[2]).toMatch(/[+/]/);
    expect(standard.split('.')[2]).not.toMatch(/[-_]/);
    expect(Buffer.from(standard.split('.')[2] ?? '', 'base64').equals(Buffer.from(valid.signature, 'base64url'))).toBe(true);
    const inserted = byVariant['"+" and "/" inserted in the payload'] ?? '';
    expect(inserted.split('.')[1]).toContain('+/');
    expect(inserted.split('.')[1]?.replace('+/', '')).toBe(valid.payload);
    expect(byVariant['100,000 dots']).toBe('.'.repeat(100_000));
    expect(byVariant['8,000 dots (under common header size limits)']).toMatch(/^\.{8000}$/);
    expect(byVariant['empty token']).toBe('');
    expect(byVariant['two parts (header.payload)']).toBe(`${valid.header}.${valid.payload}`);
  });

  it('sends an empty token as the bare scheme and a space', () => {
    expect(attemptsFor(attempts, 'format').find((attempt) => attempt.variant === 'empty token')?.authorization).toBe('Bearer ');
  });
});

describe('oversized', () => {
  it('is a ~20 KB token with the original header, claims and signature', () => {
    const [token = ''] = tokens('oversized');
    expect(Math.abs(token.length - OVERSIZED_LENGTH)).toBeLessThanOrEqual(4);
    const { payload, parts } = tokenParts(token);
    expect(parts[0]).toBe(valid.header);
    expect(parts[2]).toBe(valid.signature);
    const { kcbox_padding: padding, ...claims } = payload;
    expect(claims).toEqual(VALID_CLAIMS);
    expect(padding).toMatch(/^A{14000,}$/);
  });
});
