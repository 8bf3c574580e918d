/**
 * Every error kcbox throws on purpose is a {@link KcboxError}: a stable `code` to branch on,
 * a message that says what was tried, what was seen and what to do next, and the `cause`.
 */

/** Stable error codes. Never renamed once released: users branch on them. */
export type KcboxErrorCode =
  | 'ERR_KCBOX_USAGE'
  | 'ERR_KCBOX_VERSION'
  | 'ERR_KCBOX_JAVA_NOT_FOUND'
  | 'ERR_KCBOX_DIST_UNAVAILABLE'
  | 'ERR_KCBOX_DIST_INVALID'
  | 'ERR_KCBOX_BUILD_FAILED'
  | 'ERR_KCBOX_START_FAILED'
  | 'ERR_KCBOX_START_TIMEOUT'
  | 'ERR_KCBOX_DOCKER_UNAVAILABLE'
  | 'ERR_KCBOX_REMOTE_UNREACHABLE'
  | 'ERR_KCBOX_ADMIN_LOGIN'
  | 'ERR_KCBOX_REALM_FILE'
  | 'ERR_KCBOX_REALM_INVALID'
  | 'ERR_KCBOX_TOKEN'
  | 'ERR_KCBOX_NO_SERVER'
  | 'ERR_KCBOX_REALM_IMPORT'
  | 'ERR_KCBOX_STATE'
  | 'ERR_KCBOX_MATRIX_SPEC'
  | 'ERR_KCBOX_BACKEND';

export interface KcboxErrorOptions {
  cause?: unknown;
  /** Process exit code the CLI uses for this error. Default 2 (usage or environment error). */
  exitCode?: number;
}

export class KcboxError extends Error {
  readonly code: KcboxErrorCode;
  readonly exitCode: number;

  constructor(code: KcboxErrorCode, message: string, options: KcboxErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.exitCode = options.exitCode ?? 2;
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
