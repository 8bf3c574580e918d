import { KcboxError } from '../errors.js';

export type LoginErrorCode =
  | 'ERR_KCBOX_LOGIN_CREDENTIALS'
  | 'ERR_KCBOX_LOGIN_REQUIRED_ACTION'
  | 'ERR_KCBOX_LOGIN_OTP'
  | 'ERR_KCBOX_LOGIN_CONSENT'
  | 'ERR_KCBOX_LOGIN_FLOW';

/**
 * Keycloak's login form (authorization-code flow) stopped short of a code: a wrong password, a
 * required action, a one-time password, a consent screen, or an error page. `page` is what
 * Keycloak showed, in its own words where it gave any.
 */
export class LoginError extends KcboxError {
  constructor(
    code: LoginErrorCode,
    message: string,
    readonly page: string,
  ) {
    super(code, message);
  }
}
