import { KeyObject } from 'node:crypto';
import { KcboxError } from '../errors.js';
import { HOSTILE_CASE_IDS } from './types.js';
import type { ForeignKey, ForgeMaterial, HostileAttempt, HostileCaseId, KeycloakTokenCaseId, UnforgeableCase } from './types.js';
import { KEYCLOAK_TOKEN_CASE_IDS, RESIGNED_CASE_IDS, claimForgers } from './forge-claims.js';
import type { ForgeContext, Forger } from './forge-context.js';
import { signatureForgers } from './forge-signature.js';
import { transportForgers } from './forge-transport.js';
import { createForeignKey } from './foreign-key.js';
import { parseJws } from './jws-parts.js';

const FORGERS: Readonly<Record<HostileCaseId, Forger>> = { ...signatureForgers, ...claimForgers, ...transportForgers };

const KEYCLOAK_TOKEN_HINTS: Readonly<Record<KeycloakTokenCaseId, string>> = {
  'other-realm': 'an access token from another realm on the same server',
  'other-client': 'an access token issued to a client whose aud lacks the API',
  'id-token': 'an ID token of the allowed user',
  'refresh-token': 'a refresh token of the allowed user',
  'revoked-session': 'an access token whose session was logged out',
  'disabled-user': 'an access token of a user disabled after issue',
};

/**
 * Forges the attempts of the requested cases (default: all), in catalog order and, within a case,
 * in variant order. Pure apart from key generation: nothing is sent.
 *
 * Cases whose material is missing yield no attempt; {@link unforgeableCases} says which and why.
 * The foreign key comes from `material.foreignKey` (pass `listenerDocuments().foreignKey` so the
 * jku and x5u forgeries match what the listener serves); without it one is generated per call.
 *
 * @param caseIds - Case ids to forge; duplicates are ignored. Default: every catalog id.
 * @throws KcboxError `ERR_KCBOX_USAGE` for an unknown case id or an unusable `listenerUrl` or
 *   `realmPublicKeyPem`; `ERR_KCBOX_TOKEN` when `validToken` is not a compact JWS with JSON parts.
 * @example
 * ```ts
 * const documents = await listenerDocuments();
 * const attempts = await forgeAttempts({
 *   validToken, realmKid, realmPublicKeyPem, listenerUrl: 'http://127.0.0.1:40123',
 *   keycloakTokens: { 'id-token': idToken }, foreignKey: documents.foreignKey,
 * }, ['none', 'jku', 'id-token']);
 * ```
 */
export async function forgeAttempts(material: ForgeMaterial, caseIds?: readonly string[]): Promise<HostileAttempt[]> {
  const selected = selectCases(caseIds);
  if (selected.includes('jku') || selected.includes('x5u')) checkListenerUrl(material.listenerUrl);
  const skipped = new Set(unforgeableCases(material, selected).map((entry) => entry.id));
  let foreignKey: Promise<ForeignKey> | undefined;
  const context: ForgeContext = {
    material,
    valid: parseJws(material.validToken, 'valid token'),
    nowSeconds: Math.floor((material.now ?? Date.now)() / 1000),
    realmSigningKey: material.realmSigningKey && {
      privateKey:
        material.realmSigningKey.privateKey instanceof KeyObject
          ? material.realmSigningKey.privateKey
          : KeyObject.from(material.realmSigningKey.privateKey),
      kid: material.realmSigningKey.kid,
    },
    foreignKey: () => (foreignKey ??= material.foreignKey ? Promise.resolve(material.foreignKey) : createForeignKey(material.now)),
  };
  const attempts: HostileAttempt[] = [];
  for (const id of selected) {
    if (!skipped.has(id)) attempts.push(...(await FORGERS[id](context)));
  }
  return attempts;
}

/**
 * The requested cases (default: all) that {@link forgeAttempts} produces no attempt for with this
 * material, each with the reason: the nine re-signed claim cases without `realmSigningKey`, the
 * Keycloak-token cases whose token is missing from `keycloakTokens`.
 *
 * @throws KcboxError `ERR_KCBOX_USAGE` for an unknown case id.
 */
export function unforgeableCases(material: ForgeMaterial, caseIds?: readonly string[]): UnforgeableCase[] {
  const selected = new Set(selectCases(caseIds));
  const skipped: UnforgeableCase[] = [];
  for (const id of HOSTILE_CASE_IDS) {
    if (!selected.has(id)) continue;
    if (!material.realmSigningKey && (RESIGNED_CASE_IDS as readonly string[]).includes(id)) {
      skipped.push({
        id,
        reason: 'No realm signing key: kcbox re-signs claims only in realms it imported (it provisions the key there); this realm was not.',
      });
    }
    const tokenCase = KEYCLOAK_TOKEN_CASE_IDS.find((candidate) => candidate === id);
    if (tokenCase && !material.keycloakTokens[tokenCase]) {
      skipped.push({
        id,
        reason: `No Keycloak token for this case: it needs ${KEYCLOAK_TOKEN_HINTS[tokenCase]} (keycloakTokens["${tokenCase}"]).`,
      });
    }
  }
  return skipped;
}

/** Known ids in catalog order, without duplicates. */
function selectCases(caseIds: readonly string[] | undefined): HostileCaseId[] {
  if (caseIds === undefined) return [...HOSTILE_CASE_IDS];
  const unknown = caseIds.filter((id) => !(HOSTILE_CASE_IDS as readonly string[]).includes(id));
  if (unknown.length > 0) {
    throw new KcboxError(
      'ERR_KCBOX_USAGE',
      `Unknown hostile case ${unknown.map((id) => `"${id}"`).join(', ')}. Known cases: ${HOSTILE_CASE_IDS.join(', ')}.`,
    );
  }
  return HOSTILE_CASE_IDS.filter((id) => caseIds.includes(id));
}

function checkListenerUrl(listenerUrl: string): void {
  let protocol: string | undefined;
  try {
    protocol = new URL(listenerUrl).protocol;
  } catch {
    protocol = undefined;
  }
  if (protocol !== 'http:' && protocol !== 'https:') {
    throw new KcboxError(
      'ERR_KCBOX_USAGE',
      `material.listenerUrl "${listenerUrl}" is not an http(s) URL; the jku and x5u forgeries point at it. Pass the base URL of kcbox's loopback listener, e.g. http://127.0.0.1:40123.`,
    );
  }
}
