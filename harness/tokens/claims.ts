import { decodeJwt } from 'jose';

/** The claims kcbox reads from Keycloak's tokens; every other claim stays available by name. */
export interface KeycloakTokenClaims {
  readonly iss: string;
  readonly sub?: string;
  readonly aud?: string | string[];
  readonly azp?: string;
  /** "Bearer" (access token, RPT), "ID", "Refresh". */
  readonly typ?: string;
  readonly exp?: number;
  readonly iat?: number;
  readonly nbf?: number;
  readonly scope?: string;
  readonly preferred_username?: string;
  readonly email?: string;
  readonly realm_access?: { readonly roles: readonly string[] };
  readonly resource_access?: Readonly<Record<string, { readonly roles: readonly string[] }>>;
  /** RPTs only: what Keycloak's policy decision granted. */
  readonly authorization?: { readonly permissions: readonly GrantedPermission[] };
  readonly [claim: string]: unknown;
}

export interface GrantedPermission {
  readonly rsid?: string;
  readonly rsname?: string;
  readonly scopes?: readonly string[];
}

/** Decodes (does not verify) a JWT's payload: tokens here come straight from Keycloak's token endpoint. */
export function decodeClaims(token: string): KeycloakTokenClaims {
  return decodeJwt(token) as KeycloakTokenClaims;
}

/** `aud` as a list, whatever its JSON shape. */
export function audiences(claims: KeycloakTokenClaims): string[] {
  if (claims.aud === undefined) return [];
  return Array.isArray(claims.aud) ? claims.aud : [claims.aud];
}

/** Scope names granted in an RPT, as `Resource#scope`. */
export function grantedScopes(claims: KeycloakTokenClaims): string[] {
  return (claims.authorization?.permissions ?? []).flatMap((permission) =>
    (permission.scopes ?? []).map((scope) => `${permission.rsname ?? permission.rsid}#${scope}`),
  );
}
