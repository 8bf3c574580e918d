import type { MatrixResult } from '../check/result-types.js';
import {
  type HostileCaseState,
  caseResultText,
  countHostile,
  endpointTally,
  excerptLabel,
  gotLabel,
  hostileCasesLabel,
  hostileGrid,
  inconclusiveAttemptsLabel,
  orderedFindings,
  passedWord,
} from './hostile-facts.js';
import {
  type CellState,
  NOT_CHECKED_NOTE,
  NOT_CHECKED_TITLE,
  PEER_CELLS_NOTE,
  PEER_CELLS_TITLE,
  VERDICT_LABEL,
  type Verdict,
  cellGrid,
  cellState,
  countMatrix,
  durationLabel,
  expectedLabel,
  failedCells,
  failedPeerCells,
  failureReason,
  locationLabel,
  notChecked as notCheckedWork,
  observedLabel,
  oneLine,
  peerGrid,
  plural,
  requirementLabel,
  statusLabel,
  summaryLine,
  verdictOf,
} from './matrix-facts.js';
import { coverageMarkdown } from './coverage-sections.js';
import { code, plain, tableRow } from './markdown-text.js';

/** One part of the markdown report; `undefined` when it has nothing to say. */
type MarkdownSection = (result: MatrixResult) => string | undefined;

const VERDICT_MARKS: Readonly<Record<Verdict, string>> = { pass: '✅', fail: '❌', incomplete: '⚠️' };
const CELL_MARKS: Readonly<Record<CellState, string>> = { passed: '✅', failed: '❌', inconclusive: '❔' };
const CASE_MARKS: Readonly<Record<HostileCaseState, string>> = {
  passed: '✅',
  blocking: '❌',
  'below-threshold': '⚠️',
  inconclusive: '❔',
  skipped: '⏭️',
  'not-checked': '❔',
  'not-run': '·',
};

const heading: MarkdownSection = (result) => {
  const kind = verdictOf(result);
  const verdict = `${VERDICT_MARKS[kind]} ${VERDICT_LABEL[kind]}`;
  const facts = [
    `realm ${code(result.spec.realm)}`,
    `client ${code(result.spec.client)}`,
    `backend ${code(result.spec.backendUrl)}`,
    ...(result.spec.file ? [`spec ${code(result.spec.file)}`] : []),
    `started ${plain(result.startedAt)}`,
    `took ${durationLabel(result.durationMs)}`,
  ];
  return `## kcbox scope matrix: ${verdict}\n\n${facts.join(' · ')}`;
};

const table: MarkdownSection = (result) => {
  const lines = [
    tableRow(['Endpoint', 'Requires', ...result.users.map(plain)]),
    tableRow(['---', '---', ...result.users.map(() => ':---:')]),
  ];
  cellGrid(result).forEach((cells, index) => {
    const endpoint = result.endpoints[index];
    if (!endpoint) return;
    const marks = cells.map((value) => (value ? `${CELL_MARKS[cellState(value)]} ${statusLabel(value.observed)}` : '·'));
    lines.push(tableRow([code(`${endpoint.method} ${endpoint.path}`), code(requirementLabel(endpoint)), ...marks]));
  });
  return lines.join('\n');
};

const failures: MarkdownSection = (result) => {
  const failed = failedCells(result);
  if (failed.length === 0) return undefined;
  const items = failed.map((value) => {
    const excerpt = oneLine(value.observed.excerpt);
    const response = excerpt ? ` Response: ${code(excerpt)}` : '';
    return `- ❌ **${code(value.endpoint)} × ${plain(value.user)}**: expected ${plain(expectedLabel(value))}, got ${plain(observedLabel(value))}. ${plain(failureReason(value))}${response}`;
  });
  return `### Failures (${failed.length})\n\n${items.join('\n')}`;
};

/** The peer cells apart from the role table: rows per (object endpoint, caller), columns per owner. */
const peerTable: MarkdownSection = (result) => {
  if (!result.peerCells) return undefined;
  const { owners, rows } = peerGrid(result);
  const lines = [
    tableRow(['Endpoint', 'Caller', ...owners.map(plain)]),
    tableRow(['---', '---', ...owners.map(() => ':---:')]),
    ...rows.map((row) =>
      tableRow([
        code(`${row.endpoint.method} ${row.endpoint.path}`),
        plain(row.caller),
        ...row.cells.map((value, index) =>
          owners[index] === row.caller ? '—' : value ? `${CELL_MARKS[cellState(value)]} ${statusLabel(value.observed)}` : '·',
        ),
      ]),
    ),
  ];
  return `### ${PEER_CELLS_TITLE}\n\n${plain(PEER_CELLS_NOTE)} Columns are the owners; — is the caller's own object (in the table above).\n\n${lines.join('\n')}`;
};

const peerFailures: MarkdownSection = (result) => {
  const failed = failedPeerCells(result);
  if (failed.length === 0) return undefined;
  const items = failed.map(
    (value) =>
      `- ❌ **${code(value.endpoint)} × ${plain(value.user)} on ${plain(value.owner ?? '')}'s object${value.otherTenant ? ' (other tenant)' : ''}**: expected ${plain(expectedLabel(value))}, got ${plain(observedLabel(value))}. ${plain(failureReason(value))}`,
  );
  return `### Peer failures (${failed.length})\n\n${items.join('\n')}`;
};

const notChecked: MarkdownSection = (result) => {
  const work = notCheckedWork(result);
  if (work.length === 0) return undefined;
  const items = work.map((entry) => `- ❔ **${plain(entry.what)}**: ${plain(entry.why)}`);
  return `### ${NOT_CHECKED_TITLE} (${work.length})\n\n${plain(NOT_CHECKED_NOTE)}\n\n${items.join('\n')}`;
};

const realmFindings: MarkdownSection = (result) => {
  if (result.realmFindings.length === 0) return undefined;
  const items = result.realmFindings.map((finding) => {
    const where = locationLabel(finding.source);
    return `- ⚠️ ${code(finding.endpoint)} × ${plain(finding.user)} (${code(finding.permission)}): spec declared ${finding.declared}, Keycloak says ${finding.keycloak}${where ? ` (${code(where)})` : ''}`;
  });
  return `### Realm findings (${result.realmFindings.length})\n\n${items.join('\n')}`;
};

const hostileTable: MarkdownSection = ({ hostile }) => {
  if (!hostile) return undefined;
  const lines = [
    tableRow(['Case', 'Severity', 'Endpoints', 'Findings']),
    tableRow(['---', '---', ':---:', '---']),
    ...hostileGrid(hostile).rows.map((gridRow) => {
      const { row: entry } = gridRow;
      const severity = entry.control ? `${entry.severity} (control)` : entry.severity;
      const mark = CASE_MARKS[entry.state];
      if (entry.attempts === 0 && entry.findings.length === 0)
        return tableRow([code(entry.id), severity, '—', `${mark} ${plain(caseResultText(entry))}`]);
      const { passed, total } = endpointTally(hostile, gridRow);
      const blocking = entry.findings.filter((finding) => finding.blocking).length;
      const below = entry.findings.length - blocking;
      const results = [
        ...(blocking > 0 ? [`❌ ${blocking} blocking`] : []),
        ...(below > 0 ? [`⚠️ ${below} below threshold`] : []),
        ...(entry.inconclusive > 0 ? [`❔ ${inconclusiveAttemptsLabel(entry.inconclusive)}`] : []),
      ];
      const partly = [
        ...(entry.skipped !== undefined ? [`⏭️ skipped on some endpoints: ${plain(entry.skipped)}`] : []),
        ...(entry.notChecked !== undefined ? [`❔ not checked on some endpoints: ${plain(entry.notChecked)}`] : []),
      ];
      return tableRow([
        code(entry.id),
        severity,
        `${passed}/${total} ${passedWord(entry)}`,
        [results.length > 0 ? results.join(', ') : '✅ none', ...partly].join('; '),
      ]);
    }),
  ];
  const intro = `Forged and misused tokens sent to ${plural(hostile.endpoints.length, 'protected endpoint')} (${hostileCasesLabel(countHostile(hostile))}); findings at or above ${code(hostile.failOn)} fail the check.`;
  return `### Hostile tokens\n\n${intro}\n\n${lines.join('\n')}`;
};

const hostileFindings: MarkdownSection = ({ hostile }) => {
  if (!hostile || hostile.findings.length === 0) return undefined;
  const items = orderedFindings(hostile).map((finding) => {
    const verdict = finding.blocking ? '❌' : '⚠️';
    const weight = finding.blocking ? 'blocking' : 'below threshold';
    const excerpt = oneLine(finding.excerpt);
    return [
      `- ${verdict} **${code(finding.caseId)}** on ${code(finding.endpoint)} (${finding.severity}, ${weight}), ${code(finding.variant)}: ${gotLabel(finding)}. ${plain(finding.reason)}`,
      ...(excerpt ? [`  - ${excerptLabel(finding) === 'request' ? 'Request' : 'Response'}: ${code(excerpt)}`] : []),
      `  - Exploitable by: ${plain(finding.exploitableBy)}`,
      `  - Fix: ${plain(finding.fix)}`,
      `  - Reference: ${plain(finding.reference)}`,
    ].join('\n');
  });
  return `### Hostile findings (${hostile.findings.length})\n\n${items.join('\n')}`;
};

const listenerRequests: MarkdownSection = ({ hostile }) => {
  if (!hostile || hostile.listenerRequests.length === 0) return undefined;
  const items = hostile.listenerRequests.map((request) => `- ${code(oneLine(request))}`);
  return `### Listener requests (${hostile.listenerRequests.length})\n\nThe backend fetched a URL taken from a token header: each request is a server-side request forgery.\n\n${items.join('\n')}`;
};

const coverage: MarkdownSection = (result) => coverageMarkdown(result.coverage);

const summary: MarkdownSection = (result) => `**${summaryLine(countMatrix(result))}**`;

const sections: readonly MarkdownSection[] = [
  heading,
  notChecked,
  table,
  failures,
  peerTable,
  peerFailures,
  realmFindings,
  hostileTable,
  hostileFindings,
  listenerRequests,
  coverage,
  summary,
];

/**
 * The result as GitHub-flavoured markdown (e.g. for a job summary): the verdict (PASS, FAIL or
 * INCOMPLETE), what could not be checked, the endpoint × user table with ✅/❌/❔ and the status,
 * then the failures, the peer cells (each caller on other owners' objects) and their failures when
 * the spec has a setup section, the realm findings, the hostile-token suite when it ran (a table of cases
 * with each skipped case's reason, every finding with its fix and reference, the listener's
 * requests) and a summary line.
 *
 * @example
 * await appendFile(process.env.GITHUB_STEP_SUMMARY!, renderMatrixMarkdown(result));
 */
export function renderMatrixMarkdown(result: MatrixResult): string {
  const parts = sections.map((section) => section(result)).filter((text) => text !== undefined);
  return `${parts.join('\n\n')}\n`;
}
