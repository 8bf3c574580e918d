import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { parseKeycloakVersions } from '../../harness/check/check-versions.js';
import { checkExitCode } from '../../harness/check/exit-code.js';
import type { MatrixResult } from '../../harness/check/result-types.js';
import { renderVersionsJunit } from '../../harness/report/junit-report.js';
import { renderVersionsJson, renderVersionsMarkdown, renderVersionsText, versionPath } from '../../harness/report/versions-report.js';
import { matrixResult } from '../support/matrix-result.js';

const passing = (): MatrixResult => {
  const result = matrixResult();
  return {
    ...result,
    cells: result.cells.map((cell) => ({ ...cell, pass: true, reason: '' })),
    realmFindings: [],
    incomplete: [],
    passed: true,
  };
};
const runs = () => [
  { version: '26.4.7', result: matrixResult() },
  { version: '26.7.3', result: passing() },
];

describe('checks across Keycloak versions', () => {
  it('reads a comma-separated version list, dropping repeats, and names the flag in errors', () => {
    expect(parseKeycloakVersions('26.4.7, 26.7.3,26.4.7', '--keycloak')).toEqual(['26.4.7', '26.7.3']);
    expect(parseKeycloakVersions('26.7.3', '--keycloak')).toEqual(['26.7.3']);
    expect(() => parseKeycloakVersions('26.4.7,', '--keycloak')).toThrow(/--keycloak "26.4.7," has an empty entry/);
    expect(() => parseKeycloakVersions('26.4.7,25.0.1', '--keycloak')).toThrow(/--keycloak "25.0.1" is not supported/);
  });

  it('exits with the worst verdict across versions', () => {
    const pass = { incomplete: [], passed: true };
    const fail = { incomplete: [], passed: false };
    const incomplete = { incomplete: [{ what: 'the backend', why: 'it exited' }], passed: false };
    expect(checkExitCode([pass, pass])).toBe(0);
    expect(checkExitCode([pass, fail])).toBe(1);
    expect(checkExitCode([fail, incomplete, pass])).toBe(2);
    expect(checkExitCode(fail)).toBe(1);
  });

  it('keys the JSON report by version, passing only when every version passes', () => {
    const report = JSON.parse(renderVersionsJson(runs())) as { passed: boolean; versions: Record<string, MatrixResult> };
    expect(Object.keys(report.versions)).toEqual(['26.4.7', '26.7.3']);
    expect(report.passed).toBe(false);
    expect(report.versions['26.7.3']!.passed).toBe(true);
    expect(JSON.parse(renderVersionsJson([runs()[1]!])).passed).toBe(true);
  });

  it('gives JUnit suites per version, with the version in suite names and classnames', () => {
    const parsed = new XMLParser({ ignoreAttributes: false, isArray: (name) => ['testsuite', 'testcase'].includes(name) }).parse(
      renderVersionsJunit(runs()),
    ) as { testsuites: { testsuite: { '@_name': string; '@_failures': string; testcase: { '@_classname': string }[] }[] } };
    const suites = parsed.testsuites.testsuite;
    const older = suites.filter((suite) => suite['@_name'].startsWith('Keycloak 26.4.7 · '));
    const newer = suites.filter((suite) => suite['@_name'].startsWith('Keycloak 26.7.3 · '));
    expect(older.length).toBeGreaterThan(0);
    expect(newer.length).toBeGreaterThan(0);
    expect(older.length + newer.length).toBe(suites.length);
    expect(older.reduce((sum, suite) => sum + Number(suite['@_failures']), 0)).toBeGreaterThan(0);
    expect(newer.every((suite) => suite.testcase.every((test) => test['@_classname'].startsWith('keycloak-26.7.3.')))).toBe(true);
  });

  it('renders a grid per version and one verdict line each, in markdown under the version', () => {
    const text = renderVersionsText(runs(), { color: false, verbose: false });
    expect(text.indexOf('━━ Keycloak 26.4.7 ━━')).toBeLessThan(text.indexOf('━━ Keycloak 26.7.3 ━━'));
    expect(text).toMatch(/Keycloak 26\.4\.7: FAIL · /);
    expect(text).toMatch(/Keycloak 26\.7\.3: PASS · /);
    const markdown = renderVersionsMarkdown(runs());
    expect(markdown).toMatch(/^# kcbox across Keycloak versions\n\n- Keycloak 26\.4\.7: FAIL/);
    expect(markdown).toMatch(/\n## Keycloak 26\.7\.3 · kcbox scope matrix: \S+ PASS\n/);
  });

  it('puts the version before the extension of per-version report files', () => {
    expect(versionPath('reports/kcbox.sarif', '26.4.7')).toBe('reports/kcbox-26.4.7.sarif');
    expect(versionPath('report', '26.7.3')).toBe('report-26.7.3');
  });
});
