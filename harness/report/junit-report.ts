import { XMLBuilder } from 'fast-xml-parser';
import type { HostileFinding, HostileResult } from '../hostile/result-types.js';
import type { CellResult, RealmFinding } from '../matrix/types.js';
import type { MatrixResult } from '../check/result-types.js';
import { type HostileCell, type HostileCaseRow, excerptLabel, gotLabel, hostileGrid } from './hostile-facts.js';
import { expectedLabel, failedCells, failureReason, locationLabel, observedLabel, oneLine, plural } from './matrix-facts.js';

/** A node for XMLBuilder: `@_name` keys are attributes, `#text` the text. */
interface XmlNode {
  readonly [key: string]: string | number | XmlNode | readonly XmlNode[] | undefined;
}

interface Suite {
  readonly tests: number;
  readonly failures: number;
  readonly node: XmlNode;
}

/** One `<testsuite>` of the report; `undefined` when it has nothing to report. */
type SuiteSection = (result: MatrixResult) => Suite | undefined;

// XML 1.0 cannot carry these characters at all, not even escaped.
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;
const xmlSafe = (_name: string, value: unknown) => (typeof value === 'string' ? value.replace(NOT_XML, '\uFFFD') : value);

const seconds = (ms: number) => (ms / 1000).toFixed(3);

function suite(name: string, cases: readonly XmlNode[], failures: number, ms: number, extra: XmlNode = {}): Suite {
  return {
    tests: cases.length,
    failures,
    node: {
      '@_name': name,
      '@_tests': cases.length,
      '@_failures': failures,
      '@_errors': 0,
      '@_time': seconds(ms),
      testcase: cases,
      ...extra,
    },
  };
}

function cellCase(cell: CellResult): XmlNode {
  const node: XmlNode = {
    '@_name': `${cell.endpoint} × ${cell.user}`,
    '@_classname': cell.endpoint,
    '@_time': seconds(cell.observed.durationMs),
  };
  if (cell.pass) return node;
  const details = [
    `expected: ${expectedLabel(cell)}`,
    `got: ${observedLabel(cell)}`,
    `reason: ${failureReason(cell)}`,
    ...(cell.observed.excerpt ? [`response: ${cell.observed.excerpt}`] : []),
  ];
  return {
    ...node,
    failure: { '@_message': oneLine(failureReason(cell), 500), '@_type': cell.outcome, '#text': details.join('\n') },
  };
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
  const failures = failedCells(result).length;
  const extra: XmlNode = { '@_timestamp': result.startedAt, 'system-out': result.backendOutput || undefined };
  return suite('kcbox matrix', result.cells.map(cellCase), failures, result.durationMs, extra);
};

const realmSuite: SuiteSection = (result) => {
  if (result.realmFindings.length === 0) return undefined;
  return suite('kcbox realm', result.realmFindings.map(findingCase), result.realmFindings.length, 0);
};

function hostileDetails(finding: HostileFinding): string {
  return [
    `[${finding.severity}] ${finding.blocking ? 'blocking' : 'below threshold'} · ${finding.variant}`,
    gotLabel(finding),
    ...(finding.excerpt ? [`${excerptLabel(finding)}: ${finding.excerpt}`] : []),
    `reason: ${finding.reason}`,
    `fix: ${finding.fix}`,
    `reference: ${finding.reference}`,
  ].join('\n');
}

function hostileTestcase(hostile: HostileResult, row: HostileCaseRow, cell: HostileCell): XmlNode {
  const ms = cell.attempts.reduce((sum, attempt) => sum + attempt.observed.durationMs, 0);
  const node: XmlNode = { '@_name': `${row.id} · ${cell.endpoint}`, '@_classname': `hostile.${row.id}`, '@_time': seconds(ms) };
  if (cell.state === 'skipped') return { ...node, skipped: { '@_message': row.skipped ?? '' } };
  if (cell.state === 'not-run') return { ...node, skipped: { '@_message': 'No attempt of this case was sent to this endpoint.' } };
  const blocking = cell.findings.filter((finding) => finding.blocking);
  const below = cell.findings.filter((finding) => !finding.blocking);
  const out =
    below.length > 0
      ? `Below the threshold (${hostile.failOn}): reported, not failing.\n\n${below.map(hostileDetails).join('\n\n')}`
      : undefined;
  const [worst] = blocking;
  const failure: XmlNode | undefined = worst
    ? { '@_message': oneLine(worst.reason, 500), '@_type': worst.severity, '#text': blocking.map(hostileDetails).join('\n\n') }
    : undefined;
  return { ...node, failure, 'system-out': out };
}

const hostileSuite: SuiteSection = ({ hostile }) => {
  if (!hostile) return undefined;
  const cases: XmlNode[] = [];
  let [failures, skipped] = [0, 0];
  for (const { row, cells } of hostileGrid(hostile).rows) {
    // Every protected endpoint, so the count stays the same whatever is skipped; other places (the listener) only with a finding.
    for (const cell of cells.filter((value) => hostile.endpoints.includes(value.endpoint) || value.findings.length > 0)) {
      if (cell.state === 'blocking') failures += 1;
      if (cell.state === 'skipped' || cell.state === 'not-run') skipped += 1;
      cases.push(hostileTestcase(hostile, row, cell));
    }
  }
  const ms = hostile.attempts.reduce((sum, attempt) => sum + attempt.observed.durationMs, 0);
  const listener =
    hostile.listenerRequests.length > 0
      ? `The jku/x5u listener received ${plural(hostile.listenerRequests.length, 'request')}, each a server-side request forgery:\n${hostile.listenerRequests.join('\n')}`
      : undefined;
  return suite('kcbox hostile', cases, failures, ms, { '@_skipped': skipped, 'system-out': listener });
};

const sections: readonly SuiteSection[] = [matrixSuite, realmSuite, hostileSuite];

/**
 * The result as JUnit XML for CI: suite "kcbox matrix" with a testcase per cell
 * (`GET /items × bob`, classname the endpoint), failing for every mismatch, server error,
 * network error and timeout; suite "kcbox realm" with a failing testcase per realm finding;
 * suite "kcbox hostile", when the hostile-token suite ran, with a testcase per case × protected
 * endpoint (`none · GET /items`, classname `hostile.none`) that fails only for a finding at or
 * above the threshold: findings below it go into the testcase's `<system-out>`, skipped cases
 * are `<skipped>`, and the listener's requests the suite's `<system-out>`.
 * The backend's output goes into the matrix suite's `<system-out>`.
 *
 * @example
 * await writeFile('reports/kcbox.xml', renderMatrixJunit(result));
 */
export function renderMatrixJunit(result: MatrixResult): string {
  const suites = sections.map((section) => section(result)).filter((value) => value !== undefined);
  const total = (pick: (value: Suite) => number) => suites.reduce((sum, value) => sum + pick(value), 0);
  const document: XmlNode = {
    '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' },
    testsuites: {
      '@_name': 'kcbox',
      '@_tests': total((value) => value.tests),
      '@_failures': total((value) => value.failures),
      '@_errors': 0,
      '@_time': seconds(result.durationMs),
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
