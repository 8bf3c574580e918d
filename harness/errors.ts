/**
 * Every error kcbox throws on purpose is a {@link KcboxError}: a stable `code` to branch on,
 * a message that says what was tried, what was seen and what to do next, and the `cause`.
 */

/**
 * Every code kcbox throws, and the exit code the CLI gives it: one table, so the same failure exits
 * the same way wherever it is caught. 2 is a usage or environment problem (nothing was checked),
 * 1 a negative answer to the question asked (Keycloak refused the token `kcbox token` asked for),
 * 130 an interruption. Codes are never renamed once released: users branch on them.
 */
export const EXIT_CODES = {
  /** A flag or argument is malformed or contradicts another. */
  ERR_KCBOX_USAGE: 2,
  ERR_KCBOX_VERSION: 2,
  ERR_KCBOX_JAVA_NOT_FOUND: 2,
  ERR_KCBOX_DIST_UNAVAILABLE: 2,
  ERR_KCBOX_DIST_INVALID: 2,
  ERR_KCBOX_BUILD_FAILED: 2,
  ERR_KCBOX_START_FAILED: 2,
  ERR_KCBOX_START_TIMEOUT: 2,
  ERR_KCBOX_DOCKER_UNAVAILABLE: 2,
  /** Keycloak does not answer at its URL. */
  ERR_KCBOX_REMOTE_UNREACHABLE: 2,
  ERR_KCBOX_ADMIN_LOGIN: 2,
  /** The CLI's server is known only by KCBOX_URL and no admin user and password were given. */
  ERR_KCBOX_NO_ADMIN_CREDENTIALS: 2,
  /** An admin API call Keycloak answered with an error. */
  ERR_KCBOX_KEYCLOAK_CALL: 2,
  ERR_KCBOX_REALM_FILE: 2,
  ERR_KCBOX_REALM_INVALID: 2,
  /** The realm named (by a flag, a spec or a state file) does not exist on the server. */
  ERR_KCBOX_REALM_NOT_FOUND: 2,
  /** The realm has no such client, or it lacks what the command needs (authorization services, direct grants). */
  ERR_KCBOX_CLIENT_NOT_FOUND: 2,
  ERR_KCBOX_USER_NOT_FOUND: 2,
  /** Keycloak refused the token `kcbox token` asked for: that is the command's answer. */
  ERR_KCBOX_TOKEN: 1,
  /** A user of the matrix cannot get a token, so the matrix cannot run. */
  ERR_KCBOX_MATRIX_TOKEN: 2,
  /** Keycloak's login form refused the user's password (authorization-code flow): like ERR_KCBOX_TOKEN. */
  ERR_KCBOX_LOGIN_CREDENTIALS: 1,
  /** A required action (update password, verify email, configure OTP, terms…) stands between the user and a code. */
  ERR_KCBOX_LOGIN_REQUIRED_ACTION: 2,
  /** Keycloak's login form asks the user's one-time password. */
  ERR_KCBOX_LOGIN_OTP: 2,
  /** Keycloak's login form asks the user's consent for the client. */
  ERR_KCBOX_LOGIN_CONSENT: 2,
  /** Keycloak's login form showed an error page or a page kcbox does not know, or sent no code back. */
  ERR_KCBOX_LOGIN_FLOW: 2,
  ERR_KCBOX_NO_SERVER: 2,
  /** `kcbox up` found the server it recorded still running. */
  ERR_KCBOX_SERVER_RUNNING: 2,
  ERR_KCBOX_REALM_IMPORT: 2,
  ERR_KCBOX_STATE: 2,
  ERR_KCBOX_MATRIX_SPEC: 2,
  /** A drift input (exported settings or realm file) is unreadable or malformed. */
  ERR_KCBOX_DRIFT_INPUT: 2,
  ERR_KCBOX_BACKEND: 2,
  /** An OpenAPI document is unreadable, not OpenAPI 3.0/3.1, or has a $ref that cannot be resolved. */
  ERR_KCBOX_OPENAPI: 2,
  /** `kcbox init` would overwrite a file that exists (without --force). */
  ERR_KCBOX_OUT_EXISTS: 2,
  /** A report file could not be written; the result was shown first. */
  ERR_KCBOX_REPORT_WRITE: 2,
  /** A CA file is unreadable, or TLS was asked of a server that does not serve it. */
  ERR_KCBOX_TLS: 2,
  /** SIGINT or SIGTERM: everything created was removed. */
  ERR_KCBOX_INTERRUPTED: 130,
} as const;

export type KcboxErrorCode = keyof typeof EXIT_CODES;

export interface KcboxErrorOptions {
  cause?: unknown;
}

export class KcboxError extends Error {
  readonly code: KcboxErrorCode;

  constructor(code: KcboxErrorCode, message: string, options: KcboxErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
  }

  /** The CLI's exit code for this error, from {@link EXIT_CODES}. */
  get exitCode(): number {
    return EXIT_CODES[this.code];
  }
}

/** Keycloak did not start or did not become ready; carries the tail of its log. */
export class KeycloakStartError extends KcboxError {
  readonly logFile: string | undefined;
  readonly logTail: readonly string[];

  constructor(
    code: 'ERR_KCBOX_START_FAILED' | 'ERR_KCBOX_START_TIMEOUT' | 'ERR_KCBOX_BUILD_FAILED',
    summary: string,
    details: { logFile?: string; logTail?: readonly string[]; cause?: unknown },
  ) {
    const tail = details.logTail ?? [];
    const parts = [summary];
    if (details.logFile) parts.push(`Full log: ${details.logFile}`);
    if (tail.length > 0) parts.push(`Last ${tail.length} log lines:\n${tail.join('\n')}`);
    super(code, parts.join('\n'), { cause: details.cause });
    this.logFile = details.logFile;
    this.logTail = tail;
  }
}

export function isKcboxError(error: unknown): error is KcboxError {
  return error instanceof KcboxError;
}

/** A one-line description of any thrown value, for messages that wrap it. */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
    return `${error.message}${cause}`;
  }
  return String(error);
}
