import { answerLabel, type Observation } from '../http/observation.js';
import type { CellOutcome, Expectation } from './types.js';

/** The statuses every backend uses to refuse, whatever the spec accepts as the right refusal. */
const UNIVERSAL_REFUSALS: readonly number[] = [401, 403];

export interface CellVerdict {
  /** What the backend did, read with the endpoint's deny statuses. */
  readonly outcome: CellOutcome;
  readonly pass: boolean;
  /** Why it failed, in one sentence; empty when it passed. */
  readonly reason: string;
}

/** What the observation means for an endpoint that refuses with `acceptedDenyStatuses`. */
export function outcomeOf(observed: Observation, acceptedDenyStatuses: readonly number[]): CellOutcome {
  if (observed.kind !== 'answered') return observed.kind;
  if (observed.status >= 500) return 'server-error';
  return acceptedDenyStatuses.includes(observed.status) || UNIVERSAL_REFUSALS.includes(observed.status) ? 'denied' : 'allowed';
}

const DESCRIBE: Record<CellOutcome, string> = {
  allowed: 'allowed it',
  denied: 'denied it',
  'server-error': 'failed',
  'network-error': 'gave no answer (network error)',
  timeout: 'gave no answer in time (timeout)',
};

function what(outcome: CellOutcome, observed: Observation): string {
  return observed.kind === 'answered' ? `${DESCRIBE[outcome]} with ${observed.status}` : DESCRIBE[outcome];
}

/**
 * The one place a matrix cell is judged. A status in the endpoint's accepted deny statuses (any
 * status: 404, 400, a 302 to a login page…) is a denial, and so are 401 and 403 always; a 5xx, a
 * network error or a timeout never passes: a backend that crashes on a token has enforced nothing.
 * A denial passes only with one of the accepted statuses.
 */
export function judgeCell(expected: Expectation, acceptedDenyStatuses: readonly number[], observed: Observation): CellVerdict {
  const outcome = outcomeOf(observed, acceptedDenyStatuses);
  const fail = (reason: string): CellVerdict => ({ outcome, pass: false, reason });
  switch (outcome) {
    case 'server-error':
    case 'network-error':
    case 'timeout':
      return fail(`expected ${expected === 'allow' ? 'access' : 'a denial'}, but the backend ${what(outcome, observed)}`);
    case 'allowed':
      return expected === 'allow'
        ? { outcome, pass: true, reason: '' }
        : fail(`Keycloak does not grant this, but the backend ${what(outcome, observed)}`);
    case 'denied':
      if (expected === 'allow') return fail(`Keycloak grants this, but the backend ${what(outcome, observed)}`);
      return acceptedDenyStatuses.includes(observed.status as number)
        ? { outcome, pass: true, reason: '' }
        : fail(`denied with ${answerLabel(observed)}, expected ${acceptedDenyStatuses.join(' or ')}`);
  }
}
