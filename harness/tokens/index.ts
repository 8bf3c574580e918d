export { decodeClaims, audiences, grantedScopes } from './claims.js';
export type { KeycloakTokenClaims, GrantedPermission } from './claims.js';
export {
  passwordGrant,
  authorizationCodeGrant,
  clientCredentialsGrant,
  refreshGrant,
  rptGrant,
  umaDecision,
  umaPermissions,
} from './token-client.js';
export type { TokenRealm, OAuthClient, UserCredentials, TokenSet, UmaRequest, AuthorizationCode } from './token-client.js';
export { loginTokens, chooseLoginFlow, loginClientOf } from './user-login.js';
export type { LoginClient, LoginFlow, ClientFlowFields } from './user-login.js';
export { LoginError } from './login-error.js';
export type { LoginErrorCode } from './login-error.js';
export { TokenCache } from './token-cache.js';
export type { TokenCacheKey, TokenCacheOptions, TokenKind } from './token-cache.js';
export { TokenError } from './token-error.js';
