import { X509Certificate, createPublicKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { JKU_PATH, X5U_PATH, listenerAddress, listenerDocuments } from '../../harness/hostile/listener-documents.js';
import { NOW_MS } from '../support/hostile-material.js';

describe('listenerDocuments', () => {
  it('serves one foreign RS256 key as a JWKS and as a certificate', async () => {
    const documents = await listenerDocuments(() => NOW_MS);
    const { foreignKey, jwks, certificatePem } = documents;
    expect(jwks.keys).toHaveLength(1);
    const [jwk] = jwks.keys;
    expect(jwk).toMatchObject({ kty: 'RSA', kid: foreignKey.kid, alg: 'RS256', use: 'sig' });
    expect(jwk).not.toHaveProperty('d');
    expect(createPublicKey({ key: { kty: 'RSA', n: jwk?.n ?? '', e: jwk?.e ?? '' }, format: 'jwk' }).equals(foreignKey.publicKey)).toBe(
      true,
    );
    expect(certificatePem).toBe(foreignKey.certificatePem);
    const certificate = new X509Certificate(certificatePem);
    expect(certificate.publicKey.equals(foreignKey.publicKey)).toBe(true);
    expect(jwk?.x5c).toEqual([certificate.raw.toString('base64')]);
    expect(new Date(certificate.validFrom).getTime()).toBe(NOW_MS - 3_600_000);
  });

  it('generates a new key per call', async () => {
    const [first, second] = await Promise.all([listenerDocuments(), listenerDocuments()]);
    expect(first.foreignKey.kid).not.toBe(second.foreignKey.kid);
    expect(first.foreignKey.publicKey.equals(second.foreignKey.publicKey)).toBe(false);
  });

  it('joins the listener URL and the paths without doubling slashes', () => {
    expect(JKU_PATH).toBe('/jku/jwks.json');
    expect(X5U_PATH).toBe('/x5u/cert.pem');
    expect(listenerAddress('http://127.0.0.1:5/', JKU_PATH)).toBe('http://127.0.0.1:5/jku/jwks.json');
    expect(listenerAddress('http://127.0.0.1:5', X5U_PATH)).toBe('http://127.0.0.1:5/x5u/cert.pem');
  });
});
