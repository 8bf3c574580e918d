import { type KeyObject, randomBytes, sign } from 'node:crypto';
import { bitString, nullValue, objectIdentifier, sequence, set, time, unsignedInteger, utf8String } from './der.js';

const SHA256_WITH_RSA = '1.2.840.113549.1.1.11';
const COMMON_NAME = '2.5.4.3';

export interface SelfSignedCertificateOptions {
  /** Subject and issuer common name. Default `kcbox hostile-token foreign key`. */
  readonly commonName?: string;
  /** Start of validity. Default: now minus one hour (clock skew). */
  readonly notBefore?: Date;
  /** End of validity. Default: `notBefore` plus two days. */
  readonly notAfter?: Date;
}

/**
 * A minimal self-signed X.509 v1 certificate (RFC 5280, no extensions) for an RSA key pair,
 * signed sha256WithRSAEncryption. Enough for a backend that honours `x5u` to parse it and trust
 * the key inside: that trust is what the x5u case detects.
 *
 * @returns The DER bytes and the PEM text (64-character lines, trailing newline).
 * @example
 * ```ts
 * const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
 * const { pem } = selfSignedCertificate(privateKey, publicKey);
 * new X509Certificate(pem).verify(publicKey); // true
 * ```
 */
export function selfSignedCertificate(
  privateKey: KeyObject,
  publicKey: KeyObject,
  options: SelfSignedCertificateOptions = {},
): { der: Buffer; pem: string } {
  const notBefore = options.notBefore ?? new Date(Date.now() - 3_600_000);
  const notAfter = options.notAfter ?? new Date(notBefore.getTime() + 2 * 86_400_000);
  const name = sequence(set(sequence(objectIdentifier(COMMON_NAME), utf8String(options.commonName ?? 'kcbox hostile-token foreign key'))));
  const algorithm = sequence(objectIdentifier(SHA256_WITH_RSA), nullValue());
  const serial = randomBytes(16);
  serial[0] = ((serial[0] ?? 0) & 0x7f) | 0x01;
  const toBeSigned = sequence(
    unsignedInteger(serial),
    algorithm,
    name,
    sequence(time(notBefore), time(notAfter)),
    name,
    publicKey.export({ type: 'spki', format: 'der' }),
  );
  const der = sequence(toBeSigned, algorithm, bitString(sign('sha256', toBeSigned, privateKey)));
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return { der, pem: `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n` };
}
