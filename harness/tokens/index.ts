export { decodeClaims, audiences, grantedScopes } from './claims.js';
export type { KeycloakTokenClaims, GrantedPermission } from './claims.js';
export { passwordGrant, clientCredentialsGrant, refreshGrant, rptGrant, umaDecision, umaPermissions } from './token-client.js';
export type { TokenRealm, OAuthClient, UserCredentials, TokenSet, UmaRequest } from './token-client.js';
export { TokenCache } from './token-cache.js';
export type { TokenCacheKey, TokenCacheOptions, TokenKind } from './token-cache.js';
export { TokenError } from './token-error.js';
