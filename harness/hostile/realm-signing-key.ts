import { type KeyObject, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { type JWK, exportJWK } from 'jose';
import { request } from 'undici';
import { keycloakDispatcher } from '../tls/trust.js';
import { KcboxError, describeError } from '../errors.js';
import { realmEndpoints } from '../realm/realm-handle.js';
import { type AdminClient, keycloakMessage } from '../runtime/admin-client.js';

/** A realm signing key kcbox holds the private half of. */
export interface RealmSigningKey {
  readonly privateKey: KeyObject;
  readonly kid: string;
  /** SPKI PEM, what backends configured with a static key get. */
  readonly publicKeyPem: string;
}

/** Above Keycloak's generated keys (priority 100), so Keycloak signs every new token with it. */
const PRIORITY = '1000000';

/**
 * Adds an RS256 key provider with a kcbox-generated key to a realm kcbox imported, and waits until
 * the realm's JWKS publishes it. Keycloak then signs real tokens with it, and kcbox can re-sign a
 * real token's payload with one claim changed (expired, nbf in the future…): the backend sees a
 * token that differs from a genuine one only in that claim.
 */
export async function provisionRealmSigningKey(admin: AdminClient, serverUrl: string, realm: string): Promise<RealmSigningKey> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  try {
    const realmRepresentation = await admin.realms.findOne({ realm });
    await admin.components.create({
      realm,
      name: 'kcbox-hostile-suite',
      providerId: 'rsa',
      providerType: 'org.keycloak.keys.KeyProvider',
      parentId: realmRepresentation?.id ?? realm,
      config: {
        priority: [PRIORITY],
        enabled: ['true'],
        active: ['true'],
        algorithm: ['RS256'],
        keyUse: ['SIG'],
        privateKey: [privateKey.export({ type: 'pkcs1', format: 'pem' }).toString()],
      },
    });
  } catch (error) {
    throw new KcboxError('ERR_KCBOX_REALM_IMPORT', `Could not add kcbox's signing key to realm "${realm}": ${keycloakMessage(error)}`, {
      cause: error,
    });
  }
  const modulus = ((await exportJWK(publicKey)) as JWK).n;
  const { jwksUrl } = realmEndpoints(serverUrl, realm);
  let published: JWK | undefined;
  let seen = 'nothing yet';
  const deadline = Date.now() + 10_000;
  // Keycloak publishes a new key provider at once; a short poll covers a slow server.
  while (!published?.kid && Date.now() < deadline) {
    try {
      const response = await request(jwksUrl, { dispatcher: keycloakDispatcher(), headersTimeout: 10_000, bodyTimeout: 10_000 });
      const body = await response.body.text();
      seen = `HTTP ${response.statusCode}`;
      if (response.statusCode === 200)
        published = ((JSON.parse(body) as { keys?: JWK[] }).keys ?? []).find((key) => key.n === modulus && key.use === 'sig');
    } catch (error) {
      seen = describeError(error);
    }
    if (!published?.kid) await new Promise((resolve) => setTimeout(resolve, 200));
  }
  if (!published?.kid) {
    throw new KcboxError(
      'ERR_KCBOX_REALM_IMPORT',
      `Realm "${realm}" does not publish kcbox's signing key in ${jwksUrl} (last seen: ${seen}). Run with --no-hostile, or --hostile without expired,not-yet-valid,iat-future,exp-missing, and see the server log.`,
    );
  }
  return { privateKey, kid: published.kid, publicKeyPem: createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString() };
}
