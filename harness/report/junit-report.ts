import { XMLBuilder } from 'fast-xml-parser';
import type { HostileFinding, HostileResult } from '../hostile/result-types.js';
import type { CellResult, IncompleteWork, RealmFinding } from '../matrix/types.js';
import type { MatrixResult } from '../check/result-types.js';
import {
  type HostileCell,
  type HostileCaseRow,
  excerptLabel,
  gotLabel,
  hostileGrid,
  incompleteAttemptLabel,
  incompleteCaseLabel,
} from './hostile-facts.js';
import {
  NOT_CHECKED_NOTE,
  NOT_CHECKED_TITLE,
  PEER_CELLS_NOTE,
  PEER_CELLS_TITLE,
  UNCOVERED_NOTE,
  VERDICT_LABEL,
  cellLabel,
  cellState,
  countCoverage,
  countMatrix,
  coverageLabel,
  expectedLabel,
  failureReason,
  locationLabel,
  notChecked,
  observedLabel,
  peerCellsOf,
  oneLine,
  plural,
  summaryLine,
  verdictOf,
} from './matrix-facts.js';

/** A node for XMLBuilder: `@_name` keys are attributes, `#text` the text. */
interface XmlNode {
  readonly [key: string]: string | number | XmlNode | readonly XmlNode[] | undefined;
}

interface Tally {
  readonly tests: number;
  readonly failures: number;
  readonly errors: number;
  readonly skipped: number;
}

interface Suite extends Tally {
  readonly node: XmlNode;
  /** The `incomplete` entries this suite already reports as an `<error>` testcase. */
  readonly covers: ReadonlySet<string>;
}

/** One `<testsuite>` of the report; `undefined` when it has nothing to report. */
type SuiteSection = (result: MatrixResult, covered: ReadonlySet<string>) => Suite | undefined;

// XML 1.0 cannot carry these characters at all, not even escaped.
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;
const xmlSafe = (_name: string, value: unknown) => (typeof value === 'string' ? value.replace(NOT_XML, '\uFFFD') : value);

const seconds = (ms: number) => (ms / 1000).toFixed(3);

/** `<skipped>`, `<failure>` and `<error>` children, counted from the testcases themselves. */
function tally(cases: readonly XmlNode[]): Tally {
  const count = (key: string) => cases.filter((test) => test[key] !== undefined).length;
  return { tests: cases.length, failures: count('failure'), errors: count('error'), skipped: count('skipped') };
}

function suite(name: string, cases: readonly XmlNode[], ms: number, extra: XmlNode = {}, covers: ReadonlySet<string> = new Set()): Suite {
  const counts = tally(cases);
  return {
    ...counts,
    covers,
    node: {
      '@_name': name,
      '@_tests': counts.tests,
      '@_failures': counts.failures,
      '@_errors': counts.errors,
      '@_skipped': counts.skipped,
      '@_time': seconds(ms),
      testcase: cases,
      ...extra,
    },
  };
}

function cellCase(cell: CellResult): XmlNode {
  const node: XmlNode = {
    '@_name': cellLabel(cell),
    '@_classname': cell.endpoint,
    '@_time': seconds(cell.observed.durationMs),
  };
  const state = cellState(cell);
  if (state === 'passed') return node;
  const details = [
    `expected: ${expectedLabel(cell)}`,
    `got: ${observedLabel(cell)}`,
    `reason: ${failureReason(cell)}`,
    ...(cell.observed.excerpt ? [`${state === 'failed' ? 'response' : 'error'}: ${cell.observed.excerpt}`] : []),
  ];
  // No answer is not a failure of the backend's access control: it is a check that could not be made.
  const problem = { '@_message': oneLine(failureReason(cell), 500), '@_type': cell.outcome, '#text': details.join('\n') };
  return { ...node, [state === 'failed' ? 'failure' : 'error']: problem };
}

function findingCase(finding: RealmFinding): XmlNode {
  const message = `spec declared ${finding.declared}, Keycloak says ${finding.keycloak}`;
  const where = locationLabel(finding.source);
  const details = [`permission: ${finding.permission}`, message, ...(where ? [`declared at: ${where}`] : [])];
  return {
    '@_name': `${finding.endpoint} × ${finding.user}`,
    '@_classname': finding.endpoint,
    '@_time': seconds(0),
    failure: { '@_message': message, '@_type': 'realm-finding', '#text': details.join('\n') },
  };
}

const matrixSuite: SuiteSection = (result) => {
  const extra: XmlNode = { '@_timestamp': result.startedAt, 'system-out': result.backendOutput || undefined };
  const covers = new Set(result.cells.filter((cell) => cellState(cell) === 'inconclusive').map(cellLabel));
  return suite('kcbox matrix', result.cells.map(cellCase), result.durationMs, extra, covers);
};

/** The object-level cells apart from the role cells: `PUT /items/${owner.id} × bob on alice's object`. */
const peerSuite: SuiteSection = (result) => {
  const cells = peerCellsOf(result);
  if (!result.peerCells) return undefined;
  const covers = new Set(cells.filter((cell) => cellState(cell) === 'inconclusive').map(cellLabel));
  const time = cells.reduce((sum, cell) => sum + cell.observed.durationMs, 0);
  return suite('kcbox peer cells', cells.map(cellCase), time, { 'system-out': `${PEER_CELLS_TITLE}. ${PEER_CELLS_NOTE}` }, covers);
};

const realmSuite: SuiteSection = (result) => {
  if (result.realmFindings.length === 0) return undefined;
  return suite('kcbox realm', result.realmFindings.map(findingCase), 0);
};

function hostileDetails(finding: HostileFinding): string {
  return [
    `[${finding.severity}] ${finding.blocking ? 'blocking' : 'below threshold'} · ${finding.variant}`,
    gotLabel(finding),
    ...(finding.excerpt ? [`${excerptLabel(finding)}: ${finding.excerpt}`] : []),
    `reason: ${finding.reason}`,
    `exploitable by: ${finding.exploitableBy}`,
    `fix: ${finding.fix}`,
    `reference: ${finding.reference}`,
  ].join('\n');
}

/** The testcase of one case × endpoint, and the `incomplete` entries its `<error>` reports. */
function hostileTestcase(hostile: HostileResult, row: HostileCaseRow, cell: HostileCell): { node: XmlNode; covers: string[] } {
  const ms = cell.attempts.reduce((sum, attempt) => sum + attempt.observed.durationMs, 0);
  const node: XmlNode = { '@_name': `${row.id} · ${cell.endpoint}`, '@_classname': `hostile.${row.id}`, '@_time': seconds(ms) };
  if (cell.state === 'skipped') return { node: { ...node, skipped: { '@_message': row.skipped ?? '' } }, covers: [] };
  if (cell.state === 'not-run') {
    return { node: { ...node, skipped: { '@_message': 'No attempt of this case was sent to this endpoint.' } }, covers: [] };
  }
  const unanswered = cell.attempts.filter((attempt) => attempt.inconclusive);
  if (cell.state === 'inconclusive') {
    if (unanswered.length === 0) {
      const why = `not checked: ${row.notChecked ?? ''}`;
      return {
        node: { ...node, error: { '@_message': oneLine(why, 500), '@_type': 'not-checked', '#text': why } },
        covers: [incompleteCaseLabel(row.id)],
      };
    }
    const [first] = unanswered;
    const text = unanswered.map((attempt) => `${attempt.variant}: ${attempt.reason}`).join('\n');
    const error = { '@_message': oneLine(first?.reason ?? '', 500), '@_type': 'inconclusive', '#text': text };
    return { node: { ...node, error }, covers: unanswered.map(incompleteAttemptLabel) };
  }
  const blocking = cell.findings.filter((finding) => finding.blocking);
  const below = cell.findings.filter((finding) => !finding.blocking);
  const out = [
    ...(below.length > 0
      ? [`Below the threshold (${hostile.failOn}): reported, not failing.\n\n${below.map(hostileDetails).join('\n\n')}`]
      : []),
    ...(unanswered.length > 0
      ? [`Inconclusive (no answer):\n${unanswered.map((attempt) => `${attempt.variant}: ${attempt.reason}`).join('\n')}`]
      : []),
  ];
  const [worst] = blocking;
  const failure: XmlNode | undefined = worst
    ? { '@_message': oneLine(worst.reason, 500), '@_type': worst.severity, '#text': blocking.map(hostileDetails).join('\n\n') }
    : undefined;
  return { node: { ...node, failure, 'system-out': out.length > 0 ? out.join('\n\n') : undefined }, covers: [] };
}

const hostileSuite: SuiteSection = ({ hostile }) => {
  if (!hostile) return undefined;
  const cases: XmlNode[] = [];
  const covers = new Set<string>();
  for (const { row, cells } of hostileGrid(hostile).rows) {
    // Every protected endpoint, so the count stays the same whatever is skipped; other places (the listener) only with a finding.
    const shown = cells.filter((value) => hostile.endpoints.includes(value.endpoint) || value.findings.length > 0);
    for (const cell of shown) {
      const testcase = hostileTestcase(hostile, row, cell);
      cases.push(testcase.node);
      for (const label of testcase.covers) covers.add(label);
    }
    // No endpoint to attack: the case still shows, with why it sent nothing.
    if (shown.length === 0 && row.skipped !== undefined) {
      cases.push({ '@_name': row.id, '@_classname': `hostile.${row.id}`, '@_time': seconds(0), skipped: { '@_message': row.skipped } });
    }
  }
  const ms = hostile.attempts.reduce((sum, attempt) => sum + attempt.observed.durationMs, 0);
  const listener =
    hostile.listenerRequests.length > 0
      ? `The jku/x5u listener received ${plural(hostile.listenerRequests.length, 'request')}, each a server-side request forgery:\n${hostile.listenerRequests.join('\n')}`
      : undefined;
  return suite('kcbox hostile', cases, ms, { 'system-out': listener }, covers);
};

function incompleteCase(entry: IncompleteWork): XmlNode {
  return {
    '@_name': entry.what,
    '@_classname': 'incomplete',
    '@_time': seconds(0),
    error: { '@_message': oneLine(entry.why, 500), '@_type': 'incomplete', '#text': `${entry.what}: ${entry.why}` },
  };
}

/** What could not be checked and is not already an `<error>` testcase of another suite. */
const incompleteSuite: SuiteSection = (result, covered) => {
  const work = notChecked(result);
  const cases = work.filter((entry) => !covered.has(entry.what)).map(incompleteCase);
  // With every entry an error elsewhere, the suite is for the verdict, so only an incomplete run gets it.
  if (work.length === 0 || (cases.length === 0 && verdictOf(result) !== 'incomplete')) return undefined;
  const verdict = `${VERDICT_LABEL[verdictOf(result)]}\n${summaryLine(countMatrix(result))}`;
  const listed = work.map((entry) => `${entry.what}: ${entry.why}`).join('\n');
  const out = `${verdict}\n\n${NOT_CHECKED_TITLE} (${work.length}). ${NOT_CHECKED_NOTE}\n${listed}`;
  return suite('kcbox incomplete', cases, 0, { 'system-out': out });
};

/** A testcase per OpenAPI operation: passing when a matrix entry calls it, skipped with the skip's reason, else failing. */
const coverageSuite: SuiteSection = (result) => {
  const coverage = result.coverage;
  if (!coverage) return undefined;
  const testcase = (operation: string, extra: XmlNode = {}): XmlNode => ({
    '@_name': operation,
    '@_classname': `openapi.${coverage.file}`,
    '@_time': seconds(0),
    ...extra,
  });
  const cases = [
    ...coverage.covered.map((entry) => testcase(entry.operation, { 'system-out': `covered by: ${entry.endpoints.join(', ')}` })),
    ...coverage.skipped.map((skip) => testcase(skip.operation, { skipped: { '@_message': oneLine(skip.reason, 500) } })),
    ...coverage.uncovered.map((operation) =>
      testcase(operation, {
        failure: { '@_message': 'no matrix entry calls this operation', '@_type': 'openapi-coverage', '#text': UNCOVERED_NOTE },
      }),
    ),
  ];
  return suite('kcbox openapi coverage', cases, 0, { 'system-out': coverageLabel(countCoverage(coverage)) });
};

const sections: readonly SuiteSection[] = [matrixSuite, peerSuite, realmSuite, hostileSuite, coverageSuite];

/**
 * The result as JUnit XML for CI: suite "kcbox matrix" with a testcase per cell
 * (`GET /items × bob`, classname the endpoint), a `<failure>` for every mismatch and server
 * error, an `<error>` for every cell without an answer (timeout, network error: not checked);
 * suite "kcbox peer cells", when the spec has a setup section, the same for every caller on other
 * owners' objects (`PUT /items/${owner.id} × bob on alice's object`);
 * suite "kcbox realm" with a failing testcase per realm finding; suite "kcbox hostile", when the
 * hostile-token suite ran, with a testcase per case × protected endpoint (`none · GET /items`,
 * classname `hostile.none`) that fails only for a finding at or above the threshold: findings
 * below it go into the testcase's `<system-out>`, attempts without an answer and cases not checked
 * are `<error>`, skipped cases are `<skipped message="reason">`, and the listener's requests the
 * suite's `<system-out>`. With an OpenAPI document, suite "kcbox openapi coverage" has a testcase per
 * operation: passing when a matrix entry calls it, `<skipped>` with the skip's reason, else a `<failure>`. When something could not be checked, suite "kcbox incomplete" comes
 * last, with an `<error>` testcase for each such thing no other suite reports as one, and the
 * verdict and the whole list in its `<system-out>`. The backend's output goes into the matrix
 * suite's `<system-out>`.
 *
 * @example
 * await writeFile('reports/kcbox.xml', renderMatrixJunit(result));
 */
export function renderMatrixJunit(result: MatrixResult): string {
  return junitDocument(junitSuites(result), result.durationMs);
}

/** The suites of one result: the matrix, the realm findings, the hostile suite, what was not checked. */
function junitSuites(result: MatrixResult): Suite[] {
  const reported = sections.map((section) => section(result, new Set())).filter((value) => value !== undefined);
  const covered = new Set(reported.flatMap((value) => [...value.covers]));
  const incomplete = incompleteSuite(result, covered);
  return incomplete ? [...reported, incomplete] : reported;
}

/**
 * One JUnit document for the same check against several Keycloak versions: every suite of each
 * version's result, named `Keycloak VERSION · suite` and with `keycloak-VERSION.` before each
 * testcase's classname, so CI test views keep the versions apart.
 */
export function renderVersionsJunit(runs: ReadonlyArray<{ readonly version: string; readonly result: MatrixResult }>): string {
  const suites = runs.flatMap(({ version, result }) =>
    junitSuites(result).map((value) => ({
      ...value,
      node: {
        ...value.node,
        '@_name': `Keycloak ${version} · ${String(value.node['@_name'])}`,
        testcase: (value.node.testcase as readonly XmlNode[]).map((test) => ({
          ...test,
          '@_classname': `keycloak-${version}.${String(test['@_classname'])}`,
        })),
      },
    })),
  );
  return junitDocument(
    suites,
    runs.reduce((sum, run) => sum + run.result.durationMs, 0),
  );
}

function junitDocument(suites: readonly Suite[], durationMs: number): string {
  const total = (pick: (value: Suite) => number) => suites.reduce((sum, value) => sum + pick(value), 0);
  const document: XmlNode = {
    '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' },
    testsuites: {
      '@_name': 'kcbox',
      '@_tests': total((value) => value.tests),
      '@_failures': total((value) => value.failures),
      '@_errors': total((value) => value.errors),
      '@_skipped': total((value) => value.skipped),
      '@_time': seconds(durationMs),
      testsuite: suites.map((value) => value.node),
    },
  };
  const builder = new XMLBuilder({
    ignoreAttributes: false,
    format: true,
    suppressEmptyNode: true,
    tagValueProcessor: xmlSafe,
    attributeValueProcessor: xmlSafe,
  });
  return builder.build(document) as string;
}
