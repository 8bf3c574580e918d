import { type KeyObject, createPublicKey } from 'node:crypto';
import { type JWK, exportJWK } from 'jose';
import { request } from 'undici';
import { keycloakDispatcher } from '../tls/trust.js';
import { KcboxError, describeError } from '../errors.js';
import { realmEndpoints } from '../realm/realm-handle.js';
import type { RealmRepresentation } from '../realm/realm-input.js';
import { rsaPrivateKey } from './spare-rsa-key.js';

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
 * A new RS256 key and the key-provider component that makes a realm sign with it. Generated off
 * the main thread (70–200 ms for 2048 bits), so the admin login before the import goes on
 * meanwhile; the CLI starts it even before it loads the check (see prepareRsaKey).
 */
export async function newRealmSigningKey(): Promise<{ readonly privateKey: KeyObject; readonly component: Record<string, unknown> }> {
  const privateKey = await rsaPrivateKey();
  return {
    privateKey,
    component: {
      name: 'kcbox-hostile-suite',
      providerId: 'rsa',
      subComponents: {},
      config: {
        priority: [PRIORITY],
        enabled: ['true'],
        active: ['true'],
        algorithm: ['RS256'],
        keyUse: ['SIG'],
        privateKey: [privateKey.export({ type: 'pkcs1', format: 'pem' }).toString()],
      },
    },
  };
}

const KEY_PROVIDER = 'org.keycloak.keys.KeyProvider';

/**
 * The realm with the key provider added to its components, for the import that creates it: one
 * call instead of an import, a read of the realm and a component created afterwards.
 */
export function withSigningKey(realm: RealmRepresentation, component: Record<string, unknown>): RealmRepresentation {
  const components = (realm.components ?? {}) as Record<string, unknown[]>;
  return { ...realm, components: { ...components, [KEY_PROVIDER]: [...(components[KEY_PROVIDER] ?? []), component] } };
}

/**
 * Waits until the realm, imported {@link withSigningKey}, publishes kcbox's key in its JWKS.
 * Keycloak then signs real tokens with it, and kcbox can re-sign a real token's payload with one
 * claim changed (expired, nbf in the future…): the backend sees a token that differs from a
 * genuine one only in that claim.
 */
export async function publishedSigningKey(serverUrl: string, realm: string, privateKey: KeyObject): Promise<RealmSigningKey> {
  const publicKey = createPublicKey(privateKey);
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
