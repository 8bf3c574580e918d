/**
 * What every report says about a {@link HostileResult}, worded once: rows per case, a cell per
 * case × endpoint, the order findings are listed in. Renderers differ only in layout.
 */
import { hostileCase } from '../hostile/catalog.js';
import type { HostileAttemptResult, HostileFinding, HostileResult } from '../hostile/result-types.js';
import { HOSTILE_CASE_IDS, type HostileCaseId, SEVERITY_ORDER, type Severity } from '../hostile/types.js';
import { statusLabel } from './matrix-facts.js';

/** One case of the suite, run or skipped. */
export interface HostileCaseRow {
  readonly id: HostileCaseId;
  readonly title: string;
  readonly severity: Severity;
  /** A control: the backend must accept, so passing means "accepted" rather than "refused". */
  readonly control: boolean;
  /** Why the case was not forged; `undefined` when it ran. */
  readonly skipped: string | undefined;
  /** The case's findings, in {@link orderedFindings} order. */
  readonly findings: readonly HostileFinding[];
}

/**
 * How one case fared on one endpoint: `passed` (refused, or accepted for a control), a finding at
 * or above the threshold (`blocking`) or below it, `skipped` (the case was not forged), or
 * `not-run` (no attempt went there, e.g. a case on the `(listener)` column that fetched nothing).
 */
export type HostileCellState = 'passed' | 'blocking' | 'below-threshold' | 'skipped' | 'not-run';

export interface HostileCell {
  readonly caseId: HostileCaseId;
  readonly endpoint: string;
  readonly state: HostileCellState;
  readonly attempts: readonly HostileAttemptResult[];
  /** Blocking first, then by severity. */
  readonly findings: readonly HostileFinding[];
}

export interface HostileGridRow {
  readonly row: HostileCaseRow;
  /** One per {@link HostileGrid.columns} entry. */
  readonly cells: readonly HostileCell[];
}

export interface HostileGrid {
  /** The protected endpoints, then any other place a finding names (the `(listener)`). */
  readonly columns: readonly string[];
  readonly rows: readonly HostileGridRow[];
}

/** The endpoint of a finding that is a request kcbox's jku/x5u listener received. */
export const LISTENER_ENDPOINT = '(listener)';

/** Position in {@link SEVERITY_ORDER}: higher is worse. */
export const severityRank = (severity: Severity): number => SEVERITY_ORDER.indexOf(severity);

const catalogRank = (id: HostileCaseId): number => HOSTILE_CASE_IDS.indexOf(id);

/** Blocking findings first, then by severity (worst first); otherwise in result order. */
export function orderedFindings(hostile: HostileResult): HostileFinding[] {
  return [...hostile.findings].sort(
    (a, b) => Number(b.blocking) - Number(a.blocking) || severityRank(b.severity) - severityRank(a.severity),
  );
}

/** Every case that ran or was skipped, in catalog order. */
export function hostileRows(hostile: HostileResult): HostileCaseRow[] {
  const findings = orderedFindings(hostile);
  const ran = new Set(hostile.cases.map((entry) => entry.id));
  const rows: HostileCaseRow[] = hostile.cases.map((entry) => ({
    id: entry.id,
    title: entry.title,
    severity: entry.severity,
    control: entry.control,
    skipped: undefined,
    findings: findings.filter((finding) => finding.caseId === entry.id),
  }));
  for (const skipped of hostile.skipped) {
    if (ran.has(skipped.id)) continue;
    const entry = hostileCase(skipped.id);
    rows.push({
      id: skipped.id,
      title: entry?.title ?? skipped.id,
      severity: entry?.severity ?? 'advisory',
      control: entry?.control ?? false,
      skipped: skipped.reason,
      findings: [],
    });
  }
  return rows.sort((a, b) => catalogRank(a.id) - catalogRank(b.id));
}

/** The protected endpoints, then every other endpoint a finding names, in order of appearance. */
export function hostileColumns(hostile: HostileResult): string[] {
  const columns = [...hostile.endpoints];
  for (const finding of hostile.findings) if (!columns.includes(finding.endpoint)) columns.push(finding.endpoint);
  return columns;
}

function hostileCell(hostile: HostileResult, row: HostileCaseRow, endpoint: string): HostileCell {
  const attempts = hostile.attempts.filter((attempt) => attempt.caseId === row.id && attempt.endpoint === endpoint);
  const findings = row.findings.filter((finding) => finding.endpoint === endpoint);
  const state: HostileCellState =
    row.skipped !== undefined
      ? 'skipped'
      : findings.some((finding) => finding.blocking)
        ? 'blocking'
        : findings.length > 0
          ? 'below-threshold'
          : attempts.length > 0
            ? 'passed'
            : 'not-run';
  return { caseId: row.id, endpoint, state, attempts, findings };
}

/** Rows per case (catalog order), columns per endpoint. */
export function hostileGrid(hostile: HostileResult): HostileGrid {
  const columns = hostileColumns(hostile);
  const rows = hostileRows(hostile).map((row) => ({ row, cells: columns.map((endpoint) => hostileCell(hostile, row, endpoint)) }));
  return { columns, rows };
}

/** Of the protected endpoints (not the listener), on how many the case passed, and how many it ran on. */
export function endpointTally(hostile: HostileResult, gridRow: HostileGridRow): { readonly passed: number; readonly total: number } {
  const cells = gridRow.cells.filter(
    (cell) => hostile.endpoints.includes(cell.endpoint) && cell.state !== 'not-run' && cell.state !== 'skipped',
  );
  return { passed: cells.filter((cell) => cell.state === 'passed').length, total: cells.length };
}

/** `refused`, or `accepted` for a control case. */
export const passedWord = (row: HostileCaseRow): string => (row.control ? 'accepted' : 'refused');

/** The distinct statuses a cell saw, e.g. `401` or `401 403`: the findings' when it has any, else the attempts'. */
export function hostileStatusLabel(cell: HostileCell): string {
  const labels =
    cell.findings.length > 0
      ? cell.findings.map((finding) =>
          finding.status !== undefined ? String(finding.status) : finding.endpoint === LISTENER_ENDPOINT ? 'fetched' : '—',
        )
      : cell.attempts.map((attempt) => statusLabel(attempt.observed));
  return [...new Set(labels)].join(' ');
}

/** `got 200`; `fetched by the backend` for a request the listener received; else `got no status`. */
export function gotLabel(finding: HostileFinding): string {
  if (finding.status !== undefined) return `got ${finding.status}`;
  return finding.endpoint === LISTENER_ENDPOINT ? 'fetched by the backend' : 'got no status';
}

/** What the excerpt is: the backend's `response`, or the `request` the listener received. */
export const excerptLabel = (finding: HostileFinding): 'request' | 'response' =>
  finding.endpoint === LISTENER_ENDPOINT && finding.status === undefined ? 'request' : 'response';
