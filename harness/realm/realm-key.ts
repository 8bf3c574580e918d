import { type JWK, exportSPKI, importJWK } from 'jose';
import { request } from 'undici';
import { keycloakDispatcher } from '../tls/trust.js';
import { KcboxError, describeError } from '../errors.js';
import { realmEndpoints } from './realm-handle.js';

/**
 * The realm's active RS256 signing key as a PEM block (BEGIN/END PUBLIC KEY, 64-character lines):
 * the format backends configured with a static public key expect.
 */
export async function realmPublicKeyPem(serverUrl: string, realm: string): Promise<string> {
  return (await realmSigningKeyInfo(serverUrl, realm)).pem;
}

/** The realm's active RS256 signing key: its `kid` and its PEM. */
export async function realmSigningKeyInfo(serverUrl: string, realm: string): Promise<{ kid: string; pem: string }> {
  const { jwksUrl } = realmEndpoints(serverUrl, realm);
  let keys: JWK[];
  try {
    const response = await request(jwksUrl, { dispatcher: keycloakDispatcher(), headersTimeout: 10_000, bodyTimeout: 10_000 });
    if (response.statusCode === 404) {
      await response.body.dump();
      throw new KcboxError('ERR_KCBOX_REALM_NOT_FOUND', `Realm "${realm}" does not exist at ${serverUrl}.`);
    }
    keys = ((await response.body.json()) as { keys?: JWK[] }).keys ?? [];
  } catch (error) {
    if (error instanceof KcboxError) throw error;
    throw new KcboxError('ERR_KCBOX_REMOTE_UNREACHABLE', `${jwksUrl} does not answer: ${describeError(error)}.`, { cause: error });
  }
  const signing = keys.find((key) => key.kty === 'RSA' && key.use === 'sig' && (key.alg ?? 'RS256') === 'RS256');
  if (!signing) {
    throw new KcboxError(
      'ERR_KCBOX_REALM_INVALID',
      `Realm "${realm}" has no RS256 signing key in ${jwksUrl} (found: ${keys.map((key) => `${key.alg}/${key.use}`).join(', ') || 'none'}).`,
    );
  }
  const key = await importJWK(signing, 'RS256', { extractable: true });
  return { kid: signing.kid ?? '', pem: await exportSPKI(key as Parameters<typeof exportSPKI>[0]) };
}
