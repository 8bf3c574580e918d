/**
 * Compact JWS pieces built by hand: forgeries need headers and signatures that JWS libraries
 * refuse to produce (alg spellings, empty HMAC keys, unknown `crit`).
 */
import { type KeyObject, createHmac, sign } from 'node:crypto';
import { KcboxError } from '../errors.js';

/** A decoded JOSE header or JWT claims set. */
export type JsonObject = Record<string, unknown>;

/** A compact JWS split into its parts, decoded where JSON. */
export interface ParsedJws {
  readonly header: JsonObject;
  readonly payload: JsonObject;
  readonly encodedHeader: string;
  readonly encodedPayload: string;
  readonly encodedSignature: string;
}

/** Splits and decodes a compact JWS; throws `ERR_KCBOX_USAGE` when it is not one. */
export function parseJws(token: string, name = 'token'): ParsedJws {
  const parts = token.split('.');
  if (parts.length !== 3) {
    throw new KcboxError(
      'ERR_KCBOX_USAGE',
      `The ${name} is not a compact JWS: expected header.payload.signature, found ${parts.length} part(s). Pass the access token exactly as Keycloak's token endpoint returned it.`,
    );
  }
  const [encodedHeader, encodedPayload, encodedSignature] = parts as [string, string, string];
  return {
    header: decodeJsonPart(encodedHeader, `${name}'s header`),
    payload: decodeJsonPart(encodedPayload, `${name}'s payload`),
    encodedHeader,
    encodedPayload,
    encodedSignature,
  };
}

function decodeJsonPart(encoded: string, what: string): JsonObject {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'));
  } catch (error) {
    throw new KcboxError(
      'ERR_KCBOX_USAGE',
      `The ${what} is not base64url-encoded JSON. Pass the access token exactly as Keycloak's token endpoint returned it.`,
      { cause: error },
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new KcboxError('ERR_KCBOX_USAGE', `The ${what} is not a JSON object.`);
  }
  return value as JsonObject;
}

/** base64url of the JSON text, no padding. */
export function encodeJson(value: JsonObject): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

/** `header.payload` of a new JWS whose header and payload are given as objects. */
export function signingInput(header: JsonObject, payload: JsonObject | string): string {
  return `${encodeJson(header)}.${typeof payload === 'string' ? payload : encodeJson(payload)}`;
}

/** RS256 (RSASSA-PKCS1-v1_5 with SHA-256) signature of `input`, base64url. */
export function signRs256(input: string, privateKey: KeyObject): string {
  return sign('sha256', Buffer.from(input, 'ascii'), privateKey).toString('base64url');
}

/** HS256 signature of `input`, base64url; any key, including the empty one jose refuses. */
export function signHs256(input: string, key: string | Buffer): string {
  return createHmac('sha256', key).update(input, 'ascii').digest('base64url');
}

/** A compact JWS signed with RS256. */
export function compactRs256(header: JsonObject, payload: JsonObject | string, privateKey: KeyObject): string {
  const input = signingInput(header, payload);
  return `${input}.${signRs256(input, privateKey)}`;
}

/** A compact JWS signed with HS256. */
export function compactHs256(header: JsonObject, payload: JsonObject | string, key: string | Buffer): string {
  const input = signingInput(header, payload);
  return `${input}.${signHs256(input, key)}`;
}

/** The header with `alg` replaced and `kid` set, or removed when `kid` is undefined. */
export function withAlgAndKid(header: JsonObject, alg: string, kid: string | undefined): JsonObject {
  const result: JsonObject = { ...header, alg };
  if (kid === undefined) delete result['kid'];
  else result['kid'] = kid;
  return result;
}
