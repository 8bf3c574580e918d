import { X509Certificate, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { objectIdentifier, time, tlv, unsignedInteger } from '../../harness/hostile/der.js';
import { JKU_PATH, X5U_PATH, listenerAddress, listenerDocuments } from '../../harness/hostile/listener-documents.js';
import { selfSignedCertificate } from '../../harness/hostile/self-signed-certificate.js';
import { NOW_MS } from '../support/hostile-material.js';

describe('DER encoding', () => {
  it('encodes object identifiers, integers, lengths and times as X.690 says', () => {
    expect(objectIdentifier('1.2.840.113549.1.1.11').toString('hex')).toBe('06092a864886f70d01010b');
    expect(objectIdentifier('2.5.4.3').toString('hex')).toBe('0603550403');
    expect(unsignedInteger(Buffer.from([0x00, 0x00, 0x7f])).toString('hex')).toBe('02017f');
    expect(unsignedInteger(Buffer.from([0x80])).toString('hex')).toBe('02020080');
    expect(tlv(0x04, Buffer.alloc(200)).subarray(0, 3).toString('hex')).toBe('0481c8');
    expect(tlv(0x04, Buffer.alloc(300)).subarray(0, 4).toString('hex')).toBe('0482012c');
    expect(time(new Date(Date.UTC(2026, 0, 2, 3, 4, 5))).toString('latin1')).toBe('\x17\x0d260102030405Z');
    expect(time(new Date(Date.UTC(2051, 0, 2, 3, 4, 5))).toString('latin1')).toBe('\x18\x0f20510102030405Z');
  });
});

describe('selfSignedCertificate', () => {
  it('builds a certificate Node parses, signed by and carrying the key', () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const notBefore = new Date(NOW_MS - 3_600_000);
    const { pem } = selfSignedCertificate(privateKey, publicKey, { commonName: 'kcbox test', notBefore });
    const certificate = new X509Certificate(pem);
    expect(certificate.subject).toBe('CN=kcbox test');
    expect(certificate.issuer).toBe('CN=kcbox test');
    expect(certificate.verify(publicKey)).toBe(true);
    expect(certificate.publicKey.equals(publicKey)).toBe(true);
    expect(new Date(certificate.validFrom).getTime()).toBe(notBefore.getTime());
    expect(new Date(certificate.validTo).getTime()).toBe(notBefore.getTime() + 2 * 86_400_000);
    expect(pem).toMatch(/^-----BEGIN CERTIFICATE-----\n([A-Za-z0-9+/=]{1,64}\n)+-----END CERTIFICATE-----\n$/);
  });

  it('is accepted by openssl when it is installed', () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const { pem } = selfSignedCertificate(privateKey, publicKey);
    let text: string;
    try {
      text = execFileSync('openssl', ['x509', '-noout', '-text'], { input: pem, encoding: 'utf8' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    expect(text).toContain('Signature Algorithm: sha256WithRSAEncryption');
    expect(text).toContain('Public-Key: (2048 bit)');
  });
});

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
