/**
 * What every report says about a {@link HostileResult}, worded once: rows per case, a cell per
 * case × endpoint, the counts, the order findings are listed in. Renderers differ only in layout.
 */
import { hostileCase } from '../hostile/catalog.js';
import type { HostileAttemptResult, HostileFinding, HostileResult } from '../hostile/result-types.js';
import { HOSTILE_CASE_IDS, type HostileCaseId, SEVERITY_ORDER, type Severity } from '../hostile/types.js';
import { plural, statusLabel } from './words.js';

/**
 * How a case fared as a whole: a finding at or above the threshold (`blocking`) or below it;
 * `inconclusive` (some attempt got no answer, and nothing else went wrong); `passed` (every
 * attempt refused, or accepted for a control); `skipped` (it could not be forged here: no attempt);
 * `not-checked` (Keycloak, the backend or the machine kept it from running: no attempt);
 * `not-run` (no attempt, and no reason given).
 */
export type HostileCaseState = 'passed' | 'blocking' | 'below-threshold' | 'inconclusive' | 'skipped' | 'not-checked' | 'not-run';

/** One case of the suite, run, skipped or not checked. */
export interface HostileCaseRow {
  readonly id: HostileCaseId;
  readonly title: string;
  readonly severity: Severity;
  /** A control: the backend must accept, so passing means "accepted" rather than "refused". */
  readonly control: boolean;
  /**
   * Why the case could not be forged (`HostileResult.skipped`); `undefined` when it was not
   * skipped. A case with attempts as well was skipped only for some endpoints.
   */
  readonly skipped: string | undefined;
  /**
   * Why Keycloak, the backend or the machine kept the case from running (the suite's `incomplete`
   * entry `hostile <id>`); `undefined` when nothing did.
   */
  readonly notChecked: string | undefined;
  /** Attempts sent for this case, on any endpoint. */
  readonly attempts: number;
  /** Of those, the ones that got no answer even on a fresh connection: neither a refusal nor a finding. */
  readonly inconclusive: number;
  /** The case's findings, in {@link orderedFindings} order. */
  readonly findings: readonly HostileFinding[];
  readonly state: HostileCaseState;
}

/**
 * How one case fared on one endpoint: as {@link HostileCaseState}, where `skipped` and
 * `inconclusive` may hold for one endpoint only, and `not-run` means no attempt went there (e.g.
 * a case on the `(listener)` column that fetched nothing).
 */
export type HostileCellState = 'passed' | 'blocking' | 'below-threshold' | 'inconclusive' | 'skipped' | 'not-run';

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

/** What the suite's `incomplete` list calls a whole case that could not run, e.g. `hostile other-realm`. */
export const incompleteCaseLabel = (id: HostileCaseId): string => `hostile ${id}`;

/** What the suite's `incomplete` list calls an attempt that got no answer, e.g. `hostile none · GET /items · alg "none"`. */
export const incompleteAttemptLabel = (attempt: HostileAttemptResult): string =>
  `hostile ${attempt.caseId} · ${attempt.endpoint} · ${attempt.variant}`;

function caseState(row: Omit<HostileCaseRow, 'state'>): HostileCaseState {
  if (row.findings.some((finding) => finding.blocking)) return 'blocking';
  if (row.findings.length > 0) return 'below-threshold';
  if (row.attempts === 0) return row.skipped !== undefined ? 'skipped' : row.notChecked !== undefined ? 'not-checked' : 'not-run';
  return row.inconclusive > 0 || row.notChecked !== undefined ? 'inconclusive' : 'passed';
}

/**
 * Every case that was chosen, in catalog order: those in `cases` and those in `skipped` (a case
 * skipped at run time is in both, and is a skipped case all the same).
 */
export function hostileRows(hostile: HostileResult): HostileCaseRow[] {
  const findings = orderedFindings(hostile);
  const skipped = new Map(hostile.skipped.map((entry) => [entry.id, entry.reason]));
  const notChecked = new Map(hostile.incomplete.map((entry) => [entry.what, entry.why]));
  const entries = new Map(hostile.cases.map((entry) => [entry.id, entry]));
  for (const { id } of hostile.skipped) {
    if (entries.has(id)) continue;
    const entry = hostileCase(id);
    entries.set(id, {
      id,
      title: entry?.title ?? id,
      severity: entry?.severity ?? 'advisory',
      exploitableBy: entry?.exploitableBy ?? '',
      control: entry?.control ?? false,
    });
  }
  const rows = [...entries.values()].map((entry): HostileCaseRow => {
    const attempts = hostile.attempts.filter((attempt) => attempt.caseId === entry.id);
    const row = {
      ...entry,
      skipped: skipped.get(entry.id),
      notChecked: notChecked.get(incompleteCaseLabel(entry.id)),
      attempts: attempts.length,
      inconclusive: attempts.filter((attempt) => attempt.inconclusive).length,
      findings: findings.filter((finding) => finding.caseId === entry.id),
    };
    return { ...row, state: caseState(row) };
  });
  return rows.sort((a, b) => catalogRank(a.id) - catalogRank(b.id));
}

/** The protected endpoints, then every other endpoint a finding names, in order of appearance. */
export function hostileColumns(hostile: HostileResult): string[] {
  const columns = [...hostile.endpoints];
  for (const finding of hostile.findings) if (!columns.includes(finding.endpoint)) columns.push(finding.endpoint);
  return columns;
}

function cellState(
  hostile: HostileResult,
  row: HostileCaseRow,
  endpoint: string,
  attempts: readonly HostileAttemptResult[],
  findings: readonly HostileFinding[],
): HostileCellState {
  if (findings.some((finding) => finding.blocking)) return 'blocking';
  if (findings.length > 0) return 'below-threshold';
  if (attempts.length === 0) {
    if (row.skipped !== undefined) return 'skipped';
    return row.notChecked !== undefined && hostile.endpoints.includes(endpoint) ? 'inconclusive' : 'not-run';
  }
  return attempts.some((attempt) => attempt.inconclusive) ? 'inconclusive' : 'passed';
}

function hostileCell(hostile: HostileResult, row: HostileCaseRow, endpoint: string): HostileCell {
  const attempts = hostile.attempts.filter((attempt) => attempt.caseId === row.id && attempt.endpoint === endpoint);
  const findings = row.findings.filter((finding) => finding.endpoint === endpoint);
  return { caseId: row.id, endpoint, state: cellState(hostile, row, endpoint, attempts, findings), attempts, findings };
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
export const passedWord = (row: Pick<HostileCaseRow, 'control'>): string => (row.control ? 'accepted' : 'refused');

/** E.g. `2 attempts inconclusive (no answer)`. */
export const inconclusiveAttemptsLabel = (count: number): string => `${plural(count, 'attempt')} inconclusive (no answer)`;

/**
 * A case's result in words, the same in every report (each adds its own mark for the state):
 * `refused`, `2 findings`, `skipped: <reason>`, `not checked: <why>`, `1 attempt inconclusive
 * (no answer), 3 refused`, `no attempt sent`; then what held for some endpoints only, e.g.
 * `refused; skipped on some endpoints: <reason>`.
 */
export function caseResultText(row: HostileCaseRow): string {
  const parts: string[] = [];
  switch (row.state) {
    case 'skipped':
      return `skipped: ${row.skipped ?? ''}`;
    case 'not-checked':
      return `not checked: ${row.notChecked ?? ''}`;
    case 'not-run':
      return 'no attempt sent';
    case 'blocking':
    case 'below-threshold':
      parts.push(plural(row.findings.length, 'finding'));
      break;
    case 'inconclusive':
    case 'passed':
      if (row.inconclusive === 0) parts.push(passedWord(row));
  }
  if (row.inconclusive > 0) parts.push(inconclusiveAttemptsLabel(row.inconclusive));
  // With no finding, every answered attempt was refused (accepted, for a control).
  const answered = row.attempts - row.inconclusive;
  if (row.inconclusive > 0 && row.findings.length === 0 && answered > 0) parts.push(`${answered} ${passedWord(row)}`);
  const partly = [
    ...(row.skipped !== undefined ? [`skipped on some endpoints: ${row.skipped}`] : []),
    ...(row.notChecked !== undefined ? [`not checked on some endpoints: ${row.notChecked}`] : []),
  ];
  return [parts.join(', '), ...partly].join('; ');
}

/** The distinct statuses a cell saw, e.g. `401` or `401 403`: the findings' when it has any, else the attempts'. */
export function hostileStatusLabel(cell: HostileCell): string {
  const labels =
    cell.findings.length > 0
      ? cell.findings.map((finding) =>
          finding.status !== undefined ? String(finding.status) : finding.endpoint === LISTENER_ENDPOINT ? 'fetched' : '—',
        )
      : cell.attempts.map((attempt) => statusLabel(attempt.observed));
  if (labels.length === 0 && cell.state === 'inconclusive') return 'not checked';
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

/** Tallies of the hostile-token suite shown in every report's summary. */
export interface HostileCounts {
  /** Every case chosen: run, skipped or not checked. */
  readonly cases: number;
  /** Cases that sent at least one attempt. */
  readonly run: number;
  /** Cases that could not be forged here, so sent nothing. */
  readonly skipped: number;
  /** Cases Keycloak, the backend or the machine kept from sending anything. */
  readonly notChecked: number;
  /** Findings at or above `failOn`: each fails the check. */
  readonly blocking: number;
  /** Findings below `failOn`: reported, but the check still passes. */
  readonly belowThreshold: number;
  /** Attempts that got no answer even on a fresh connection: neither refusals nor findings. */
  readonly inconclusive: number;
  readonly failOn: Severity;
  /** Requests the jku/x5u listener received (server-side request forgeries). */
  readonly listenerRequests: number;
}

export function countHostile(hostile: HostileResult): HostileCounts {
  const rows = hostileRows(hostile);
  const blocking = hostile.findings.filter((finding) => finding.blocking).length;
  const skipped = rows.filter((row) => row.state === 'skipped').length;
  const notChecked = rows.filter((row) => row.state === 'not-checked').length;
  return {
    cases: rows.length,
    run: rows.filter((row) => row.attempts > 0).length,
    skipped,
    notChecked,
    blocking,
    belowThreshold: hostile.findings.length - blocking,
    inconclusive: hostile.attempts.filter((attempt) => attempt.inconclusive).length,
    failOn: hostile.failOn,
    listenerRequests: hostile.listenerRequests.length,
  };
}

/** `27 run, 4 skipped` (and `, 1 not checked`, `, 2 sent nothing`); `undefined` when every case ran. */
function caseBreakdown(counts: HostileCounts): string | undefined {
  const notRun = counts.cases - counts.run - counts.skipped - counts.notChecked;
  const parts = [
    `${counts.run} run`,
    ...(counts.skipped > 0 ? [`${counts.skipped} skipped`] : []),
    ...(counts.notChecked > 0 ? [`${counts.notChecked} not checked`] : []),
    ...(notRun > 0 ? [`${notRun} sent nothing`] : []),
  ];
  return parts.length > 1 ? parts.join(', ') : undefined;
}

/** E.g. `31 cases: 27 run, 4 skipped`; `31 cases` when every case ran. */
export function hostileCasesLabel(counts: HostileCounts): string {
  const breakdown = caseBreakdown(counts);
  return `${plural(counts.cases, 'case')}${breakdown ? `: ${breakdown}` : ''}`;
}

/**
 * E.g. `hostile: 31 cases (27 run, 4 skipped), 0 blocking findings (threshold high), 3 below
 * threshold`, then `, 2 attempts inconclusive (no answer)` when some got no answer.
 */
export function hostileSummary(counts: HostileCounts): string {
  const breakdown = caseBreakdown(counts);
  const cases = `${plural(counts.cases, 'case')}${breakdown ? ` (${breakdown})` : ''}`;
  const inconclusive = counts.inconclusive > 0 ? `, ${inconclusiveAttemptsLabel(counts.inconclusive)}` : '';
  return `hostile: ${cases}, ${plural(counts.blocking, 'blocking finding')} (threshold ${counts.failOn}), ${counts.belowThreshold} below threshold${inconclusive}`;
}
