import escapeHtml from 'escape-html';
import type { HostileFinding, HostileResult } from '../hostile/result-types.js';
import type { Severity } from '../hostile/types.js';
import type { EndpointSummary } from '../check/result-types.js';
import {
  type HostileCaseRow,
  type HostileCell,
  type HostileCellState,
  caseResultText,
  countHostile,
  excerptLabel,
  gotLabel,
  hostileCasesLabel,
  hostileGrid,
  hostileStatusLabel,
  orderedFindings,
  passedWord,
} from './hostile-facts.js';
import { plural } from './matrix-facts.js';

const esc = (text: string) => escapeHtml(text);

/** Anchor of each hostile finding's details, linked from its grid cell. */
export type HostileAnchors = ReadonlyMap<HostileFinding, string>;

/** `hostile-finding-1`, … in the order the details list them. */
export function hostileFindingAnchors(hostile: HostileResult | undefined): HostileAnchors {
  return new Map((hostile ? orderedFindings(hostile) : []).map((finding, index) => [finding, `hostile-finding-${index + 1}`]));
}

const severityBadge = (severity: Severity) => `<span class="sev sev-${severity}">${esc(severity)}</span>`;

const MARKS: Readonly<Record<HostileCellState, string>> = {
  passed: '✓',
  blocking: '✗',
  'below-threshold': '✗',
  inconclusive: '?',
  skipped: '–',
  'not-run': '·',
};

function cellTitle(row: HostileCaseRow, cell: HostileCell): string {
  const where = `${row.id} × ${cell.endpoint}`;
  switch (cell.state) {
    case 'passed':
      return `${where}: ${passedWord(row)} (${hostileStatusLabel(cell)}), ${plural(cell.attempts.length, 'attempt')}`;
    case 'skipped':
      return `${where}: skipped. ${row.skipped ?? ''}`;
    case 'inconclusive': {
      const unanswered = cell.attempts.filter((attempt) => attempt.inconclusive);
      return unanswered.length > 0
        ? `${where}: inconclusive. ${unanswered.map((attempt) => attempt.reason).join('\n')}`
        : `${where}: not checked. ${row.notChecked ?? ''}`;
    }
    case 'not-run':
      return `${where}: nothing sent or received here`;
    default:
      return cell.findings.map((finding) => `[${finding.severity}] ${finding.reason}`).join('\n');
  }
}

function gridCell(row: HostileCaseRow, cell: HostileCell, anchors: HostileAnchors): string {
  const status = cell.state === 'skipped' ? 'skipped' : cell.state === 'not-run' ? '' : hostileStatusLabel(cell);
  const [first] = cell.findings;
  const note = first
    ? first.severity
    : cell.state === 'passed'
      ? passedWord(row)
      : cell.state === 'inconclusive' && cell.attempts.length > 0
        ? 'inconclusive'
        : '';
  const inner = `<span class="status">${MARKS[cell.state]} ${esc(status)}</span>${note ? `<span class="expect">${esc(note)}</span>` : ''}`;
  const anchor = first ? anchors.get(first) : undefined;
  const body = anchor ? `<a href="#${anchor}">${inner}</a>` : inner;
  const data = `data-case="${esc(cell.caseId)}" data-endpoint="${esc(cell.endpoint)}"`;
  return `<td class="hcell ${cell.state}" ${data} title="${esc(cellTitle(row, cell))}">${body}</td>`;
}

function columnHeader(endpoint: string, endpoints: readonly EndpointSummary[]): string {
  const summary = endpoints.find((candidate) => candidate.id === endpoint);
  const label = summary
    ? `<span class="method">${esc(summary.method)}</span> <code>${esc(summary.path)}</code>`
    : `<code>${esc(endpoint)}</code>`;
  return `<th scope="col">${label}</th>`;
}

function rowHeader(row: HostileCaseRow): string {
  const control = row.control ? ' <span class="tag control">control</span>' : '';
  // Skipped, not checked, partly so: the reason, worded as every report words it.
  const why = row.skipped !== undefined || row.notChecked !== undefined ? `<div class="why">${esc(caseResultText(row))}</div>` : '';
  return `<th scope="row"><code>${esc(row.id)}</code> ${severityBadge(row.severity)}${control}<div class="req">${esc(row.title)}</div>${why}</th>`;
}

/**
 * The "Hostile tokens" section: a grid of cases (rows) × protected endpoints (columns, plus the
 * listener when it has a finding) coloured by outcome, a legend, and the listener's requests.
 */
export function hostileGridHtml(hostile: HostileResult, endpoints: readonly EndpointSummary[], anchors: HostileAnchors): string {
  const grid = hostileGrid(hostile);
  const head = `<tr><th>Case</th>${grid.columns.map((endpoint) => columnHeader(endpoint, endpoints)).join('')}</tr>`;
  const rows = grid.rows.map(({ row, cells }) => `<tr>${rowHeader(row)}${cells.map((cell) => gridCell(row, cell, anchors)).join('')}</tr>`);
  const listener =
    hostile.listenerRequests.length === 0
      ? ''
      : `<div class="ssrf"><h3>Listener requests (${hostile.listenerRequests.length})</h3>
<p>The backend fetched a URL taken from a token header: each request is a server-side request forgery.</p>
<ul>${hostile.listenerRequests.map((request) => `<li><code>${esc(request)}</code></li>`).join('')}</ul></div>\n`;
  return `<section id="hostile">
<h2>Hostile tokens</h2>
<p>Forged and misused tokens sent to every protected endpoint (${esc(hostileCasesLabel(countHostile(hostile)))}); findings at or above ${severityBadge(hostile.failOn)} fail the check.</p>
<div class="grid-wrap"><table class="grid hostile-grid"><thead>${head}</thead><tbody>
${rows.join('\n')}
</tbody></table></div>
<p class="legend"><span class="passed">refused (a control: accepted)</span><span class="blocking">finding at or above ${esc(hostile.failOn)}: fails the check</span><span class="below-threshold">finding below ${esc(hostile.failOn)}: reported only</span><span class="inconclusive">inconclusive: no answer, or not checked</span><span class="skipped">skipped: could not be forged here</span></p>
${listener}</section>`;
}

/** Every finding's details, blocking first; `undefined` when there is none. */
export function hostileFindingsHtml(hostile: HostileResult, anchors: HostileAnchors): string | undefined {
  const findings = orderedFindings(hostile);
  if (findings.length === 0) return undefined;
  const articles = findings.map((finding) => {
    const weight = finding.blocking
      ? '<span class="tag blocking">blocking</span>'
      : '<span class="tag below-threshold">below threshold</span>';
    const status = finding.status === undefined ? `(none: ${gotLabel(finding)})` : String(finding.status);
    const excerpt = finding.excerpt
      ? `<dt>${excerptLabel(finding) === 'request' ? 'Request' : 'Response'}</dt><dd><pre>${esc(finding.excerpt)}</pre></dd>`
      : '';
    return `<article class="finding ${finding.blocking ? 'blocking' : 'below-threshold'}" id="${anchors.get(finding) ?? ''}">
<h3><code>${esc(finding.caseId)}</code> ${severityBadge(finding.severity)} ${weight} on <code>${esc(finding.endpoint)}</code></h3>
<p class="case-title">${esc(finding.title)}</p>
<dl class="facts"><dt>Variant</dt><dd>${esc(finding.variant)}</dd><dt>Status</dt><dd>${esc(status)}</dd>${excerpt}</dl>
<p>${esc(finding.reason)}</p>
<p><strong>Exploitable by:</strong> ${esc(finding.exploitableBy)}</p>
<p><strong>Fix:</strong> ${esc(finding.fix)}</p>
<p class="reference"><strong>Reference:</strong> ${esc(finding.reference)}</p>
</article>`;
  });
  const blocking = findings.filter((finding) => finding.blocking).length;
  const heading = `Hostile findings (${findings.length}: ${blocking} blocking, ${findings.length - blocking} below threshold)`;
  return `<section id="hostile-findings">\n<h2>${esc(heading)}</h2>\n${articles.join('\n')}\n</section>`;
}
