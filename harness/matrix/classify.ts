import type { Expectation, Observation, ObservedKind } from './types.js';

/** What a status means under the status conventions: 401/403 deny, 5xx is an error, the rest allow. */
export function kindOfStatus(status: number): ObservedKind {
  if (status >= 500) return 'server-error';
  if (status === 401 || status === 403) return 'denied';
  return 'allowed';
}

export interface Verdict {
  readonly pass: boolean;
  readonly reason: string;
}

const DESCRIBE: Record<ObservedKind, string> = {
  allowed: 'allowed',
  denied: 'denied',
  'server-error': 'a server error',
  'network-error': 'no answer (network error)',
  timeout: 'no answer in time (timeout)',
};

function got(observed: Observation): string {
  return observed.status === undefined ? DESCRIBE[observed.kind] : `${DESCRIBE[observed.kind]} with ${observed.status}`;
}

/**
 * Judges one cell. Server errors, network errors and timeouts never pass: a backend that crashes
 * on a token has not enforced anything. A denial passes only with one of the accepted statuses.
 */
export function judgeCell(expected: Expectation, acceptedDenyStatuses: readonly number[], observed: Observation): Verdict {
  if (observed.kind === 'server-error' || observed.kind === 'network-error' || observed.kind === 'timeout') {
    return { pass: false, reason: `expected ${expected === 'allow' ? 'access' : 'a denial'}, got ${got(observed)}` };
  }
  if (expected === 'allow') {
    return observed.kind === 'allowed'
      ? { pass: true, reason: '' }
      : { pass: false, reason: `Keycloak grants this, but the backend ${got(observed)}` };
  }
  if (observed.kind === 'allowed') return { pass: false, reason: `Keycloak does not grant this, but the backend ${got(observed)}` };
  if (observed.status !== undefined && !acceptedDenyStatuses.includes(observed.status)) {
    return { pass: false, reason: `denied with ${observed.status}, expected ${acceptedDenyStatuses.join(' or ')}` };
  }
  return { pass: true, reason: '' };
}
