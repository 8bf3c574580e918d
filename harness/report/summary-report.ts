/**
 * A short markdown summary for a CI job page (GitHub's `GITHUB_STEP_SUMMARY`): the verdict, the
 * counts, a grid of only the endpoints and users with a mismatch, the blocking hostile findings and
 * what could not be checked. Every list is capped, so even a large matrix stays far below the
 * 1 MiB GitHub keeps; the full story is in the other reports.
 */
import type { MatrixResult } from '../check/result-types.js';
import type { CellResult } from '../matrix/types.js';
import { gotLabel, orderedFindings } from './hostile-facts.js';
import { code, plain, tableRow } from './markdown-text.js';
import {
  NOT_CHECKED_NOTE,
  NOT_CHECKED_TITLE,
  UNCOVERED_NOTE,
  UNCOVERED_TITLE,
  VERDICT_LABEL,
  type Verdict,
  cellGrid,
  cellState,
  countMatrix,
  durationLabel,
  expectedLabel,
  failedCells,
  failedPeerCells,
  PEER_CELLS_NOTE,
  locationLabel,
  notChecked,
  observedLabel,
  oneLine,
  plural,
  statusLabel,
  summaryLine,
  verdictOf,
} from './matrix-facts.js';
import { kcboxVersion } from '../package-info.js';

/** How much of each list the summary shows; the rest is counted in an "and N more" line. */
export interface SummaryLimits {
  /** Endpoints (rows) of the mismatch grid. */
  readonly rows: number;
  /** Users (columns) of the mismatch grid. */
  readonly columns: number;
  /** Items of each list: realm findings, blocking findings, what was not checked. */
  readonly items: number;
}

export const SUMMARY_LIMITS: SummaryLimits = { rows: 25, columns: 8, items: 10 };

const VERDICT_MARKS: Readonly<Record<Verdict, string>> = { pass: '✅', fail: '❌', incomplete: '⚠️' };

/** Names from the spec are the user's: long ones are cut, so no row can grow without bound. */
const name = (text: string) => oneLine(text, 80);

const more = (count: number, what: string) => (count > 0 ? [`- … and ${count} more ${what}`] : []);

function capped<T>(items: readonly T[], limit: number): { shown: T[]; rest: number } {
  return { shown: items.slice(0, limit), rest: Math.max(0, items.length - limit) };
}

function gridCell(cell: CellResult | undefined): string {
  if (!cell) return '·';
  switch (cellState(cell)) {
    case 'failed':
      return `❌ ${statusLabel(cell.observed)}, expected ${expectedLabel(cell)}`;
    case 'inconclusive':
      return '❔';
    default:
      return '✅';
  }
}

/** Rows and columns that hold a failed cell, and only those. */
function mismatchGrid(result: MatrixResult, limits: SummaryLimits): string | undefined {
  const failed = failedCells(result);
  if (failed.length === 0) return undefined;
  const failing = new Set(failed.map((cell) => `${cell.endpoint}\u0000${cell.user}`));
  const grid = cellGrid(result);
  const rowIndexes = result.endpoints.flatMap((endpoint, index) =>
    result.users.some((user) => failing.has(`${endpoint.id}\u0000${user}`)) ? [index] : [],
  );
  const columnIndexes = result.users.flatMap((user, index) =>
    result.endpoints.some((endpoint) => failing.has(`${endpoint.id}\u0000${user}`)) ? [index] : [],
  );
  const rows = capped(rowIndexes, limits.rows);
  const columns = capped(columnIndexes, limits.columns);
  const lines = [
    tableRow(['Endpoint', 'Requires', ...columns.shown.map((index) => plain(name(result.users[index] ?? '')))]),
    tableRow(['---', '---', ...columns.shown.map(() => ':---:')]),
    ...rows.shown.map((index) => {
      const endpoint = result.endpoints[index]!;
      const cells = columns.shown.map((column) => gridCell(grid[index]?.[column]));
      return tableRow([code(name(`${endpoint.method} ${endpoint.path}`)), code(name(endpoint.requirement)), ...cells]);
    }),
  ];
  const hidden = [
    ...(rows.rest > 0 ? [plural(rows.rest, 'more endpoint')] : []),
    ...(columns.rest > 0 ? [plural(columns.rest, 'more user')] : []),
  ];
  const note = hidden.length > 0 ? `\n\n… and ${hidden.join(' and ')} with mismatches: see the full report.` : '';
  return `### Mismatching cells (${failed.length})\n\n${lines.join('\n')}${note}`;
}

/** Failed peer cells, apart from the role grid: each names the caller and whose object it was. */
function peerMismatches(result: MatrixResult, limits: SummaryLimits): string | undefined {
  const failed = failedPeerCells(result);
  if (failed.length === 0) return undefined;
  const { shown, rest } = capped(failed, limits.items);
  const items = shown.map(
    (cell) =>
      `- ❌ ${code(name(cell.endpoint))} × ${plain(name(cell.user))} on ${plain(name(cell.owner ?? ''))}'s object${cell.otherTenant ? ' (other tenant)' : ''}: expected ${expectedLabel(cell)}, got ${observedLabel(cell)}`,
  );
  return `### Mismatching peer cells (${failed.length})\n\n${plain(PEER_CELLS_NOTE)}\n\n${[...items, ...more(rest, 'peer cells')].join('\n')}`;
}

function realmFindings(result: MatrixResult, limits: SummaryLimits): string | undefined {
  if (result.realmFindings.length === 0) return undefined;
  const { shown, rest } = capped(result.realmFindings, limits.items);
  const items = shown.map((finding) => {
    const where = locationLabel(finding.source);
    return `- ⚠️ ${code(name(finding.endpoint))} × ${plain(name(finding.user))} (${code(name(finding.permission))}): spec declared ${finding.declared}, Keycloak says ${finding.keycloak}${where ? ` (${code(name(where))})` : ''}`;
  });
  return `### Realm findings (${result.realmFindings.length})\n\n${[...items, ...more(rest, 'realm findings')].join('\n')}`;
}

function blockingFindings({ hostile }: MatrixResult, limits: SummaryLimits): string | undefined {
  const blocking = hostile ? orderedFindings(hostile).filter((finding) => finding.blocking) : [];
  if (!hostile || blocking.length === 0) return undefined;
  const { shown, rest } = capped(blocking, limits.items);
  const items = shown.map(
    (finding) =>
      `- ❌ **${code(finding.caseId)}** on ${code(name(finding.endpoint))} (${finding.severity}), ${code(name(finding.variant))}: ${gotLabel(finding)}. ${plain(oneLine(finding.reason))} Fix: ${plain(oneLine(finding.fix))}`,
  );
  return `### Blocking hostile findings (${blocking.length}, threshold ${code(hostile.failOn)})\n\n${[...items, ...more(rest, 'blocking findings')].join('\n')}`;
}

function uncoveredSection({ coverage }: MatrixResult, limits: SummaryLimits): string | undefined {
  if (!coverage || coverage.uncovered.length === 0) return undefined;
  const { shown, rest } = capped(coverage.uncovered, limits.items);
  const items = shown.map((operation) => `- ❌ ${code(name(operation))}`);
  return `### ${UNCOVERED_TITLE} (${coverage.uncovered.length})\n\n${plain(UNCOVERED_NOTE)}\n\n${[...items, ...more(rest, 'operations')].join('\n')}`;
}

function notCheckedSection(result: MatrixResult, limits: SummaryLimits): string | undefined {
  const work = notChecked(result);
  if (work.length === 0) return undefined;
  const { shown, rest } = capped(work, limits.items);
  const items = shown.map((entry) => `- ❔ **${plain(name(entry.what))}**: ${plain(oneLine(entry.why))}`);
  return `### ${NOT_CHECKED_TITLE} (${work.length})\n\n${plain(NOT_CHECKED_NOTE)}\n\n${[...items, ...more(rest, 'things not checked')].join('\n')}`;
}

/**
 * The result as a short markdown summary for a CI job page: `## kcbox: ❌ FAIL`, the summary line
 * of every report, the mismatching cells as a grid (only the endpoints and users with a mismatch),
 * the mismatching peer cells (a caller on another owner's object), the realm findings, the blocking hostile findings and what could not be checked, each capped
 * (see {@link SUMMARY_LIMITS}) with "and N more".
 *
 * @example
 * await appendFile(process.env.GITHUB_STEP_SUMMARY!, renderMatrixSummary(result));
 */
export function renderMatrixSummary(result: MatrixResult, limits: SummaryLimits = SUMMARY_LIMITS): string {
  const verdict = verdictOf(result);
  const facts = [
    ...(result.spec.file ? [`spec ${code(name(result.spec.file))}`] : []),
    `realm ${code(name(result.spec.realm))}`,
    `backend ${code(name(result.spec.backendUrl))}`,
    `took ${durationLabel(result.durationMs)}`,
    `kcbox ${plain(kcboxVersion())}`,
  ];
  const sections = [
    `## kcbox: ${VERDICT_MARKS[verdict]} ${VERDICT_LABEL[verdict]}`,
    `**${plain(summaryLine(countMatrix(result)))}**`,
    mismatchGrid(result, limits),
    peerMismatches(result, limits),
    realmFindings(result, limits),
    blockingFindings(result, limits),
    notCheckedSection(result, limits),
    uncoveredSection(result, limits),
    facts.join(' · '),
  ];
  return `${sections.filter((section) => section !== undefined).join('\n\n')}\n`;
}
