// @peculiar/x509 resolves its ASN.1 schemas through tsyringe, which needs the Reflect metadata API.
import 'reflect-metadata';
import { type KeyObject, X509Certificate, createPrivateKey, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const EC_P256 = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const RSA_SHA256 = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } as const;
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** A certificate and its private key, both PEM. */
export interface CertificateAndKey {
  readonly certificatePem: string;
  readonly keyPem: string;
}

function serialNumber(): string {
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  // Positive and without a leading zero byte, as RFC 5280 §4.1.2.2 asks.
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x01;
  return Buffer.from(bytes).toString('hex');
}

async function pkcs8Pem(key: webcrypto.CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }).export({ type: 'pkcs8', format: 'pem' }) as string;
}

export interface CertificateValidity {
  /** Start of validity. Default: now minus one hour (clock skew). */
  readonly notBefore?: Date;
  /** Length of validity in days. */
  readonly days?: number;
}

function validity(options: CertificateValidity, defaultDays: number): { notBefore: Date; notAfter: Date } {
  const notBefore = options.notBefore ?? new Date(Date.now() - HOUR_MS);
  return { notBefore, notAfter: new Date(notBefore.getTime() + (options.days ?? defaultDays) * DAY_MS) };
}

/**
 * A certificate authority for test servers: an ECDSA P-256 key and a self-signed CA certificate
 * (basic constraints CA, path length 0: it signs server certificates only). Default validity 5 years.
 */
export async function createCertificateAuthority(options: CertificateValidity & { commonName?: string } = {}): Promise<CertificateAndKey> {
  const keys = await webcrypto.subtle.generateKey(EC_P256, true, ['sign', 'verify']);
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: `CN=${options.commonName ?? 'kcbox local test CA'}`,
    ...validity(options, 5 * 365),
    keys,
    signingAlgorithm: EC_P256,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certificatePem: certificate.toString('pem') + '\n', keyPem: await pkcs8Pem(keys.privateKey) };
}

/** Host names and IP addresses a server certificate is valid for. */
export interface ServerNames {
  readonly dns: readonly string[];
  readonly ip: readonly string[];
}

/** What local test servers are reached by: localhost, 127.0.0.1 and ::1. */
export const LOOPBACK_NAMES: ServerNames = { dns: ['localhost'], ip: ['127.0.0.1', '::1'] };

/**
 * A TLS server certificate signed by `authority`, for `names` (subject alternative names; the
 * common name is the first DNS name). ECDSA P-256, default validity one year.
 */
export async function createServerCertificate(
  authority: CertificateAndKey,
  names: ServerNames = LOOPBACK_NAMES,
  options: CertificateValidity = {},
): Promise<CertificateAndKey> {
  const issuer = new x509.X509Certificate(authority.certificatePem);
  const issuerKey = await webcrypto.subtle.importKey(
    'pkcs8',
    createPrivateKey(authority.keyPem).export({ type: 'pkcs8', format: 'der' }),
    EC_P256,
    false,
    ['sign'],
  );
  const keys = await webcrypto.subtle.generateKey(EC_P256, true, ['sign', 'verify']);
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: `CN=${names.dns[0] ?? names.ip[0] ?? 'localhost'}`,
    issuer: issuer.subject,
    ...validity(options, 365),
    publicKey: keys.publicKey,
    signingKey: issuerKey,
    signingAlgorithm: EC_P256,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([
        ...names.dns.map((value) => ({ type: 'dns' as const, value })),
        ...names.ip.map((value) => ({ type: 'ip' as const, value })),
      ]),
      await x509.AuthorityKeyIdentifierExtension.create(issuer),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certificatePem: certificate.toString('pem') + '\n', keyPem: await pkcs8Pem(keys.privateKey) };
}

/**
 * A self-signed X.509 certificate for an existing RSA key pair, signed sha256WithRSAEncryption:
 * what the hostile suite's foreign key carries in `x5c` and serves at its `x5u`.
 *
 * @returns The DER bytes and the PEM text.
 * @example
 * ```ts
 * const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
 * const { pem } = await selfSignedCertificate(privateKey, publicKey, { commonName: 'test' });
 * new X509Certificate(pem).verify(publicKey); // true
 * ```
 */
export async function selfSignedCertificate(
  privateKey: KeyObject,
  publicKey: KeyObject,
  options: CertificateValidity & { commonName?: string } = {},
): Promise<{ der: Buffer; pem: string }> {
  const keys = {
    privateKey: await webcrypto.subtle.importKey('pkcs8', privateKey.export({ type: 'pkcs8', format: 'der' }), RSA_SHA256, false, ['sign']),
    publicKey: await webcrypto.subtle.importKey('spki', publicKey.export({ type: 'spki', format: 'der' }), RSA_SHA256, true, ['verify']),
  };
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: `CN=${options.commonName ?? 'kcbox hostile-token foreign key'}`,
    ...validity(options, 2),
    keys,
    signingAlgorithm: RSA_SHA256,
  });
  const pem = certificate.toString('pem') + '\n';
  return { der: Buffer.from(certificate.rawData), pem };
}

/**
 * Why a PEM certificate cannot serve from `now` for `validForMs` more (unreadable, not yet valid,
 * expiring), or undefined when it can.
 */
export function certificateProblem(pem: string, now: Date, validForMs = 0): string | undefined {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(pem);
  } catch (error) {
    return `unreadable (${(error as Error).message})`;
  }
  if (new Date(certificate.validFrom) > now) return `not valid before ${certificate.validFrom}`;
  if (new Date(certificate.validTo).getTime() < now.getTime() + validForMs) return `expires ${certificate.validTo}`;
  return undefined;
}
