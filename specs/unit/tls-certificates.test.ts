import { X509Certificate, createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  certificateProblem,
  createCertificateAuthority,
  createServerCertificate,
  selfSignedCertificate,
} from '../../harness/tls/certificates.js';

describe('createCertificateAuthority / createServerCertificate', () => {
  it('signs a loopback server certificate that chains to the CA', async () => {
    const authority = await createCertificateAuthority();
    const ca = new X509Certificate(authority.certificatePem);
    expect(ca.ca).toBe(true);
    expect(ca.checkPrivateKey(createPrivateKey(authority.keyPem))).toBe(true);

    const server = await createServerCertificate(authority);
    const certificate = new X509Certificate(server.certificatePem);
    expect(certificate.ca).toBe(false);
    expect(certificate.checkIssued(ca)).toBe(true);
    expect(certificate.verify(ca.publicKey)).toBe(true);
    expect(certificate.checkPrivateKey(createPrivateKey(server.keyPem))).toBe(true);
    expect(certificate.checkHost('localhost')).toBe('localhost');
    expect(certificate.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(certificate.checkIP('::1')).toBe('::1');
    expect(certificate.checkHost('example.com')).toBeUndefined();
  });
});

describe('certificateProblem', () => {
  it('names an expired, a not-yet-valid and an unreadable certificate', async () => {
    const now = Date.now();
    const expired = await createCertificateAuthority({ notBefore: new Date(now - 10 * 86_400_000), days: 2 });
    expect(certificateProblem(expired.certificatePem, new Date(now))).toMatch(/^expires /);
    const future = await createCertificateAuthority({ notBefore: new Date(now + 86_400_000) });
    expect(certificateProblem(future.certificatePem, new Date(now))).toMatch(/^not valid before /);
    expect(certificateProblem('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n', new Date(now))).toMatch(/^unreadable/);
    const fresh = await createCertificateAuthority();
    expect(certificateProblem(fresh.certificatePem, new Date(now), 86_400_000)).toBeUndefined();
  });
});

describe('selfSignedCertificate', () => {
  it('wraps an RSA public key in a certificate signed by its own private key', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const notBefore = new Date(Date.UTC(2026, 0, 2, 3, 4, 5));
    const { pem, der } = await selfSignedCertificate(privateKey, publicKey, { commonName: 'kcbox test', notBefore });
    const certificate = new X509Certificate(pem);
    expect(certificate.subject).toBe('CN=kcbox test');
    expect(certificate.issuer).toBe('CN=kcbox test');
    expect(certificate.verify(publicKey)).toBe(true);
    expect(certificate.publicKey.equals(publicKey)).toBe(true);
    expect(new Date(certificate.validFrom).getTime()).toBe(notBefore.getTime());
    expect(new Date(certificate.validTo).getTime()).toBe(notBefore.getTime() + 2 * 86_400_000);
    expect(new X509Certificate(der).raw.equals(certificate.raw)).toBe(true);
  });

  it('is accepted by openssl when it is installed', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const { pem } = await selfSignedCertificate(privateKey, publicKey);
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
