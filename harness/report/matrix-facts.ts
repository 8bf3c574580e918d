/**
 * What every report says about a {@link MatrixResult}, worded once: verdicts, counts, labels.
 * Renderers differ only in layout, so a cell reads the same in the terminal, JUnit and HTML.
 */
import type { CellResult, IncompleteWork, SourceLocation } from '../matrix/types.js';
import type { EndpointSummary, MatrixResult } from '../check/result-types.js';
import type { OpenApiCoverage } from '../openapi/coverage.js';
import { type HostileCounts, countHostile, hostileSummary } from './hostile-facts.js';
import { plural } from './words.js';

export { oneLine, plural, statusLabel } from './words.js';

/**
 * The run as a whole, read from the result as given (as the exit code reads it): `incomplete`
 * when something could not be checked (the run is evidence of nothing, exit 2), else `pass` or
 * `fail` from `result.passed`.
 */
export type Verdict = 'pass' | 'fail' | 'incomplete';

export function verdictOf(result: Pick<MatrixResult, 'incomplete' | 'passed'>): Verdict {
  if (result.incomplete.length > 0) return 'incomplete';
  return result.passed ? 'pass' : 'fail';
}

/** `PASS`, `FAIL`, `INCOMPLETE`. */
export const VERDICT_LABEL: Readonly<Record<Verdict, string>> = { pass: 'PASS', fail: 'FAIL', incomplete: 'INCOMPLETE' };

/** The section listing {@link notChecked}: its title and what it means. */
export const NOT_CHECKED_TITLE = 'Not checked';
export const NOT_CHECKED_NOTE =
  'Keycloak, the backend or the machine failed, so these could not be checked: the run is evidence of nothing either way, and does not pass.';

/**
 * A matrix cell as reports show it: `passed`; `failed` (the backend answered, and not as
 * expected); `inconclusive` (no answer: a timeout or a network error, which shows nothing either
 * way). Read from `cell.pass` and `cell.outcome` as the judge gave them.
 */
export type CellState = 'passed' | 'failed' | 'inconclusive';

export function cellState(cell: CellResult): CellState {
  if (cell.outcome === 'timeout' || cell.outcome === 'network-error') return 'inconclusive';
  return cell.pass ? 'passed' : 'failed';
}

/**
 * `GET /items × bob`: how every report, and the result's `incomplete` list, names a cell; a peer
 * cell adds whose object it was: `GET /items/${owner.id} × bob on alice's object`.
 */
export const cellLabel = (cell: Pick<CellResult, 'endpoint' | 'user' | 'owner' | 'otherTenant'>): string =>
  `${cell.endpoint} × ${cell.user}${isPeerCell(cell) ? ` on ${cell.owner}'s object${cell.otherTenant ? ' (other tenant)' : ''}` : ''}`;

/** A caller acting on another owner's object (object-level, BOLA), as opposed to a role or scope cell. */
export const isPeerCell = (cell: Pick<CellResult, 'user' | 'owner'>): boolean => cell.owner !== undefined && cell.owner !== cell.user;

/** What the peer cells check, in one sentence, for every report's peer section. */
export const PEER_CELLS_TITLE = 'Peer cells (object level)';
export const PEER_CELLS_NOTE =
  "Each caller on every other owner's objects (created fresh for that caller by the setup steps): the endpoint's requirement as Keycloak decides it, narrowed by its ownership rule. A role matrix cannot see a missing owner check; these cells can.";

/** The peer cells of a result; none when the spec had no setup section. */
export const peerCellsOf = (result: Pick<MatrixResult, 'peerCells'>): readonly CellResult[] => result.peerCells ?? [];

/** The peer cells that failed (the backend answered, not as expected). */
export function failedPeerCells(result: MatrixResult): CellResult[] {
  return peerCellsOf(result).filter((cell) => cellState(cell) === 'failed');
}

/** One row of the peer grid: a caller on an object endpoint, a cell per owner (none on its own objects). */
export interface PeerGridRow {
  readonly endpoint: EndpointSummary;
  readonly caller: string;
  readonly cells: readonly (CellResult | undefined)[];
}

/** Rows per (object endpoint, caller), columns per owner, in the result's user order. */
export function peerGrid(result: MatrixResult): { owners: string[]; rows: PeerGridRow[] } {
  const cells = peerCellsOf(result);
  const ownerSet = new Set(cells.map((cell) => cell.owner));
  const owners = result.users.filter((user) => ownerSet.has(user));
  const byKey = new Map(cells.map((cell) => [`${cell.endpoint}\u0000${cell.user}\u0000${cell.owner ?? ''}`, cell]));
  const callersOf = new Map<string, Set<string>>();
  for (const cell of cells) callersOf.set(cell.endpoint, (callersOf.get(cell.endpoint) ?? new Set()).add(cell.user));
  const rows = result.endpoints.flatMap((endpoint) =>
    result.users
      .filter((caller) => callersOf.get(endpoint.id)?.has(caller))
      .map((caller) => ({ endpoint, caller, cells: owners.map((owner) => byKey.get(`${endpoint.id}\u0000${caller}\u0000${owner}`)) })),
  );
  return { owners, rows };
}

/** `Inventory#inventory:view`, and for an object endpoint its ownership rule: `authenticated; owner or role …`. */
export const requirementLabel = (endpoint: Pick<EndpointSummary, 'requirement' | 'ownership'>): string =>
  endpoint.ownership ? `${endpoint.requirement}; ${endpoint.ownership}` : endpoint.requirement;

/** What a grid says about an inconclusive cell, e.g. in a tooltip. */
export const INCONCLUSIVE_CELL = 'inconclusive: no answer, so this shows nothing either way';

/**
 * Everything that could not be checked, each once: the result's `incomplete` list (which already
 * holds the hostile suite's share), then any of the suite's entries or inconclusive cells it does
 * not name, so that nothing goes unreported.
 */
export function notChecked(result: MatrixResult): IncompleteWork[] {
  const listed: IncompleteWork[] = [...result.incomplete];
  const seen = new Set(listed.map((entry) => `${entry.what}\u0000${entry.why}`));
  for (const entry of result.hostile?.incomplete ?? []) {
    if (!seen.has(`${entry.what}\u0000${entry.why}`)) listed.push(entry);
  }
  const named = new Set(listed.map((entry) => entry.what));
  for (const cell of [...result.cells, ...peerCellsOf(result)]) {
    if (cellState(cell) === 'inconclusive' && !named.has(cellLabel(cell))) listed.push({ what: cellLabel(cell), why: failureReason(cell) });
  }
  return listed;
}

/** Tallies shown in every report's summary. */
export interface MatrixCounts {
  readonly cells: number;
  readonly passed: number;
  /** Cells the backend answered, not as expected. */
  readonly failed: number;
  /** Cells without an answer (timeout, network error): neither passed nor failed. */
  readonly inconclusive: number;
  readonly realmFindings: number;
  /** When the run is incomplete ({@link verdictOf}), the things that could not be checked ({@link notChecked}); else 0. */
  readonly incomplete: number;
  /** Present when the hostile-token suite ran. */
  readonly hostile?: HostileCounts;
  /** Present when the matrix has an OpenAPI document (the coverage gate). */
  readonly coverage?: CoverageCounts;
  /** Present when the spec had a setup section: the peer cells, tallied like the cells. */
  readonly peer?: PeerCounts;
}

export interface PeerCounts {
  readonly cells: number;
  readonly passed: number;
  readonly failed: number;
  readonly inconclusive: number;
}

function tally(cells: readonly CellResult[]): PeerCounts {
  const states = cells.map(cellState);
  const count = (state: CellState) => states.filter((value) => value === state).length;
  return { cells: cells.length, passed: count('passed'), failed: count('failed'), inconclusive: count('inconclusive') };
}

/** The coverage gate in numbers: N of M operations covered, the rest skipped or uncovered. */
export interface CoverageCounts {
  readonly operations: number;
  readonly covered: number;
  readonly skipped: number;
  /** Operations with neither a matrix entry nor a skip: findings. */
  readonly uncovered: number;
}

export function countCoverage(coverage: OpenApiCoverage): CoverageCounts {
  return {
    operations: coverage.operations,
    covered: coverage.covered.length,
    skipped: coverage.skipped.length,
    uncovered: coverage.uncovered.length,
  };
}

/** E.g. `OpenAPI coverage: 5 of 7 operations (1 skipped, 1 without a matrix entry)`. */
export function coverageLabel(counts: CoverageCounts): string {
  const rest = [
    ...(counts.skipped > 0 ? [`${counts.skipped} skipped`] : []),
    ...(counts.uncovered > 0 ? [`${counts.uncovered} without a matrix entry`] : []),
  ];
  return `OpenAPI coverage: ${counts.covered} of ${plural(counts.operations, 'operation')}${rest.length > 0 ? ` (${rest.join(', ')})` : ''}`;
}

/** The section listing uncovered operations: its title and what it means. */
export const UNCOVERED_TITLE = 'OpenAPI operations without a matrix entry';
export const UNCOVERED_NOTE = 'Each is a finding: add a matrix entry that calls it, or list it under openapi.skip with a reason.';

export function countMatrix(result: MatrixResult): MatrixCounts {
  const states = result.cells.map(cellState);
  const count = (state: CellState) => states.filter((value) => value === state).length;
  const counts = {
    cells: result.cells.length,
    passed: count('passed'),
    failed: count('failed'),
    inconclusive: count('inconclusive'),
    realmFindings: result.realmFindings.length,
    incomplete: verdictOf(result) === 'incomplete' ? notChecked(result).length : 0,
  };
  return {
    ...counts,
    ...(result.peerCells ? { peer: tally(result.peerCells) } : {}),
    ...(result.hostile ? { hostile: countHostile(result.hostile) } : {}),
    ...(result.coverage ? { coverage: countCoverage(result.coverage) } : {}),
  };
}

/** E.g. `incomplete: 2 things could not be checked`. */
export const incompleteLabel = (count: number): string => `incomplete: ${plural(count, 'thing')} could not be checked`;

/** E.g. `12 cells: 9 passed, 1 failed, 2 inconclusive` (no `inconclusive` when there is none). */
export function cellsLabel(counts: PeerCounts, noun = 'cell'): string {
  const inconclusive = counts.inconclusive > 0 ? `, ${counts.inconclusive} inconclusive` : '';
  return `${plural(counts.cells, noun)}: ${counts.passed} passed, ${counts.failed} failed${inconclusive}`;
}

export { type HostileCounts, countHostile, hostileSummary };

/**
 * E.g. `12 cells: 11 passed, 1 failed · 0 realm findings`, preceded by `incomplete: 2 things
 * could not be checked · ` when something was not checked, and followed by ` · hostile: 31
 * cases (27 run, 4 skipped), 0 blocking findings (threshold high), 3 below threshold` when the
 * hostile-token suite ran, and by ` · OpenAPI coverage: 5 of 7 operations (…)` with an OpenAPI document.
 */
export function summaryLine(counts: MatrixCounts): string {
  return [
    ...(counts.incomplete > 0 ? [incompleteLabel(counts.incomplete)] : []),
    cellsLabel(counts),
    ...(counts.peer ? [cellsLabel(counts.peer, 'peer cell')] : []),
    plural(counts.realmFindings, 'realm finding'),
    ...(counts.hostile ? [hostileSummary(counts.hostile)] : []),
    ...(counts.coverage ? [coverageLabel(counts.coverage)] : []),
  ].join(' · ');
}

/** The cells that failed (the backend answered, not as expected), in result order; not the inconclusive ones. */
export function failedCells(result: MatrixResult): CellResult[] {
  return result.cells.filter((cell) => cellState(cell) === 'failed');
}

/** Rows per endpoint, columns per user; `undefined` where the result holds no such cell. */
export function cellGrid(result: MatrixResult): (CellResult | undefined)[][] {
  const byKey = new Map(result.cells.map((cell) => [`${cell.endpoint}\u0000${cell.user}`, cell]));
  return result.endpoints.map((endpoint) => result.users.map((user) => byKey.get(`${endpoint.id}\u0000${user}`)));
}

/** `allow`, or `deny (401, 403)` with the statuses that count as that denial. */
export function expectedLabel(cell: CellResult): string {
  return cell.expected === 'allow' ? 'allow' : `deny (${cell.acceptedDenyStatuses.join(', ')})`;
}

/** What happened, as the judge read it: e.g. `server-error 500`, `denied 404`, `timeout`. */
export function observedLabel(cell: CellResult): string {
  return cell.observed.status === undefined ? cell.outcome : `${cell.outcome} ${cell.observed.status}`;
}

/** The cell's reason, or a fallback when the matrix layer left it empty. */
export function failureReason(cell: CellResult): string {
  if (cell.reason) return cell.reason;
  return `Expected ${expectedLabel(cell)}, got ${observedLabel(cell)}.`;
}

/** `file:line`, or undefined when the location is unknown. */
export function locationLabel(source: SourceLocation | undefined): string | undefined {
  return source ? `${source.file}:${source.line}` : undefined;
}

/** E.g. `850 ms`, `12.3 s`. */
export function durationLabel(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}
