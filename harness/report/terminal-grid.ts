import Table from 'cli-table3';
import pc from 'picocolors';
import type { CellResult } from '../matrix/types.js';
import type { MatrixResult } from '../check/result-types.js';
import {
  type CellState,
  NOT_CHECKED_NOTE,
  NOT_CHECKED_TITLE,
  type Verdict,
  PEER_CELLS_NOTE,
  PEER_CELLS_TITLE,
  cellGrid,
  cellLabel,
  cellState,
  countMatrix,
  expectedLabel,
  failedCells,
  failedPeerCells,
  failureReason,
  locationLabel,
  notChecked as notCheckedWork,
  observedLabel,
  oneLine,
  type PeerGridRow,
  peerGrid,
  requirementLabel,
  statusLabel,
  summaryLine,
  verdictOf,
} from './matrix-facts.js';
import { coverageText } from './coverage-sections.js';
import { hostileFindingsText, hostileTableText, listenerRequestsText, unattackedText } from './terminal-hostile.js';
import { foldColumns, splitColumns } from './grid-fold.js';
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

/** A grid cell: a judged cell, none (`·`), or the caller's own object in the peer grid (`—`, shown in the role grid). */
type GridCell = CellResult | undefined | 'own';

interface GridLayout {
  /** Headings of the two label columns. */
  readonly heads: readonly [string, string];
  /** The two labels of each row. */
  readonly labels: readonly (readonly [string, string])[];
  readonly columns: readonly string[];
  readonly rows: readonly (readonly GridCell[])[];
}

/** The narrowest the two label columns get before the cell columns are split over several tables. */
const LABEL_MIN = [12, 10] as const;

const gridCellText = (cell: GridCell) => (cell === 'own' ? '—' : cell ? cellText(cell) : '·');

/**
 * A grid as one or more tables that fit `width`: when it is wider, columns with identical rows
 * fold into one (`bob +2`, named in full in a legend below); when it is still wider, the columns
 * are spread over several tables, each with the row labels.
 */
function gridText(layout: GridLayout, c: Colors, width: number): string {
  const texts = layout.rows.map((row) => row.map(gridCellText));
  const widthOf = (label: string, column: number) => Math.max(label.length, ...texts.map((row) => (row[column] ?? '').length));
  const natural = layout.columns.reduce((sum, name, column) => sum + widthOf(name, column) + 3, 0);
  const labelFloor = LABEL_MIN[0] + LABEL_MIN[1] + 6 + 1;
  const groups =
    natural + labelFloor > width
      ? foldColumns(layout.columns, texts)
      : layout.columns.map((label, column) => ({ label, members: [column] }));
  const groupWidths = groups.map((group) => widthOf(group.label, group.members[0]!));
  const runs = splitColumns(
    groupWidths.map((value) => value + 3),
    Math.max(1, width - labelFloor),
  );
  const firstWidth = Math.max(layout.heads[0].length, ...layout.labels.map((label) => label[0].length));
  const secondWidth = Math.max(layout.heads[1].length, ...layout.labels.map((label) => label[1].length));
  const tables = runs.map((run) => {
    const available = width - 1 - 6 - run.reduce((sum, index) => sum + groupWidths[index]! + 3, 0);
    let [first, second] = [firstWidth, secondWidth];
    if (first + second > available) {
      second = Math.min(secondWidth, Math.max(LABEL_MIN[1], Math.floor(available * 0.4)));
      first = Math.max(LABEL_MIN[0], available - second);
    }
    const table = new Table({
      head: [...layout.heads, ...run.map((index) => groups[index]!.label)].map((label) => c.bold(label)),
      colWidths: [first + 2, second + 2, ...run.map((index) => groupWidths[index]! + 2)],
      style: { head: [], border: [] },
    });
    layout.rows.forEach((row, index) => {
      const cells = run.map((group) => {
        const cell = row[groups[group]!.members[0]!];
        return cell === undefined || cell === 'own' ? c.dim(gridCellText(cell)) : cellPaint(cell, c)(cellText(cell));
      });
      const [label, detail] = layout.labels[index] ?? ['', ''];
      table.push([wrap(label, first), c.dim(wrap(detail, second)), ...cells]);
    });
    return table.toString();
  });
  const folded = groups.filter((group) => group.members.length > 1);
  const legend = folded.flatMap((group) =>
    hangingWrap(`${group.label} = ${group.members.map((member) => layout.columns[member]).join(', ')}`, width, '  ', '    '),
  );
  const note =
    folded.length > 0
      ? [
          c.dim(`Folded to fit ${width} columns: identical columns are shown once; every mismatch is listed in full below.`),
          ...legend.map(c.dim),
        ]
      : [];
  return [...tables, ...note].join('\n');
}

const grid: TextSection = ({ result, c, width }) =>
  gridText(
    {
      heads: ['Endpoint', 'Requires'],
      labels: result.endpoints.map((endpoint) => [`${endpoint.method} ${endpoint.path}`, requirementLabel(endpoint)] as const),
      columns: result.users,
      rows: cellGrid(result),
    },
    c,
    width,
  );

const peerGridSection: TextSection = ({ result, c, width }) => {
  if (!result.peerCells) return undefined;
  const { owners, rows } = peerGrid(result);
  const title = headingText(`${PEER_CELLS_TITLE}: caller × owner`, [PEER_CELLS_NOTE], (text) => c.bold(text), c, width);
  if (rows.length === 0) return `${title}\n${c.dim('No peer cell ran.')}`;
  // One column per owner fits only so many owners: past that, one line per endpoint and alike callers.
  const natural = owners.reduce((sum, owner) => sum + Math.max(owner.length, 6) + 3, 0) + LABEL_MIN[0] + LABEL_MIN[1] + 7;
  if (natural > width) return `${title}\n${peerSummaryText(rows, owners, c, width)}`;
  return `${title}\n${gridText(
    {
      heads: ['Endpoint', 'Caller'],
      labels: rows.map((row) => [`${row.endpoint.method} ${row.endpoint.path}`, row.caller] as const),
      columns: owners,
      rows: rows.map((row) => row.cells.map((cell, index) => (owners[index] === row.caller ? 'own' : cell))),
    },
    c,
    width,
  )}`;
};

/**
 * The peer grid for many owners: per endpoint, callers whose attempts on others' objects read the
 * same share one row (`user001 +97`), each row saying how many were as expected and whose objects
 * were not. Every failing cell is listed in full below it.
 */
function peerSummaryText(rows: readonly PeerGridRow[], owners: readonly string[], c: Colors, width: number): string {
  const summaries = rows.map((row) => {
    const judged = row.cells.filter((cell, index): cell is CellResult => cell !== undefined && owners[index] !== row.caller);
    const wrong = judged.filter((cell) => cellState(cell) !== 'passed');
    const text =
      wrong.length === 0
        ? `✓ ${judged.length} as expected`
        : `✗ ${wrong.length} of ${judged.length} not as expected, on the objects of ${wrong.map((cell) => cell.owner).join(', ')}`;
    return { row, text, ok: wrong.length === 0 };
  });
  const groups = new Map<string, { endpoint: string; callers: string[]; text: string; ok: boolean }>();
  for (const { row, text, ok } of summaries) {
    const key = `${row.endpoint.id}\u0000${text}`;
    const group = groups.get(key) ?? { endpoint: `${row.endpoint.method} ${row.endpoint.path}`, callers: [], text, ok };
    group.callers.push(row.caller);
    groups.set(key, group);
  }
  const endpointWidth = Math.min(40, Math.max(...[...groups.values()].map((group) => group.endpoint.length)));
  const callerWidth = 16;
  const resultWidth = Math.max(20, width - endpointWidth - callerWidth - 10);
  const table = new Table({
    head: ['Endpoint', 'Callers', "On other owners' objects"].map((label) => c.bold(label)),
    colWidths: [endpointWidth + 2, callerWidth + 2, resultWidth + 2],
    style: { head: [], border: [] },
  });
  for (const group of groups.values()) {
    const callers = group.callers.length === 1 ? group.callers[0]! : `${group.callers[0]!} +${group.callers.length - 1}`;
    table.push([
      wrap(group.endpoint, endpointWidth),
      wrap(callers, callerWidth),
      (group.ok ? c.green : c.red)(wrap(group.text, resultWidth)),
    ]);
  }
  const legend = [...groups.values()]
    .filter((group) => group.callers.length > 1)
    .flatMap((group) =>
      hangingWrap(`${group.callers[0]!} +${group.callers.length - 1} = ${group.callers.join(', ')}`, width, '  ', '    '),
    );
  const note =
    legend.length > 0 ? [c.dim(`Folded to fit ${width} columns: callers whose rows read the same share one.`), ...legend.map(c.dim)] : [];
  return [table.toString(), ...note].join('\n');
}

/** Every failing cell in full: what was expected, what came, why, and the answer's start. */
function failureEntries(failed: readonly CellResult[], c: Colors): string[] {
  return failed.map((cell) => {
    const lines = [
      `${c.red('✗')} ${c.bold(cellLabel(cell))}`,
      `  expected ${expectedLabel(cell)} · got ${observedLabel(cell)}`,
      `  ${failureReason(cell)}`,
    ];
    const excerpt = oneLine(cell.observed.excerpt);
    if (excerpt) lines.push(`  ${c.dim(`response: ${excerpt}`)}`);
    return lines.join('\n');
  });
}

const peerFailures: TextSection = ({ result, c }) => {
  const failed = failedPeerCells(result);
  if (failed.length === 0) return undefined;
  return [
    c.bold(`Peer failures (${failed.length}): a caller got at another owner's object, or was refused it wrongly`),
    ...failureEntries(failed, c),
  ].join('\n');
};

const failures: TextSection = ({ result, c }) => {
  const failed = failedCells(result);
  if (failed.length === 0) return undefined;
  return [c.bold(`Failures (${failed.length})`), ...failureEntries(failed, c)].join('\n');
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
  peerGridSection,
  peerFailures,
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
