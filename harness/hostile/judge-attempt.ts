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
/** How much slower than the endpoint's valid-token baseline such an answer may be. */
export const ADDED_LATENCY_LIMIT_MS = 2_000;

/**
 * Judges one hostile attempt. A refusal must carry one of the case's statuses; a refusal with
 * another 4xx is a `policy` finding (refused, but clients cannot tell why); acceptance, a 5xx, or
 * (for kid tricks) an answer much slower than a valid token's is a finding at the case's severity.
 * Controls must be accepted. No answer at all (after the sender's one retry) is inconclusive: a
 * request nobody answered is evidence of nothing.
 */
export function judgeAttempt(kase: HostileCase, observed: Observation, baselineMs: number): AttemptVerdict {
  const fail = (reason: string, severity: Severity = kase.severity) => ({ pass: false, severity, reason });
  // An HTTP server may answer an oversized header with 431 and close the connection before the
  // request is fully sent: the client then sees a reset, which is that same refusal.
  if (
    observed.kind === 'network-error' &&
    kase.acceptedStatuses.includes(431) &&
    /ECONNRESET|EPIPE|socket hang up/.test(observed.excerpt)
  ) {
    return { pass: true, severity: kase.severity, reason: '' };
  }
  if (observed.kind !== 'answered') {
    return { pass: false, inconclusive: true, severity: kase.severity, reason: `no answer (${observed.kind}): ${observed.excerpt}` };
  }
  if (observed.status >= 500) return fail(`the backend failed with ${observed.status} instead of refusing the token`);
  if (kase.control) {
    return observed.status === 401 || observed.status === 403
      ? fail(`a valid token was refused with ${answer(observed)}`)
      : { pass: true, severity: kase.severity, reason: '' };
  }
  const refusedAsExpected = kase.acceptedStatuses.includes(observed.status);
  if (!refusedAsExpected && !REFUSAL_STATUSES.has(observed.status)) return fail(`the backend accepted it (${answer(observed)})`);
  if (LATENCY_CASES.has(kase.id) && observed.durationMs > baselineMs + ADDED_LATENCY_LIMIT_MS) {
    return fail(
      `refused, but after ${observed.durationMs} ms against ${baselineMs} ms for a valid token: the kid reached something slow (a shell, a database, a file or a key fetch)`,
    );
  }
  if (!refusedAsExpected) {
    // Refused all the same: at most a policy matter, never above the case's own severity.
    const severity = SEVERITY_ORDER.indexOf(kase.severity) < SEVERITY_ORDER.indexOf('policy') ? kase.severity : 'policy';
    return fail(`refused with ${observed.status}; expected ${kase.acceptedStatuses.join(' or ')}`, severity);
  }
  return { pass: true, severity: kase.severity, reason: '' };
}

/** True when `severity` is at or above `threshold`. */
export function atOrAbove(severity: Severity, threshold: Severity, order: readonly Severity[]): boolean {
  return order.indexOf(severity) >= order.indexOf(threshold);
}
