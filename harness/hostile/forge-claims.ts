/**
 * Forgers of the claim cases: the valid token's real payload re-signed by the realm signing key
 * with one claim wrong, or a Keycloak-issued token sent unchanged.
 */
import { type Forger, type ForgeContext, bearerAttempt } from './forge-context.js';
import { type JsonObject, compactRs256, withAlgAndKid } from './jws-parts.js';
import type { HostileAttempt, KeycloakTokenCaseId } from './types.js';

/** Claim cases that need `material.realmSigningKey`. */
export type ResignedCaseId = 'expired' | 'not-yet-valid' | 'iat-future' | 'exp-missing';

/** The cases of the catalog's "Claims" section. */
export type ClaimCaseId = ResignedCaseId | KeycloakTokenCaseId;

/** Claim cases forged only with `material.realmSigningKey`. */
export const RESIGNED_CASE_IDS: readonly ResignedCaseId[] = ['expired', 'not-yet-valid', 'iat-future', 'exp-missing'];

/** Claim cases that send `material.keycloakTokens[id]` unchanged. */
export const KEYCLOAK_TOKEN_CASE_IDS: readonly KeycloakTokenCaseId[] = [
  'other-realm',
  'other-client',
  'id-token',
  'refresh-token',
  'revoked-session',
  'disabled-user',
];

const HOUR = 3600;

/**
 * How each re-signed case changes the payload, given now in epoch seconds. Apart from the claim
 * under test the token is valid: exp lies ahead and nbf (when kept) behind.
 */
const CLAIM_CHANGES: Readonly<Record<ResignedCaseId, { readonly variant: string; readonly change: (now: number) => JsonObject }>> = {
  expired: { variant: 'exp an hour ago, iat two hours ago', change: (now) => ({ iat: now - 2 * HOUR, exp: now - HOUR, nbf: undefined }) },
  'not-yet-valid': { variant: 'nbf an hour ahead', change: (now) => ({ iat: now, nbf: now + HOUR, exp: now + 2 * HOUR }) },
  'iat-future': { variant: 'iat an hour ahead', change: (now) => ({ iat: now + HOUR, exp: now + 2 * HOUR, nbf: undefined }) },
  'exp-missing': { variant: 'no exp', change: (now) => ({ iat: now, exp: undefined, nbf: undefined }) },
};

function resign(id: ResignedCaseId): Forger {
  return ({ valid, realmSigningKey, nowSeconds }: ForgeContext): HostileAttempt[] => {
    // forgeAttempts skips these cases without a signing key (see unforgeableCases).
    if (!realmSigningKey) return [];
    const { variant, change } = CLAIM_CHANGES[id];
    const payload: JsonObject = { ...valid.payload };
    for (const [claim, value] of Object.entries(change(nowSeconds))) {
      if (value === undefined) delete payload[claim];
      else payload[claim] = value;
    }
    const token = compactRs256(withAlgAndKid(valid.header, 'RS256', realmSigningKey.kid), payload, realmSigningKey.privateKey);
    return [bearerAttempt(id, `${variant}, signed with the realm signing key`, token)];
  };
}

function keycloakToken(id: KeycloakTokenCaseId): Forger {
  return ({ material }: ForgeContext): HostileAttempt[] => {
    const token = material.keycloakTokens[id];
    return token ? [bearerAttempt(id, 'Keycloak-issued token, unchanged', token)] : [];
  };
}

/** One forger per claim case; each returns nothing when its material is missing. */
export const claimForgers: Readonly<Record<ClaimCaseId, Forger>> = {
  expired: resign('expired'),
  'not-yet-valid': resign('not-yet-valid'),
  'iat-future': resign('iat-future'),
  'exp-missing': resign('exp-missing'),
  'other-realm': keycloakToken('other-realm'),
  'other-client': keycloakToken('other-client'),
  'id-token': keycloakToken('id-token'),
  'refresh-token': keycloakToken('refresh-token'),
  'revoked-session': keycloakToken('revoked-session'),
  'disabled-user': keycloakToken('disabled-user'),
};
