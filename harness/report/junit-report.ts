import { XMLBuilder } from 'fast-xml-parser';
import type { CellResult, MatrixResult, RealmFinding } from '../matrix/types.js';
import { cellPassed, expectedLabel, failedCells, failureReason, locationLabel, observedLabel, oneLine } from './matrix-facts.js';

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
    node: { '@_name': name, '@_tests': cases.length, '@_failures': failures, '@_errors': 0, '@_time': seconds(ms), testcase: cases, ...extra },
  };
}

function cellCase(cell: CellResult): XmlNode {
  const node: XmlNode = { '@_name': `${cell.endpoint} × ${cell.user}`, '@_classname': cell.endpoint, '@_time': seconds(cell.observed.durationMs) };
  if (cellPassed(cell)) return node;
  const details = [
    `expected: ${expectedLabel(cell)}`,
    `got: ${observedLabel(cell.observed)}`,
    `reason: ${failureReason(cell)}`,
    ...(cell.observed.excerpt ? [`response: ${cell.observed.excerpt}`] : []),
  ];
  return { ...node, failure: { '@_message': oneLine(failureReason(cell), 500), '@_type': cell.observed.kind, '#text': details.join('\n') } };
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

const sections: readonly SuiteSection[] = [matrixSuite, realmSuite];

/**
 * The result as JUnit XML for CI: suite "kcbox matrix" with a testcase per cell
 * (`GET /items × bob`, classname the endpoint), failing for every mismatch, server error,
 * network error and timeout; suite "kcbox realm" with a failing testcase per realm finding.
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
