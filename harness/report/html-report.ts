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
  PEER_CELLS_NOTE,
  PEER_CELLS_TITLE,
  VERDICT_LABEL,
  cellGrid,
  cellLabel,
  cellState,
  countMatrix,
  durationLabel,
  expectedLabel,
  failedCells,
  failedPeerCells,
  failureReason,
  isPeerCell,
  locationLabel,
  notChecked as notCheckedWork,
  observedLabel,
  peerGrid,
  requirementLabel,
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

/** A grid cell; `column` names its column where the filters hide columns (the role grid's users). */
function gridCell(cell: CellResult | undefined, anchors: ReadonlyMap<CellResult, string>, column?: string): string {
  const columnData = column === undefined ? '' : ` data-column="${esc(column)}"`;
  if (!cell) return `<td class="cell missing"${columnData} data-outcome="missing" title="not run"><span class="status">·</span></td>`;
  const state = cellState(cell);
  const passed = state === 'passed';
  const expect = `expected ${passed ? cell.expected : expectedLabel(cell)}`;
  const title =
    state === 'passed'
      ? `${cellLabel(cell)}: ${observedLabel(cell)}`
      : state === 'failed'
        ? failureReason(cell)
        : `${INCONCLUSIVE_CELL}. ${failureReason(cell)}`;
  const inner = `<span class="status">${CELL_MARKS[state]} ${esc(statusLabel(cell.observed))}</span><span class="expect">${esc(expect)}</span>`;
  const anchor = state === 'inconclusive' ? 'incomplete' : anchors.get(cell);
  const body = anchor ? `<a href="#${anchor}">${inner}</a>` : inner;
  const owner = cell.owner !== undefined ? ` data-owner="${esc(cell.owner)}"` : '';
  const data = `data-endpoint="${esc(cell.endpoint)}" data-user="${esc(cell.user)}"${owner}${columnData} data-outcome="${cellClass(cell)}"`;
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

const LEGEND = `<p class="legend"><span class="allow-ok">allowed, as expected</span><span class="deny-ok">denied, as expected</span><span class="mismatch">mismatch: not what Keycloak decided, or a server error</span><span class="inconclusive">${esc(INCONCLUSIVE_CELL)}</span></p>`;

/** What the filters offer: every caller, every endpoint, every outcome a cell can have. */
const OUTCOMES: ReadonlyArray<[string, string]> = [
  ['allow-ok', 'allowed, as expected'],
  ['deny-ok', 'denied, as expected'],
  ['mismatch', 'mismatch'],
  ['inconclusive', 'inconclusive'],
];

function filtersHtml(result: MatrixResult): string {
  const options = (values: ReadonlyArray<[string, string]>) =>
    values.map(([value, label]) => `<option value="${esc(value)}">${esc(label)}</option>`).join('');
  return `<form id="filters" class="filters" aria-label="Filter the grids">
<label>Caller <select name="caller"><option value="">all</option>${options(result.users.map((user) => [user, user]))}</select></label>
<label>Endpoint <select name="endpoint"><option value="">all</option>${options(result.endpoints.map((endpoint) => [endpoint.id, endpoint.id]))}</select></label>
<label>Outcome <select name="outcome"><option value="">all</option>${options(OUTCOMES)}</select></label>
<button type="reset">Show all</button> <output name="shown"></output>
</form>`;
}

const grid: HtmlSection = ({ result, anchors }) => {
  const head = `<tr><th>Endpoint</th>${result.users.map((user) => `<th scope="col" data-user="${esc(user)}">${esc(user)}</th>`).join('')}</tr>`;
  const rows = cellGrid(result).map((cells, index) => {
    const endpoint = result.endpoints[index];
    const label = endpoint
      ? `<span class="method">${esc(endpoint.method)}</span> <code>${esc(endpoint.path)}</code><div class="req">${esc(requirementLabel(endpoint))}</div>`
      : '';
    const columns = cells.map((cell, column) =>
      gridCell(cell, anchors).replace('<td ', `<td data-column="${esc(result.users[column] ?? '')}" `),
    );
    return `<tr data-endpoint="${esc(endpoint?.id ?? '')}"><th scope="row">${label}</th>${columns.join('')}</tr>`;
  });
  return `<section id="matrix">
<h2>Who can do what</h2>
${filtersHtml(result)}
<div class="grid-wrap"><table class="grid" data-filter="columns"><thead>${head}</thead><tbody>
${rows.join('\n')}
</tbody></table></div>
${LEGEND}
</section>`;
};

/** Rows per (object endpoint, caller), columns per owner; the caller's own object is in the grid above. */
const peerGridSection: HtmlSection = ({ result, anchors }) => {
  if (!result.peerCells) return undefined;
  const { owners, rows } = peerGrid(result);
  const head = `<tr><th>Endpoint</th><th>Caller</th>${owners.map((owner) => `<th scope="col">${esc(owner)}'s object</th>`).join('')}</tr>`;
  const body = rows.map((row) => {
    const cells = row.cells.map((cell, index) =>
      owners[index] === row.caller
        ? '<td class="cell own" data-outcome="own" title="its own object: in the grid above"><span class="status">—</span></td>'
        : gridCell(cell, anchors),
    );
    return `<tr data-endpoint="${esc(row.endpoint.id)}" data-caller="${esc(row.caller)}"><th scope="row"><span class="method">${esc(row.endpoint.method)}</span> <code>${esc(row.endpoint.path)}</code><div class="req">${esc(requirementLabel(row.endpoint))}</div></th><th scope="row">${esc(row.caller)}</th>${cells.join('')}</tr>`;
  });
  return `<section id="peer-cells">
<h2>${esc(PEER_CELLS_TITLE)}</h2>
<p>${esc(PEER_CELLS_NOTE)}</p>
<div class="grid-wrap"><table class="grid peer-grid" data-filter="rows"><thead>${head}</thead><tbody>
${body.join('\n')}
</tbody></table></div>
${LEGEND}
</section>`;
};

function failureArticles(failed: readonly CellResult[], anchors: ReadonlyMap<CellResult, string>): string[] {
  return failed.map((cell) => {
    const status = cell.observed.status === undefined ? '(none)' : String(cell.observed.status);
    const excerpt = cell.observed.excerpt ? `<pre>${esc(cell.observed.excerpt)}</pre>` : '';
    const owner = isPeerCell(cell) ? ` on ${esc(cell.owner ?? '')}'s object${cell.otherTenant ? ' (other tenant)' : ''}` : '';
    return `<article class="failure" id="${anchors.get(cell) ?? ''}">
<h3><code>${esc(cell.endpoint)}</code> × ${esc(cell.user)}${owner}</h3>
<p>${esc(failureReason(cell))}</p>
<dl class="facts"><dt>Expected</dt><dd>${esc(expectedLabel(cell))}</dd><dt>Got</dt><dd>${esc(cell.outcome)}</dd><dt>Status</dt><dd>${esc(status)}</dd><dt>Took</dt><dd>${esc(durationLabel(cell.observed.durationMs))}</dd></dl>
${excerpt}
</article>`;
  });
}

const failures: HtmlSection = ({ result, anchors }) => {
  const failed = failedCells(result);
  if (failed.length === 0) return undefined;
  return `<section id="failures">\n<h2>Mismatches (${failed.length})</h2>\n${failureArticles(failed, anchors).join('\n')}\n</section>`;
};

const peerFailures: HtmlSection = ({ result, anchors }) => {
  const failed = failedPeerCells(result);
  if (failed.length === 0) return undefined;
  return `<section id="peer-failures">\n<h2>Peer mismatches (${failed.length})</h2>\n${failureArticles(failed, anchors).join('\n')}\n</section>`;
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
  peerGridSection,
  peerFailures,
  realmFindings,
  coverage,
  hostile,
  hostileFindings,
  backendOutput,
];

/**
 * The filters: a caller hides the other callers' columns (and, in the peer grid, rows), an
 * endpoint the other rows, an outcome dims the other cells and hides rows without one. Inline
 * and small, so the page stays one file that needs nothing else.
 */
const FILTER_SCRIPT = `(() => {
  const form = document.getElementById('filters');
  if (!form) return;
  const apply = () => {
    const caller = form.elements.caller.value, endpoint = form.elements.endpoint.value, outcome = form.elements.outcome.value;
    let shown = 0;
    for (const table of document.querySelectorAll('table[data-filter]')) {
      const byColumn = table.dataset.filter === 'columns';
      if (byColumn) for (const th of table.querySelectorAll('thead th[data-user]')) th.hidden = caller !== '' && th.dataset.user !== caller;
      for (const row of table.querySelectorAll('tbody tr')) {
        let matching = 0;
        for (const cell of row.querySelectorAll('td.cell')) {
          const off = byColumn && caller !== '' && cell.dataset.column !== caller;
          const other = outcome !== '' && cell.dataset.outcome !== outcome;
          cell.hidden = off;
          cell.classList.toggle('filtered-out', !off && other);
          // The caller's own object (peer grid) and a cell that was not run are no cells to count.
          if (!off && !other && cell.dataset.outcome !== 'own' && cell.dataset.outcome !== 'missing') matching++;
        }
        row.hidden = (endpoint !== '' && row.dataset.endpoint !== endpoint) || (!byColumn && caller !== '' && row.dataset.caller !== caller) || matching === 0;
        if (!row.hidden) shown += matching;
      }
    }
    form.elements.shown.value = shown + ' cells shown';
  };
  form.addEventListener('change', apply);
  form.addEventListener('reset', () => setTimeout(apply));
  apply();
})();`;

/**
 * The result as one self-contained HTML page (inline CSS and a small inline filter script, no
 * external resources): a header with the PASS, FAIL or INCOMPLETE badge, what could not be
 * checked, filters by caller, endpoint and outcome, the endpoint × user grid coloured by outcome,
 * a legend, the details of every mismatch, the peer cells (each caller on other owners' objects)
 * and their mismatches when the spec has a setup section, the realm findings, the
 * hostile-token suite when it ran (a case × endpoint grid with each skipped case's reason, a
 * legend, the listener's requests and every finding with its evidence, fix and reference) and
 * the backend output.
 *
 * @example
 * await writeFile('reports/kcbox.html', renderMatrixHtml(result));
 */
export function renderMatrixHtml(result: MatrixResult): string {
  const anchors = new Map([
    ...failedCells(result).map((cell, index) => [cell, `failure-${index + 1}`] as const),
    ...failedPeerCells(result).map((cell, index) => [cell, `peer-failure-${index + 1}`] as const),
  ]);
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
<script>${FILTER_SCRIPT}</script>
</body>
</html>
`;
}
