import { answerLabel as answer, type Observation } from '../http/observation.js';
import { type HostileCase, SEVERITY_ORDER, type Severity } from './types.js';

export interface AttemptVerdict {
  readonly pass: boolean;
  /** No answer, even on a fresh connection: evidence of nothing, so neither a pass nor a finding. */
  readonly inconclusive?: boolean;
  readonly severity: Severity;
  readonly reason: string;
}

/** Cases whose `kid` could reach a file system, a shell or a database: a slow answer is a finding. */
const LATENCY_CASES = new Set(['kid-inject', 'kid-traversal', 'unknown-kid']);
/** Statuses that refuse a request outright; any other answer means the handler ran. */
const REFUSAL_STATUSES = new Set([400, 401, 403, 431]);
/** Answers about the server's state, not the request's credentials. */
const UNRELATED_STATUSES = new Set([408, 429]);
/** How much slower than the endpoint's valid-token baseline such an answer may be. */
export const ADDED_LATENCY_LIMIT_MS = 2_000;

/** The lower of two severities. */
function atMost(severity: Severity, cap: Severity | undefined): Severity {
  return cap !== undefined && SEVERITY_ORDER.indexOf(cap) < SEVERITY_ORDER.indexOf(severity) ? cap : severity;
}

/**
 * Judges one hostile attempt against the answer a valid token got (`baseline`). Accepted means a
 * 2xx, or exactly the valid token's own answer (a 404 for a missing item is accepted if a valid
 * token gets it too): that is a finding at the case's severity, and so is a 5xx or, for kid
 * tricks, an answer much slower than the valid token's. Any other 3xx or 4xx is a refusal: with one
 * of the case's statuses it passes; with another it is at most advisory ("refused with 403 where
 * 401 is conventional"). Controls must get in; a refused control is the case's finding. No answer
 * at all (after the sender's one retry) is inconclusive: a request nobody answered is evidence of
 * nothing. `severityCap` lowers what a variant can weigh (two identical Authorization lines).
 */
export function judgeAttempt(kase: HostileCase, observed: Observation, baseline: Observation, severityCap?: Severity): AttemptVerdict {
  const severity = atMost(kase.severity, severityCap);
  const fail = (reason: string, weight: Severity = severity) => ({ pass: false, severity: weight, reason });
  // An HTTP server may answer an oversized header with 431 and close the connection before the
  // request is fully sent: the client then sees a reset, which is that same refusal. Only a reset
  // on the fresh connection too counts: a refused connection means the backend went down.
  const lastTry = observed.excerpt.split('then on a fresh connection:').at(-1) ?? '';
  if (
    observed.kind === 'network-error' &&
    kase.acceptedStatuses.includes(431) &&
    /ECONNRESET|EPIPE|socket hang up/.test(lastTry) &&
    !/ECONNREFUSED/.test(lastTry)
  ) {
    return { pass: true, severity, reason: '' };
  }
  const inconclusive = (reason: string): AttemptVerdict => ({ pass: false, inconclusive: true, severity, reason });
  if (observed.kind !== 'answered') return inconclusive(`no answer (${observed.kind}): ${observed.excerpt}`);
  if (observed.status >= 500) return fail(`the backend failed with ${observed.status} instead of refusing the token`);
  // Rate limits and request timeouts say nothing about the token.
  if (UNRELATED_STATUSES.has(observed.status)) return inconclusive(`answered ${observed.status}, which says nothing about the token`);
  const likeValidToken = baseline.kind === 'answered' && baseline.status === observed.status;
  if (kase.control) {
    // The control must be let in: a 2xx, or whatever a valid token written the usual way gets.
    return observed.status < 300 || likeValidToken
      ? { pass: true, severity, reason: '' }
      : fail(`a valid token was refused with ${answer(observed)}`);
  }
  // A valid token already gets this 4xx here (a body the handler rejects): the answer cannot tell.
  if (likeValidToken && REFUSAL_STATUSES.has(observed.status)) {
    return inconclusive(`answered ${observed.status}, as a valid token does here, so the answer cannot tell refusal from acceptance`);
  }
  const refusedAsExpected = kase.acceptedStatuses.includes(observed.status);
  if (!refusedAsExpected && (observed.status < 300 || likeValidToken)) {
    return fail(`the backend accepted it (${answer(observed)}${likeValidToken && observed.status >= 300 ? ', as for a valid token' : ''})`);
  }
  if (LATENCY_CASES.has(kase.id) && observed.durationMs > baseline.durationMs + ADDED_LATENCY_LIMIT_MS) {
    return fail(
      `refused, but after ${observed.durationMs} ms against ${baseline.durationMs} ms for a valid token: the kid reached something slow (a shell, a database, a file or a key fetch)`,
    );
  }
  if (!refusedAsExpected) {
    // Refused all the same: clients cannot tell why, which is worth a note, not an alarm.
    return fail(
      `refused with ${observed.status} where ${kase.acceptedStatuses.join(' or ')} is conventional`,
      atMost('advisory', severity),
    );
  }
  return { pass: true, severity, reason: '' };
}

/** True when `severity` is at or above `threshold`. */
export function atOrAbove(severity: Severity, threshold: Severity, order: readonly Severity[]): boolean {
  return order.indexOf(severity) >= order.indexOf(threshold);
}
