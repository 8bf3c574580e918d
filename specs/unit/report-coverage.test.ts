import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import type { MatrixResult } from '../../harness/check/result-types.js';
import { REPORT_FORMATS, renderMatrixText, renderReport } from '../../harness/report/index.js';
import { UNCOVERED_OPERATION_RULE } from '../../harness/report/sarif-report.js';
import { matrixResult } from '../support/matrix-result.js';
import { sarifSchemaErrors } from '../support/sarif-schema.js';

/** The fixture run with an OpenAPI document: 1 of 3 operations covered, one skipped, one uncovered. */
function withCoverage(): MatrixResult {
  return {
    ...matrixResult(),
    coverage: {
      file: 'api/openapi.yaml',
      operations: 3,
      covered: [{ operation: 'GET /items', endpoints: ['GET /items'] }],
      skipped: [{ operation: 'GET /health', reason: 'a liveness probe, <b>public</b>' }],
      uncovered: ['PATCH /items/{id}'],
      undocumented: ['POST /items'],
    },
  };
}

describe('the coverage gate in reports', () => {
  it.each(REPORT_FORMATS.filter((format) => format !== 'json'))('%s shows N of M operations and the uncovered one', (format) => {
    const text = renderReport(withCoverage(), format);
    expect(text).toContain('OpenAPI coverage: 1 of 3 operations (1 skipped, 1 without a matrix entry)');
    expect(text).toContain('PATCH /items/{id}');
  });

  it('the terminal lists uncovered and skipped operations', () => {
    const text = renderMatrixText(withCoverage(), { color: false });
    expect(text).toContain('OpenAPI coverage (api/openapi.yaml): 1 of 3 operations');
    expect(text).toContain('✗ PATCH /items/{id}');
    expect(text).toContain('- GET /health skipped: a liveness probe, <b>public</b>');
  });

  it('JSON carries the coverage as given', () => {
    const report = JSON.parse(renderReport(withCoverage(), 'json')) as MatrixResult;
    expect(report.coverage).toEqual(withCoverage().coverage);
  });

  it('JUnit has a testcase per operation: passing, skipped with its reason, failing', () => {
    const parsed = new XMLParser({ ignoreAttributes: false, isArray: (name) => name === 'testsuite' || name === 'testcase' }).parse(
      renderReport(withCoverage(), 'junit'),
    ) as { testsuites: { testsuite: Array<{ '@_name': string; '@_failures': string; '@_skipped': string; testcase: unknown[] }> } };
    const suite = parsed.testsuites.testsuite.find((candidate) => candidate['@_name'] === 'kcbox openapi coverage');
    expect(suite?.testcase).toHaveLength(3);
    expect(suite?.['@_failures']).toBe('1');
    expect(suite?.['@_skipped']).toBe('1');
  });

  it('SARIF has a valid result for the uncovered operation at the OpenAPI file', () => {
    const log = JSON.parse(renderReport(withCoverage(), 'sarif')) as {
      runs: Array<{ results: Array<{ ruleId: string; locations: Array<{ physicalLocation?: { artifactLocation: { uri: string } } }> }> }>;
    };
    expect(sarifSchemaErrors(log)).toEqual([]);
    const results = log.runs[0]!.results.filter((result) => result.ruleId === UNCOVERED_OPERATION_RULE);
    expect(results).toHaveLength(1);
    expect(results[0]?.locations[0]?.physicalLocation?.artifactLocation.uri).toBe('api/openapi.yaml');
  });

  it('HTML escapes the skip reason', () => {
    expect(renderReport(withCoverage(), 'html')).toContain('a liveness probe, &lt;b&gt;public&lt;/b&gt;');
  });
});
