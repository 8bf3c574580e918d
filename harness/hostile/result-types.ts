import type { Observation } from '../http/observation.js';
import type { IncompleteWork } from '../matrix/types.js';
import type { HostileCaseId, Severity } from './types.js';

/** How the hostile suite runs inside `kcbox check`. */
export interface HostileOptions {
  /** Case ids to run; default every case of the catalog. */
  readonly cases?: readonly string[] | undefined;
  /** Findings at or above this severity fail the check. Default `high`. */
  readonly failOn?: Severity | undefined;
  /** One protected endpoint per method instead of every protected endpoint. */
  readonly sample?: boolean | undefined;
}

/** How one hostile request was answered, and whether that is right. */
export interface HostileAttemptResult {
  readonly caseId: HostileCaseId;
  readonly variant: string;
  readonly endpoint: string;
  /** The user whose real token the forgery started from. */
  readonly user: string;
  readonly observed: Observation;
  readonly pass: boolean;
  /** No answer even on a fresh connection: neither a refusal nor a finding, listed under `incomplete`. */
  readonly inconclusive?: boolean | undefined;
  /** The severity of a failure: the case's, or `policy` for a refusal with the wrong status. */
  readonly severity: Severity;
  /** Why it failed; empty when it passed. */
  readonly reason: string;
  /** The token sent, only with `showTokens`. */
  readonly token?: string | undefined;
}

/** A failed attempt with what the report needs to explain it. */
export interface HostileFinding {
  readonly caseId: HostileCaseId;
  readonly title: string;
  readonly severity: Severity;
  /** The endpoint, or `(listener)` for a backend that fetched a jku/x5u URL. */
  readonly endpoint: string;
  readonly variant: string;
  readonly status: number | undefined;
  readonly excerpt: string;
  readonly reason: string;
  /** Who could make or obtain such a token: why the severity is what it is. */
  readonly exploitableBy: string;
  readonly fix: string;
  readonly reference: string;
  /** At or above the `failOn` threshold. */
  readonly blocking: boolean;
}

export interface HostileResult {
  readonly failOn: Severity;
  /** Cases that ran, with their severities (the catalog entries). */
  readonly cases: ReadonlyArray<{
    readonly id: HostileCaseId;
    readonly title: string;
    readonly severity: Severity;
    /** Who could make or obtain such a token: why the severity is what it is. */
    readonly exploitableBy: string;
    readonly control: boolean;
  }>;
  /** Cases that could not be forged here, and why. */
  readonly skipped: ReadonlyArray<{ readonly id: HostileCaseId; readonly reason: string }>;
  /** Protected endpoints the suite ran against. */
  readonly endpoints: readonly string[];
  /** Protected endpoints no listed user may call: a refusal there would prove nothing, so they were not attacked. */
  readonly unattacked?: readonly string[];
  readonly attempts: readonly HostileAttemptResult[];
  readonly findings: readonly HostileFinding[];
  /** Requests the jku/x5u listener received: each is a server-side request forgery. */
  readonly listenerRequests: readonly string[];
  /** Findings at or above `failOn`. */
  readonly blocking: number;
  /**
   * What could not be sent or judged because Keycloak, the backend or the machine failed (a case
   * whose Keycloak token could not be had, an attempt with no answer even on a fresh connection).
   */
  readonly incomplete: readonly IncompleteWork[];
}
