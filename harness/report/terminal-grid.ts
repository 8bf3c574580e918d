import Table from 'cli-table3';
import pc from 'picocolors';
import type { CellResult } from '../matrix/types.js';
import type { MatrixResult } from '../check/result-types.js';
import {
  type CellState,
  NOT_CHECKED_NOTE,
  NOT_CHECKED_TITLE,
  type Verdict,
  cellGrid,
  cellState,
  countMatrix,
  expectedLabel,
  failedCells,
  failureReason,
  locationLabel,
  notChecked as notCheckedWork,
  observedLabel,
  oneLine,
  statusLabel,
  summaryLine,
  verdictOf,
} from './matrix-facts.js';
import { coverageText } from './coverage-sections.js';
import { hostileFindingsText, hostileTableText, listenerRequestsText, unattackedText } from './terminal-hostile.js';
import { fitParts, hangingWrap, headingText } from './terminal-wrap.js';

type Colors = ReturnType<typeof pc.createColors>;

export interface MatrixTextOptions {
  /** ANSI colours on or off; the CLI passes whether its stream supports them. */
  readonly color: boolean;
  /** Columns the grid should fit in; long paths wrap. Default 100. */
  readonly width?: number;
  /** Every advisory hostile finding on its own instead of one line per case. Default false. */
  readonly verbose?: boolean;
}

interface TextContext {
  readonly result: MatrixResult;
  readonly c: Colors;
  readonly width: number;
  readonly verbose: boolean;
}

/** One part of the text report; `undefined` when it has nothing to say. */
type TextSection = (context: TextContext) => string | undefined;

/** Greedy line wrap that prefers breaking before `/`, `#`, `:` and after spaces. */
function wrap(text: string, width: number): string {
  const lines: string[] = [];
  let line = '';
  for (const piece of text.split(/(?=[/#:])|(?<= )/)) {
    if (line && line.length + piece.length > width) {
      lines.push(line.trimEnd());
      line = '';
    }
    line += piece;
    while (line.length > width) {
      lines.push(line.slice(0, width));
      line = line.slice(width);
    }
  }
  if (line) lines.push(line.trimEnd());
  return lines.join('\n');
}

const CELL_MARKS: Readonly<Record<CellState, string>> = { passed: '✓', failed: '✗', inconclusive: '?' };

const cellText = (cell: CellResult) => `${CELL_MARKS[cellState(cell)]} ${statusLabel(cell.observed)}`;

function cellPaint(cell: CellResult, c: Colors): (text: string) => string {
  const state = cellState(cell);
  return state === 'passed' ? c.green : state === 'failed' ? c.red : c.yellow;
}

const heading: TextSection = ({ result, c }) => {
  const spec = result.spec.file ? ` · ${result.spec.file}` : '';
  return `${c.bold('Scope matrix')} ${c.dim(`realm ${result.spec.realm} · client ${result.spec.client} · backend ${result.spec.backendUrl}${spec}`)}`;
};

const grid: TextSection = ({ result, c, width }) => {
  const rows = cellGrid(result);
  const endpointLabels = result.endpoints.map((endpoint) => `${endpoint.method} ${endpoint.path}`);
  const requirements = result.endpoints.map((endpoint) => endpoint.requirement);
  // Content widths; cli-table3 widths add one space of padding on each side.
  const userWidths = result.users.map((user, column) =>
    Math.max(user.length, ...rows.map((row) => (row[column] ? cellText(row[column]).length : 1))),
  );
  const endpointWidth = Math.max('Endpoint'.length, ...endpointLabels.map((label) => label.length));
  const requirementWidth = Math.max('Requires'.length, ...requirements.map((label) => label.length));
  const columns = result.users.length + 2;
  const available = width - (columns + 1) - 2 * columns - userWidths.reduce((sum, value) => sum + value, 0);
  let [endpointColumn, requirementColumn] = [endpointWidth, requirementWidth];
  if (endpointWidth + requirementWidth > available) {
    requirementColumn = Math.min(requirementWidth, Math.max(10, Math.floor(available * 0.4)));
    endpointColumn = Math.max(12, available - requirementColumn);
  }
  const table = new Table({
    head: ['Endpoint', 'Requires', ...result.users].map((label) => c.bold(label)),
    colWidths: [endpointColumn + 2, requirementColumn + 2, ...userWidths.map((value) => value + 2)],
    style: { head: [], border: [] },
  });
  rows.forEach((row, index) => {
    const cells = row.map((cell) => {
      if (!cell) return c.dim('·');
      return cellPaint(cell, c)(cellText(cell));
    });
    table.push([wrap(endpointLabels[index] ?? '', endpointColumn), c.dim(wrap(requirements[index] ?? '', requirementColumn)), ...cells]);
  });
  return table.toString();
};

const failures: TextSection = ({ result, c }) => {
  const failed = failedCells(result);
  if (failed.length === 0) return undefined;
  const entries = failed.map((cell) => {
    const lines = [
      `${c.red('✗')} ${c.bold(`${cell.endpoint} × ${cell.user}`)}`,
      `  expected ${expectedLabel(cell)} · got ${observedLabel(cell)}`,
      `  ${failureReason(cell)}`,
    ];
    const excerpt = oneLine(cell.observed.excerpt);
    if (excerpt) lines.push(`  ${c.dim(`response: ${excerpt}`)}`);
    return lines.join('\n');
  });
  return [c.bold(`Failures (${failed.length})`), ...entries].join('\n');
};

const realmFindings: TextSection = ({ result, c }) => {
  if (result.realmFindings.length === 0) return undefined;
  const entries = result.realmFindings.map((finding) => {
    const where = locationLabel(finding.source);
    return [
      `${c.yellow('!')} ${c.bold(`${finding.endpoint} × ${finding.user}`)} ${c.dim(finding.permission)}`,
      `  spec declared ${finding.declared}, Keycloak says ${finding.keycloak}${where ? c.dim(` (${where})`) : ''}`,
    ].join('\n');
  });
  return [c.bold(`Realm findings (${result.realmFindings.length})`), ...entries].join('\n');
};

const hostileTable: TextSection = ({ result, c, width }) =>
  result.hostile ? hostileTableText({ hostile: result.hostile, c, width }) : undefined;

const hostileFindings: TextSection = ({ result, c, width, verbose }) =>
  result.hostile ? hostileFindingsText({ hostile: result.hostile, c, width, verbose }) : undefined;

const listenerRequests: TextSection = ({ result, c, width }) =>
  result.hostile ? listenerRequestsText({ hostile: result.hostile, c, width }) : undefined;

const unattacked: TextSection = ({ result, c, width }) =>
  result.hostile ? unattackedText({ hostile: result.hostile, c, width }) : undefined;

const notChecked: TextSection = ({ result, c, width }) => {
  const work = notCheckedWork(result);
  if (work.length === 0) return undefined;
  const heading = headingText(`${NOT_CHECKED_TITLE} (${work.length})`, [NOT_CHECKED_NOTE], (text) => c.yellow(c.bold(text)), c, width);
  const entries = work.map((entry) =>
    [
      ...hangingWrap(entry.what, width, '! ', '  ').map((line, index) =>
        index === 0 ? `${c.yellow('!')}${c.bold(line.slice(1))}` : c.bold(line),
      ),
      ...hangingWrap(entry.why, width, '  '),
    ].join('\n'),
  );
  return [heading, ...entries].join('\n');
};

const coverage: TextSection = ({ result, c }) => coverageText(result.coverage, c);

const VERDICT_MARKS: Readonly<Record<Verdict, string>> = { pass: '✓', fail: '✗', incomplete: '!' };

const summary: TextSection = ({ result, c, width }) => {
  const verdict = verdictOf(result);
  const paint = verdict === 'pass' ? c.green : verdict === 'fail' ? c.red : c.yellow;
  const lines = fitParts(`${VERDICT_MARKS[verdict]} ${summaryLine(countMatrix(result))}`.split(' · '), width);
  return lines.map((line) => paint(line)).join('\n');
};

const sections: readonly TextSection[] = [
  heading,
  grid,
  failures,
  realmFindings,
  hostileTable,
  hostileFindings,
  listenerRequests,
  unattacked,
  coverage,
  notChecked,
  summary,
];

/**
 * The matrix as a terminal grid (endpoints × users, each cell `✓ 200`, `✗ 500` or `? timeout`),
 * then every failing cell explained, the realm findings, the hostile-token suite when it ran (a
 * table of cases with each skipped case's reason, every finding with its evidence and fix, the
 * listener's requests), what could not be checked, and a summary line (`✓`, `✗`, or `!
 * incomplete: …` when something could not be checked), wrapped at ` · ` when it is wider than
 * `width`.
 *
 * @example
 * process.stdout.write(`${renderMatrixText(result, { color: process.stdout.isTTY })}\n`);
 */
export function renderMatrixText(result: MatrixResult, options: MatrixTextOptions): string {
  const context: TextContext = {
    result,
    c: pc.createColors(options.color),
    width: options.width ?? 100,
    verbose: options.verbose ?? false,
  };
  return sections
    .map((section) => section(context))
    .filter((text) => text !== undefined)
    .join('\n\n');
}
