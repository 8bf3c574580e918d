import { type KeyObject, generateKeyPairSync } from 'node:crypto';
import { SignJWT, importPKCS8 } from 'jose';
import { listenerDocuments } from '../../harness/hostile/listener-documents.js';
import type { ForgeMaterial, HostileAttempt, ListenerDocuments } from '../../harness/hostile/types.js';

/** 2026-01-15T12:00:00Z, the fixed clock of the hostile-token unit tests. */
export const NOW_MS = Date.UTC(2026, 0, 15, 12, 0, 0);
export const NOW = NOW_MS / 1000;
export const REALM_KID = 'realm-rs256-kid';
export const SIGNING_KID = 'kcbox-provisioned-kid';
export const LISTENER_URL = 'http://127.0.0.1:40123/';
export const ISSUER = 'http://127.0.0.1:8080/realms/inventory';

/** What a Keycloak 26 access token for the inventory realm carries. */
export const VALID_CLAIMS = {
  exp: NOW + 300,
  iat: NOW,
  jti: 'onrtro:2f5a3c1e-0000-4000-8000-000000000001',
  iss: ISSUER,
  aud: ['inventory-api', 'account'],
  sub: '8d6f1c9e-1111-4111-8111-111111111111',
  typ: 'Bearer',
  azp: 'inventory-frontend',
  sid: '3b1e2f4a-2222-4222-8222-222222222222',
  acr: '1',
  'allowed-origins': ['http://localhost:3000'],
  realm_access: { roles: ['default-roles-inventory', 'offline_access', 'uma_authorization'] },
  resource_access: { account: { roles: ['manage-account', 'view-profile'] }, 'inventory-api': { roles: ['viewer'] } },
  scope: 'openid profile email',
  email_verified: true,
  preferred_username: 'alice',
};

export interface HostileFixture {
  readonly material: ForgeMaterial;
  /** The realm's active key pair: validToken is signed with it. */
  readonly realmKeys: { readonly privateKey: KeyObject; readonly publicKey: KeyObject };
  /** The provisioned key pair behind material.realmSigningKey. */
  readonly signingKeys: { readonly privateKey: KeyObject; readonly publicKey: KeyObject };
  readonly listener: ListenerDocuments;
}

let fixture: Promise<HostileFixture> | undefined;

/** A realm key pair, a realistic valid token, a provisioned signing key (as a CryptoKey) and every Keycloak token; built once per test file. */
export function hostileFixture(): Promise<HostileFixture> {
  fixture ??= buildFixture();
  return fixture;
}

async function buildFixture(): Promise<HostileFixture> {
  const realmKeys = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const signingKeys = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const sign = (claims: Record<string, unknown>) =>
    new SignJWT(claims).setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: REALM_KID }).sign(realmKeys.privateKey);
  const listener = await listenerDocuments(() => NOW_MS);
  const material: ForgeMaterial = {
    validToken: await sign(VALID_CLAIMS),
    realmKid: REALM_KID,
    realmPublicKeyPem: realmKeys.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    // A CryptoKey, as jose's importPKCS8 gives it: the orchestration may hold either kind.
    realmSigningKey: {
      privateKey: await importPKCS8(signingKeys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), 'RS256'),
      kid: SIGNING_KID,
    },
    listenerUrl: LISTENER_URL,
    keycloakTokens: {
      'other-realm': await sign({ ...VALID_CLAIMS, iss: 'http://127.0.0.1:8080/realms/other' }),
      'other-client': await sign({ ...VALID_CLAIMS, aud: 'account', azp: 'reporting' }),
      'id-token': await sign({ ...VALID_CLAIMS, typ: 'ID', aud: 'inventory-frontend' }),
      'refresh-token': 'eyJhbGciOiJIUzUxMiJ9.eyJ0eXAiOiJSZWZyZXNoIn0.c2ln',
      'revoked-session': await sign({ ...VALID_CLAIMS, sid: 'logged-out' }),
      'disabled-user': await sign({ ...VALID_CLAIMS, preferred_username: 'disabled' }),
    },
    foreignKey: listener.foreignKey,
    now: () => NOW_MS,
  };
  return { material, realmKeys, signingKeys, listener };
}

/** The three (or more) dot-separated parts of a token, with header and payload decoded. */
export function tokenParts(token: string): { header: Record<string, unknown>; payload: Record<string, unknown>; parts: string[] } {
  const parts = token.split('.');
  const json = (part: string | undefined) => JSON.parse(Buffer.from(part ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
  return { header: json(parts[0]), payload: json(parts[1]), parts };
}

/** The attempts of one case; fails the test when there are none. */
export function attemptsFor(attempts: readonly HostileAttempt[], caseId: string): HostileAttempt[] {
  const found = attempts.filter((attempt) => attempt.caseId === caseId);
  if (found.length === 0) throw new Error(`no attempt for ${caseId}`);
  return found;
}

/** The bearer token of an attempt with a single `Bearer` Authorization value. */
export function bearerToken(attempt: HostileAttempt): string {
  if (typeof attempt.authorization !== 'string' || !attempt.authorization.startsWith('Bearer ')) {
    throw new Error(`${attempt.caseId} / ${attempt.variant} has no single Bearer header`);
  }
  return attempt.authorization.slice('Bearer '.length);
}
