import { ANONYMOUS, type Caller, type MatrixSpec } from './types.js';

/** Who a grid column is; a spec built by hand without `callers` has usernames and anonymous only. */
export function callerOf(spec: Pick<MatrixSpec, 'callers'>, column: string): Caller {
  return spec.callers[column] ?? (column === ANONYMOUS ? { kind: 'anonymous' } : { kind: 'user', username: column, scopes: [] });
}

/** The username a column logs in with, when it is a user who logs in with a password. */
export function usernameOf(spec: Pick<MatrixSpec, 'callers'>, column: string): string | undefined {
  const caller = callerOf(spec, column);
  return caller.kind === 'user' ? caller.username : undefined;
}
