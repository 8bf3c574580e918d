/**
 * Forgers of the claim cases: the valid token's real payload re-signed by the realm signing key
 * with one claim wrong, or a Keycloak-issued token sent unchanged.
 */
import { type Forger, type ForgeContext, bearerAttempt } from './forge-context.js';
import { type JsonObject, compactRs256, withAlgAndKid } from './jws-parts.js';
import type { HostileAttempt, KeycloakTokenCaseId } from './types.js';

/** Claim cases that need `material.realmSigningKey`. */
export type ResignedCaseId =
  | 'expired'
  | 'not-yet-valid'
  | 'iat-future'
  | 'exp-missing'
  | 'iss-other-realm'
  | 'iss-missing'
  | 'aud-other-client'
  | 'typ-id'
  | 'typ-refresh';

/** The cases of the catalog's "Claims" section. */
export type ClaimCaseId = ResignedCaseId | KeycloakTokenCaseId;

/** Claim cases forged only with `material.realmSigningKey`. */
export const RESIGNED_CASE_IDS: readonly ResignedCaseId[] = [
  'expired',
  'not-yet-valid',
  'iat-future',
  'exp-missing',
  'iss-other-realm',
  'iss-missing',
  'aud-other-client',
  'typ-id',
  'typ-refresh',
];

/** The client a re-signed token names in aud and azp: none of the realm's, never the API. */
export const OTHER_CLIENT_ID = 'kcbox-other-client';

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

/** The issuer of a realm next to this one on the same Keycloak: `…/realms/inventory` → `…/realms/inventory-sibling`. */
function siblingIssuer(iss: unknown): string {
  return typeof iss === 'string' ? `${iss.replace(/\/+$/, '')}-sibling` : 'http://127.0.0.1/realms/kcbox-sibling';
}

/**
 * How each re-signed case changes the payload, given now in epoch seconds and the real payload.
 * Apart from the claim under test the token is valid, and keeps the user's roles: a backend that
 * refuses it can only have done so for that claim.
 */
const CLAIM_CHANGES: Readonly<
  Record<ResignedCaseId, { readonly variant: string; readonly change: (now: number, payload: JsonObject) => JsonObject }>
> = {
  expired: { variant: 'exp an hour ago, iat two hours ago', change: (now) => ({ iat: now - 2 * HOUR, exp: now - HOUR, nbf: undefined }) },
  'not-yet-valid': { variant: 'nbf an hour ahead', change: (now) => ({ iat: now, nbf: now + HOUR, exp: now + 2 * HOUR }) },
  'iat-future': { variant: 'iat an hour ahead', change: (now) => ({ iat: now + HOUR, exp: now + 2 * HOUR, nbf: undefined }) },
  'exp-missing': { variant: 'no exp', change: (now) => ({ iat: now, exp: undefined, nbf: undefined }) },
  'iss-other-realm': { variant: 'iss of a sibling realm', change: (_now, payload) => ({ iss: siblingIssuer(payload.iss) }) },
  'iss-missing': { variant: 'no iss', change: () => ({ iss: undefined }) },
  'aud-other-client': {
    variant: `aud and azp "${OTHER_CLIENT_ID}"`,
    change: () => ({ aud: OTHER_CLIENT_ID, azp: OTHER_CLIENT_ID }),
  },
  'typ-id': { variant: 'typ "ID"', change: () => ({ typ: 'ID' }) },
  'typ-refresh': { variant: 'typ "Refresh"', change: () => ({ typ: 'Refresh' }) },
};

function resign(id: ResignedCaseId): Forger {
  return ({ valid, realmSigningKey, nowSeconds }: ForgeContext): HostileAttempt[] => {
    // forgeAttempts skips these cases without a signing key (see unforgeableCases).
    if (!realmSigningKey) return [];
    const { variant, change } = CLAIM_CHANGES[id];
    const payload: JsonObject = { ...valid.payload };
    for (const [claim, value] of Object.entries(change(nowSeconds, valid.payload))) {
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
  'iss-other-realm': resign('iss-other-realm'),
  'iss-missing': resign('iss-missing'),
  'aud-other-client': resign('aud-other-client'),
  'typ-id': resign('typ-id'),
  'typ-refresh': resign('typ-refresh'),
  'other-realm': keycloakToken('other-realm'),
  'other-client': keycloakToken('other-client'),
  'id-token': keycloakToken('id-token'),
  'refresh-token': keycloakToken('refresh-token'),
  'revoked-session': keycloakToken('revoked-session'),
  'disabled-user': keycloakToken('disabled-user'),
};
