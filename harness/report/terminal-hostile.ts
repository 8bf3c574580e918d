import Table from 'cli-table3';
import type pc from 'picocolors';
import type { HostileFinding, HostileResult } from '../hostile/result-types.js';
import {
  type HostileCaseRow,
  type HostileCaseState,
  caseResultText,
  countHostile,
  gotLabel,
  hostileCasesLabel,
  hostileRows,
  orderedFindings,
} from './hostile-facts.js';
import { hangingWrap, headingText } from './terminal-wrap.js';
import { oneLine, plural } from './words.js';

type Colors = ReturnType<typeof pc.createColors>;

/** What the hostile parts of the text report need. */
export interface HostileTextContext {
  readonly hostile: HostileResult;
  readonly c: Colors;
  /** Columns every line fits in. */
  readonly width: number;
  /** Every advisory finding on its own; default: one line per advisory case. */
  readonly verbose?: boolean;
}

/** Excerpts are one line of at most this many characters, and less when the width asks for it. */
const EXCERPT_MAX = 160;
/** The summary table stays compact: longer results (skip reasons) wrap. */
const RESULT_MAX = 56;

const MARKS: Readonly<Record<HostileCaseState, string>> = {
  passed: '✓',
  blocking: '✗',
  'below-threshold': '✗',
  inconclusive: '?',
  skipped: '–',
  'not-checked': '?',
  'not-run': '·',
};

const rowResult = (row: HostileCaseRow): string => `${MARKS[row.state]} ${caseResultText(row)}`;

function rowPaint(row: HostileCaseRow, c: Colors): (text: string) => string {
  switch (row.state) {
    case 'blocking':
      return c.red;
    case 'below-threshold':
    case 'inconclusive':
    case 'not-checked':
      return c.yellow;
    case 'passed':
      return c.green;
    default:
      return c.dim;
  }
}

/**
 * The "Hostile tokens" table: one row per case, run, skipped or not checked, in catalog order,
 * with its severity and `✓ refused`, `✗ N findings`, `– skipped: reason`, `? not checked: why`,
 * `? N attempts inconclusive (no answer)`.
 */
export function hostileTableText({ hostile, c, width }: HostileTextContext): string {
  const rows = hostileRows(hostile);
  const counts = countHostile(hostile);
  const results = rows.map(rowResult);
  const idWidth = Math.max('Case'.length, ...rows.map((row) => row.id.length));
  const severityWidth = Math.max('Severity'.length, ...rows.map((row) => row.severity.length));
  // Four border characters and one space of padding either side of each of the three columns.
  const available = width - 4 - 6 - idWidth - severityWidth;
  const resultWidth = Math.min(
    Math.max('Result'.length, ...results.map((text) => text.length)),
    Math.max(12, Math.min(RESULT_MAX, available)),
  );
  const table = new Table({
    head: ['Case', 'Severity', 'Result'].map((label) => c.bold(label)),
    colWidths: [idWidth + 2, severityWidth + 2, resultWidth + 2],
    style: { head: [], border: [], compact: true },
  });
  rows.forEach((row, index) => {
    const paint = rowPaint(row, c);
    const result = hangingWrap(results[index] ?? '', resultWidth, '', '  ')
      .map((line) => paint(line))
      .join('\n');
    table.push([row.id, row.state === 'skipped' ? c.dim(row.severity) : row.severity, result]);
  });
  const facts = [`fail on ${counts.failOn} and above`, plural(hostile.endpoints.length, 'protected endpoint'), hostileCasesLabel(counts)];
  return `${headingText('Hostile tokens', facts, c.bold, c, width)}\n${table.toString()}`;
}

function findingText(finding: HostileFinding, c: Colors, width: number): string {
  const tag = `[${finding.severity}]`;
  const paint = finding.blocking ? c.red : c.yellow;
  const [head = '', ...headRest] = hangingWrap(`${tag} ${finding.caseId} · ${finding.endpoint} · ${finding.variant}`, width, '', '  ');
  const got = `  ${gotLabel(finding)}`;
  const excerpt = oneLine(finding.excerpt, Math.min(EXCERPT_MAX, Math.max(20, width - got.length - 3)));
  return [
    `${paint(tag)}${c.bold(head.slice(tag.length))}`,
    ...headRest.map((line) => c.bold(line)),
    c.dim(excerpt ? `${got} · ${excerpt}` : got),
    ...hangingWrap(finding.reason, width, '  '),
    ...hangingWrap(finding.exploitableBy, width, '  by:  ', '       '),
    ...hangingWrap(finding.fix, width, '  fix: ', '       '),
  ].join('\n');
}

/**
 * The advisory findings of one case as one entry: JWT-only backends accept a revoked session on
 * every endpoint alike, and eight near-identical blocks would bury the result.
 */
function foldedAdvisoryText(findings: readonly HostileFinding[], c: Colors, width: number): string {
  const [first] = findings as [HostileFinding, ...HostileFinding[]];
  const tag = `[${first.severity}]`;
  const endpoints = [...new Set(findings.map((finding) => finding.endpoint))];
  const [head = '', ...headRest] = hangingWrap(
    `${tag} ${first.caseId} · ${plural(endpoints.length, 'endpoint')} (${endpoints.join(', ')})`,
    width,
    '',
    '  ',
  );
  return [
    `${c.yellow(tag)}${c.bold(head.slice(tag.length))}`,
    ...headRest.map((line) => c.bold(line)),
    ...hangingWrap(first.reason, width, '  '),
    ...hangingWrap(first.fix, width, '  fix: ', '       '),
  ].join('\n');
}

/**
 * Every hostile finding: the blocking ones first (they fail the check), then those below the
 * threshold; worst severity first within each. Advisory findings are folded to one entry per case
 * unless `verbose`. `undefined` when there is none.
 */
export function hostileFindingsText({ hostile, c, width, verbose = false }: HostileTextContext): string | undefined {
  const findings = orderedFindings(hostile);
  const blocking = findings.filter((finding) => finding.blocking);
  const below = findings.filter((finding) => !finding.blocking);
  const groups: string[] = [];
  if (blocking.length > 0) {
    const heading = headingText(
      `Blocking hostile findings (${blocking.length})`,
      [`at or above ${hostile.failOn}, these fail the check`],
      (text) => c.red(c.bold(text)),
      c,
      width,
    );
    groups.push([heading, ...blocking.map((finding) => findingText(finding, c, width))].join('\n'));
  }
  if (below.length > 0) {
    const heading = headingText(
      `Hostile findings below threshold (${below.length})`,
      [`below ${hostile.failOn}, reported without failing the check`],
      (text) => c.yellow(c.bold(text)),
      c,
      width,
    );
    const entries: string[] = [];
    const folded = new Set<string>();
    for (const finding of below) {
      if (verbose || finding.severity !== 'advisory') entries.push(findingText(finding, c, width));
      else if (!folded.has(finding.caseId)) {
        folded.add(finding.caseId);
        entries.push(
          foldedAdvisoryText(
            below.filter((other) => other.caseId === finding.caseId && other.severity === 'advisory'),
            c,
            width,
          ),
        );
      }
    }
    const hint = folded.size > 0 ? [c.dim('  (advisory findings folded per case: --verbose shows each)')] : [];
    groups.push([heading, ...entries, ...hint].join('\n'));
  }
  return groups.length > 0 ? groups.join('\n\n') : undefined;
}

/** The requests kcbox's jku/x5u listener received, each a server-side request forgery; `undefined` when none. */
export function listenerRequestsText({ hostile, c, width }: HostileTextContext): string | undefined {
  if (hostile.listenerRequests.length === 0) return undefined;
  const heading = headingText(
    `Listener requests (${hostile.listenerRequests.length})`,
    ['the backend fetched a URL taken from a token header (SSRF)'],
    (text) => c.red(c.bold(text)),
    c,
    width,
  );
  return [heading, ...hostile.listenerRequests.map((request) => `  ${oneLine(request, Math.max(20, width - 2))}`)].join('\n');
}

/** Protected endpoints no listed user may call, so the suite could not attack them; `undefined` when none. */
export function unattackedText({ hostile, c, width }: HostileTextContext): string | undefined {
  const endpoints = hostile.unattacked ?? [];
  if (endpoints.length === 0) return undefined;
  const heading = headingText(
    `Not attacked (${endpoints.length})`,
    ['no user in the spec may call these, so a refusal would prove nothing: add one who may'],
    (text) => c.yellow(c.bold(text)),
    c,
    width,
  );
  return [heading, ...endpoints.map((endpoint) => `  ${oneLine(endpoint, Math.max(20, width - 2))}`)].join('\n');
}
