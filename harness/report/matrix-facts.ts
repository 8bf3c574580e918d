/**
 * What every report says about a {@link MatrixResult}, worded once: verdicts, counts, labels.
 * Renderers differ only in layout, so a cell reads the same in the terminal, JUnit and HTML.
 */
import type { HostileResult } from '../hostile/result-types.js';
import type { Severity } from '../hostile/types.js';
import type { CellResult, Observation, SourceLocation } from '../matrix/types.js';
import type { MatrixResult } from '../check/result-types.js';

/** Tallies of the hostile-token suite shown in every report's summary. */
export interface HostileCounts {
  /** Cases that ran. */
  readonly cases: number;
  /** Cases that could not be forged here. */
  readonly skipped: number;
  /** Findings at or above `failOn`: each fails the check. */
  readonly blocking: number;
  /** Findings below `failOn`: reported, but the check still passes. */
  readonly belowThreshold: number;
  readonly failOn: Severity;
  /** Requests the jku/x5u listener received (server-side request forgeries). */
  readonly listenerRequests: number;
}

export function countHostile(hostile: HostileResult): HostileCounts {
  const ran = new Set(hostile.cases.map((entry) => entry.id));
  const skipped = new Set(hostile.skipped.map((entry) => entry.id).filter((id) => !ran.has(id)));
  const blocking = hostile.findings.filter((finding) => finding.blocking).length;
  return {
    cases: ran.size,
    skipped: skipped.size,
    blocking,
    belowThreshold: hostile.findings.length - blocking,
    failOn: hostile.failOn,
    listenerRequests: hostile.listenerRequests.length,
  };
}

/** Tallies shown in every report's summary. */
export interface MatrixCounts {
  readonly cells: number;
  readonly passed: number;
  readonly failed: number;
  readonly realmFindings: number;
  /** Present when the hostile-token suite ran. */
  readonly hostile?: HostileCounts;
}

export function countMatrix(result: MatrixResult): MatrixCounts {
  const passed = result.cells.filter((cell) => cell.pass).length;
  const counts = { cells: result.cells.length, passed, failed: result.cells.length - passed, realmFindings: result.realmFindings.length };
  return result.hostile ? { ...counts, hostile: countHostile(result.hostile) } : counts;
}

export const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

/** E.g. `hostile: 31 cases, 0 blocking findings (threshold high), 3 below threshold`; `31 cases run, 2 skipped` when some were skipped. */
export function hostileSummary(counts: HostileCounts): string {
  const cases = `${plural(counts.cases, 'case')}${counts.skipped > 0 ? ` run, ${counts.skipped} skipped` : ''}`;
  return `hostile: ${cases}, ${plural(counts.blocking, 'blocking finding')} (threshold ${counts.failOn}), ${counts.belowThreshold} below threshold`;
}

/**
 * E.g. `12 cells: 11 passed, 1 failed · 0 realm findings`, followed by
 * ` · hostile: 31 cases, 0 blocking findings (threshold high), 3 below threshold` when the
 * hostile-token suite ran.
 */
export function summaryLine(counts: MatrixCounts): string {
  const matrix = `${plural(counts.cells, 'cell')}: ${counts.passed} passed, ${counts.failed} failed · ${plural(counts.realmFindings, 'realm finding')}`;
  return counts.hostile ? `${matrix} · ${hostileSummary(counts.hostile)}` : matrix;
}

/** The cells failing in reports, in result order. */
export function failedCells(result: MatrixResult): CellResult[] {
  return result.cells.filter((cell) => !cell.pass);
}

/** Rows per endpoint, columns per user; `undefined` where the result holds no such cell. */
export function cellGrid(result: MatrixResult): (CellResult | undefined)[][] {
  const byKey = new Map(result.cells.map((cell) => [`${cell.endpoint}\u0000${cell.user}`, cell]));
  return result.endpoints.map((endpoint) => result.users.map((user) => byKey.get(`${endpoint.id}\u0000${user}`)));
}

/** Short status for a grid cell: `200`, `timeout`, `refused`, `no answer`. */
export function statusLabel(observed: Observation): string {
  switch (observed.kind) {
    case 'timeout':
      return 'timeout';
    case 'network-error':
      return /refused/i.test(observed.excerpt) ? 'refused' : 'no answer';
    default:
      return observed.status === undefined ? '—' : String(observed.status);
  }
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

/** Whitespace collapsed to single spaces and cut to `max` characters with an ellipsis. */
export function oneLine(text: string, max = 200): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

/** `file:line`, or undefined when the location is unknown. */
export function locationLabel(source: SourceLocation | undefined): string | undefined {
  return source ? `${source.file}:${source.line}` : undefined;
}

/** E.g. `850 ms`, `12.3 s`. */
export function durationLabel(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}
