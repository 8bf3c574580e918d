import escapeHtml from 'escape-html';
import type { CellResult } from '../matrix/types.js';
import type { MatrixResult } from '../check/result-types.js';
import { type HostileAnchors, hostileFindingAnchors, hostileFindingsHtml, hostileGridHtml } from './html-hostile.js';
import { coverageHtml } from './coverage-sections.js';
import { HTML_REPORT_STYLE } from './html-style.js';
import {
  type CellState,
  INCONCLUSIVE_CELL,
  NOT_CHECKED_NOTE,
  NOT_CHECKED_TITLE,
  VERDICT_LABEL,
  cellGrid,
  cellState,
  countMatrix,
  durationLabel,
  expectedLabel,
  failedCells,
  failureReason,
  locationLabel,
  notChecked as notCheckedWork,
  observedLabel,
  statusLabel,
  summaryLine,
  verdictOf,
} from './matrix-facts.js';

interface HtmlContext {
  readonly result: MatrixResult;
  /** Anchor of each failing cell's details, linked from its grid cell. */
  readonly anchors: ReadonlyMap<CellResult, string>;
  /** Anchor of each hostile finding's details, linked from its cell in the hostile grid. */
  readonly hostileAnchors: HostileAnchors;
}

/** One part of the page; `undefined` when it has nothing to show. */
type HtmlSection = (context: HtmlContext) => string | undefined;

const esc = (text: string) => escapeHtml(text);

const CELL_MARKS: Readonly<Record<CellState, string>> = { passed: '✓', failed: '✗', inconclusive: '?' };

function cellClass(cell: CellResult): string {
  const state = cellState(cell);
  if (state !== 'passed') return state === 'failed' ? 'mismatch' : 'inconclusive';
  return cell.expected === 'allow' ? 'allow-ok' : 'deny-ok';
}

function gridCell(cell: CellResult | undefined, anchors: ReadonlyMap<CellResult, string>): string {
  if (!cell) return '<td class="cell missing" title="not run"><span class="status">·</span></td>';
  const state = cellState(cell);
  const passed = state === 'passed';
  const expect = `expected ${passed ? cell.expected : expectedLabel(cell)}`;
  const title =
    state === 'passed'
      ? `${cell.endpoint} × ${cell.user}: ${observedLabel(cell)}`
      : state === 'failed'
        ? failureReason(cell)
        : `${INCONCLUSIVE_CELL}. ${failureReason(cell)}`;
  const inner = `<span class="status">${CELL_MARKS[state]} ${esc(statusLabel(cell.observed))}</span><span class="expect">${esc(expect)}</span>`;
  const anchor = state === 'inconclusive' ? 'incomplete' : anchors.get(cell);
  const body = anchor ? `<a href="#${anchor}">${inner}</a>` : inner;
  const data = `data-endpoint="${esc(cell.endpoint)}" data-user="${esc(cell.user)}"`;
  return `<td class="cell ${cellClass(cell)}" ${data} title="${esc(title)}">${body}</td>`;
}

const header: HtmlSection = ({ result }) => {
  const verdict = verdictOf(result);
  const badge = `<span class="badge ${verdict}">${VERDICT_LABEL[verdict]}</span>`;
  const facts: [string, string][] = [
    ['Spec file', result.spec.file ?? '(none)'],
    ['Realm', result.spec.realm],
    ['Client', result.spec.client],
    ['Backend', result.spec.backendUrl],
    ['Started', result.startedAt],
    ['Duration', durationLabel(result.durationMs)],
  ];
  return `<header>
<h1>kcbox scope matrix ${badge}</h1>
<dl class="facts">${facts.map(([name, value]) => `<dt>${esc(name)}</dt><dd><code>${esc(value)}</code></dd>`).join('')}</dl>
<p class="summary">${esc(summaryLine(countMatrix(result)))}</p>
</header>`;
};

const notChecked: HtmlSection = ({ result }) => {
  const work = notCheckedWork(result);
  if (work.length === 0) return undefined;
  const rows = work.map((entry) => `<tr><th scope="row">${esc(entry.what)}</th><td>${esc(entry.why)}</td></tr>`);
  return `<section id="incomplete">
<h2>${esc(NOT_CHECKED_TITLE)} (${work.length})</h2>
<p>${esc(NOT_CHECKED_NOTE)}</p>
<table class="findings incomplete"><thead><tr><th>What</th><th>Why</th></tr></thead><tbody>
${rows.join('\n')}
</tbody></table>
</section>`;
};

const grid: HtmlSection = ({ result, anchors }) => {
  const head = `<tr><th>Endpoint</th>${result.users.map((user) => `<th scope="col">${esc(user)}</th>`).join('')}</tr>`;
  const rows = cellGrid(result).map((cells, index) => {
    const endpoint = result.endpoints[index];
    const label = endpoint
      ? `<span class="method">${esc(endpoint.method)}</span> <code>${esc(endpoint.path)}</code><div class="req">${esc(endpoint.requirement)}</div>`
      : '';
    return `<tr><th scope="row">${label}</th>${cells.map((cell) => gridCell(cell, anchors)).join('')}</tr>`;
  });
  return `<section id="matrix">
<h2>Who can do what</h2>
<div class="grid-wrap"><table class="grid"><thead>${head}</thead><tbody>
${rows.join('\n')}
</tbody></table></div>
<p class="legend"><span class="allow-ok">allowed, as expected</span><span class="deny-ok">denied, as expected</span><span class="mismatch">mismatch: not what Keycloak decided, or a server error</span><span class="inconclusive">${esc(INCONCLUSIVE_CELL)}</span></p>
</section>`;
};

const failures: HtmlSection = ({ result, anchors }) => {
  const failed = failedCells(result);
  if (failed.length === 0) return undefined;
  const articles = failed.map((cell) => {
    const status = cell.observed.status === undefined ? '(none)' : String(cell.observed.status);
    const excerpt = cell.observed.excerpt ? `<pre>${esc(cell.observed.excerpt)}</pre>` : '';
    return `<article class="failure" id="${anchors.get(cell) ?? ''}">
<h3><code>${esc(cell.endpoint)}</code> × ${esc(cell.user)}</h3>
<p>${esc(failureReason(cell))}</p>
<dl class="facts"><dt>Expected</dt><dd>${esc(expectedLabel(cell))}</dd><dt>Got</dt><dd>${esc(cell.outcome)}</dd><dt>Status</dt><dd>${esc(status)}</dd><dt>Took</dt><dd>${esc(durationLabel(cell.observed.durationMs))}</dd></dl>
${excerpt}
</article>`;
  });
  return `<section id="failures">\n<h2>Mismatches (${failed.length})</h2>\n${articles.join('\n')}\n</section>`;
};

const realmFindings: HtmlSection = ({ result }) => {
  if (result.realmFindings.length === 0) return undefined;
  const rows = result.realmFindings.map((finding) => {
    const cells = [
      finding.endpoint,
      finding.user,
      finding.permission,
      finding.declared,
      finding.keycloak,
      locationLabel(finding.source) ?? '',
    ];
    return `<tr>${cells.map((value) => `<td>${esc(value)}</td>`).join('')}</tr>`;
  });
  return `<section id="realm-findings">
<h2>Realm findings (${result.realmFindings.length})</h2>
<p>The spec declares an expectation that Keycloak's decision contradicts.</p>
<table class="findings"><thead><tr><th>Endpoint</th><th>User</th><th>Permission</th><th>Spec declared</th><th>Keycloak says</th><th>Where</th></tr></thead><tbody>
${rows.join('\n')}
</tbody></table>
</section>`;
};

const hostile: HtmlSection = ({ result, hostileAnchors }) =>
  result.hostile ? hostileGridHtml(result.hostile, result.endpoints, hostileAnchors) : undefined;

const hostileFindings: HtmlSection = ({ result, hostileAnchors }) =>
  result.hostile ? hostileFindingsHtml(result.hostile, hostileAnchors) : undefined;

const backendOutput: HtmlSection = ({ result }) => {
  if (!result.backendOutput) return undefined;
  return `<section id="backend-output">\n<details><summary>Backend output</summary><pre>${esc(result.backendOutput)}</pre></details>\n</section>`;
};

const coverage: HtmlSection = ({ result }) => coverageHtml(result.coverage);

const sections: readonly HtmlSection[] = [
  header,
  notChecked,
  grid,
  failures,
  realmFindings,
  coverage,
  hostile,
  hostileFindings,
  backendOutput,
];

/**
 * The result as one self-contained HTML page (inline CSS, no scripts, no external resources):
 * a header with the PASS, FAIL or INCOMPLETE badge, what could not be checked, the endpoint ×
 * user grid coloured by outcome, a legend, the details of every mismatch, the realm findings, the
 * hostile-token suite when it ran (a case × endpoint grid with each skipped case's reason, a
 * legend, the listener's requests and every finding with its evidence, fix and reference) and
 * the backend output.
 *
 * @example
 * await writeFile('reports/kcbox.html', renderMatrixHtml(result));
 */
export function renderMatrixHtml(result: MatrixResult): string {
  const anchors = new Map(failedCells(result).map((cell, index) => [cell, `failure-${index + 1}`]));
  const context: HtmlContext = { result, anchors, hostileAnchors: hostileFindingAnchors(result.hostile) };
  const body = sections.map((section) => section(context)).filter((html) => html !== undefined);
  const title = `kcbox scope matrix: ${VERDICT_LABEL[verdictOf(result)]} · ${result.spec.realm}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${HTML_REPORT_STYLE}</style>
</head>
<body>
${body.join('\n')}
</body>
</html>
`;
}
