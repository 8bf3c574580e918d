/**
 * What `checkMatrix` returns: the matrix cells, the realm's agreement with the spec, and what the
 * further suites found. Reports and renderers read only this, and read `pass`/`passed` as given.
 */
import type { HostileResult } from '../hostile/result-types.js';
import type { OpenApiCoverage } from '../openapi/coverage.js';
import type { CellResult, IncompleteWork, RealmFinding, SourceLocation } from '../matrix/types.js';

export type { IncompleteWork };

/** Milliseconds per phase: realm import and checks, tokens and decisions, backend start (beside the tokens), cells, hostile suite. */
export interface CheckTimings {
  readonly realmMs: number;
  readonly tokensMs: number;
  readonly backendMs: number;
  readonly cellsMs: number;
  readonly hostileMs: number;
}

export interface EndpointSummary {
  readonly id: string;
  readonly method: string;
  readonly path: string;
  /** `public` or the permission, e.g. `Inventory#inventory:view`. */
  readonly requirement: string;
  readonly token: string;
  /** An object endpoint's ownership rule, e.g. `owner only`, `owner or role inventory-api/inventory-admin`. */
  readonly ownership?: string | undefined;
  /** Where the spec declares the endpoint; undefined for a spec given as an object. */
  readonly source?: SourceLocation | undefined;
}

export interface MatrixResult {
  readonly spec: {
    readonly file: string | undefined;
    readonly realm: string;
    readonly client: string;
    readonly backendUrl: string;
  };
  readonly users: readonly string[];
  readonly endpoints: readonly EndpointSummary[];
  /** Endpoint-major order: every user of the first endpoint, then the next. */
  readonly cells: readonly CellResult[];
  /**
   * Object-level (BOLA) cells: each caller on every other owner's objects, each with `owner`. Absent
   * when the spec has no setup section. Role cells of object endpoints (a caller on its own
   * objects) are in `cells`.
   */
  readonly peerCells?: readonly CellResult[] | undefined;
  readonly realmFindings: readonly RealmFinding[];
  /** The tail of the backend's output when kcbox started it. */
  readonly backendOutput: string | undefined;
  readonly startedAt: string;
  readonly durationMs: number;
  readonly timings?: CheckTimings | undefined;
  /** The hostile-token suite; absent when it was switched off. */
  readonly hostile?: HostileResult | undefined;
  /** The coverage gate: which operations of the matrix's OpenAPI document it covers; absent without one. */
  readonly coverage?: OpenApiCoverage | undefined;
  /** What could not be checked because something failed; empty on a complete run. */
  readonly incomplete: readonly IncompleteWork[];
  /** Complete, with no failed cell, no realm finding, no hostile finding at or above the threshold, no uncovered operation. */
  readonly passed: boolean;
}
