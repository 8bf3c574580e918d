import { generateKeyPair, randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import type { JWK } from 'jose';
import type { ForeignKey } from './types.js';

const generateRsaKeyPair = promisify(generateKeyPair);

/**
 * Generates kcbox's foreign RSA key pair (2048 bits) with a random `kid` and a self-signed
 * certificate: the "attacker's" key of the foreign-key, unknown-kid, jwk-embed, jku and x5u cases.
 *
 * @param now - Clock, epoch milliseconds, for the certificate's validity. Default `Date.now`.
 * @example
 * ```ts
 * const foreignKey = await createForeignKey();
 * foreignKey.publicJwk; // { kty: 'RSA', n, e, kid, alg: 'RS256', use: 'sig', x5c: [...] }
 * ```
 */
export async function createForeignKey(now: () => number = Date.now): Promise<ForeignKey> {
  const { privateKey, publicKey } = await generateRsaKeyPair('rsa', { modulusLength: 2048 });
  const kid = `kcbox-foreign-${randomUUID()}`;
  // Loaded here, not with the module: @peculiar/x509 costs a check's start ~60 ms, and only this
  // certificate (and `--tls`) needs it.
  const { selfSignedCertificate } = await import('../tls/certificates.js');
  const certificate = await selfSignedCertificate(privateKey, publicKey, { notBefore: new Date(now() - 3_600_000) });
  const { kty, n, e } = publicKey.export({ format: 'jwk' });
  const publicJwk: JWK = { kty, n, e, kid, alg: 'RS256', use: 'sig', x5c: [certificate.der.toString('base64')] };
  return { kid, privateKey, publicKey, publicJwk, certificatePem: certificate.pem };
}
