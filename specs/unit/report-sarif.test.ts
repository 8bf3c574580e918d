import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { MatrixResult } from '../../harness/check/result-types.js';
import { renderReport } from '../../harness/report/index.js';
import { renderMatrixSarif } from '../../harness/report/sarif-report.js';
import { matrixResult, matrixResultIncomplete, matrixResultWithHostile } from '../support/matrix-result.js';
import { sarifSchemaErrors } from '../support/sarif-schema.js';

const ROOT = '/repo';
const SPEC = 'specs/inventory.matrix.yaml';
/** The line of the spec that declares each endpoint of the fixtures. */
const LINES: Record<string, number> = { 'GET /items': 20, 'POST /items': 23, 'DELETE /items/{id}': 27 };

/** The fixture with each endpoint's `source`, as checkMatrix fills it from the spec. */
function located(result: MatrixResult): MatrixResult {
  return { ...result, endpoints: result.endpoints.map((endpoint) => ({ ...endpoint, source: { file: SPEC, line: LINES[endpoint.id]! } })) };
}

interface Region {
  physicalLocation?: { artifactLocation: { uri: string; uriBaseId?: string }; region?: { startLine: number } };
  logicalLocations?: Array<{ name: string; fullyQualifiedName: string; kind: string }>;
}
interface Log {
  $schema: string;
  version: string;
  runs: Array<{
    tool: {
      driver: {
        name: string;
        version: string;
        rules: Array<{ id: string; defaultConfiguration: { level: string }; properties: Record<string, unknown> }>;
      };
    };
    invocations: Array<{
      executionSuccessful: boolean;
      startTimeUtc: string;
      endTimeUtc: string;
      toolExecutionNotifications: Array<{ level: string; message: { text: string }; descriptor: { id: string } }>;
    }>;
    originalUriBaseIds: Record<string, { uri: string }>;
    results: Array<{
      ruleId: string;
      ruleIndex: number;
      level: string;
      message: { text: string };
      locations: Region[];
      partialFingerprints: Record<string, string>;
      properties: Record<string, unknown>;
    }>;
    properties: Record<string, unknown>;
  }>;
}

const sarif = (result: MatrixResult): Log => JSON.parse(renderMatrixSarif(result, { root: ROOT })) as Log;
const run = (result: MatrixResult) => sarif(result).runs[0]!;

describe('SARIF report', () => {
  it('is valid SARIF 2.1.0 for a failing, a hostile, an incomplete and a passing run', () => {
    const passing: MatrixResult = {
      ...matrixResult(),
      cells: matrixResult().cells.filter((cell) => cell.pass),
      realmFindings: [],
      passed: true,
    };
    for (const result of [matrixResult(), matrixResultWithHostile(), matrixResultIncomplete(), passing]) {
      for (const log of [sarif(result), sarif(located(result))]) expect(sarifSchemaErrors(log)).toEqual([]);
    }
    // The schema is really applied: a wrong level and a missing driver are caught.
    expect(
      sarifSchemaErrors({ version: '2.1.0', runs: [{ tool: {}, results: [{ message: { text: 'x' }, level: 'fatal' }] }] }),
    ).not.toEqual([]);
    const log = sarif(located(matrixResult()));
    log.runs[0]!.results[0]!.locations[0]!.physicalLocation!.region!.startLine = 0;
    expect(sarifSchemaErrors(log)).toContain('/runs/0/results/0/locations/0/physicalLocation/region/startLine: must be >= 1');
  });

  it('is what --report sarif=PATH writes', () => {
    expect(renderReport(matrixResult(), 'sarif')).toBe(renderMatrixSarif(matrixResult()));
    expect(sarif(matrixResult())).toMatchObject({ version: '2.1.0', $schema: expect.stringContaining('sarif-2.1.0') });
  });

  it('has a result per failed cell and realm finding, at the matrix line of the endpoint, and none for an inconclusive cell', () => {
    const { results, tool } = run(located(matrixResult()));
    expect(results.map((result) => [result.ruleId, result.level, result.locations[0]?.physicalLocation?.region?.startLine])).toEqual([
      ['kcbox/matrix/cell', 'error', 27],
      ['kcbox/matrix/realm-finding', 'error', 14],
    ]);
    const [cell, realm] = results;
    expect(cell!.message.text).toBe(
      'DELETE /items/{id} × bob: expected deny (403), got server-error 500. Keycloak denies bob Inventory#inventory:delete, but the backend answered 500 instead of 403.',
    );
    expect(cell!.locations[0]).toEqual({
      physicalLocation: { artifactLocation: { uri: SPEC, uriBaseId: '%SRCROOT%' }, region: { startLine: 27 } },
      logicalLocations: [{ name: 'DELETE /items/{id}', fullyQualifiedName: 'DELETE /items/{id}', kind: 'resource' }],
    });
    expect(cell!.properties).toMatchObject({ blocking: true, endpoint: 'DELETE /items/{id}', user: 'bob', expected: 'deny', status: 500 });
    expect(realm!.message.text).toBe('POST /items × bob (Inventory#inventory:add): the spec declares allow, Keycloak says deny.');
    expect(tool.driver.rules[cell!.ruleIndex]?.id).toBe('kcbox/matrix/cell');
    expect(tool.driver.rules[realm!.ruleIndex]?.id).toBe('kcbox/matrix/realm-finding');
    // Carol's timeout shows nothing either way: a notification, not a result.
    expect(results.some((result) => result.properties.user === 'carol')).toBe(false);
  });

  it('falls back to the spec file when the endpoint carries no line, and to the endpoint alone without a file', () => {
    const [cell] = run(matrixResult()).results;
    expect(cell!.locations[0]?.physicalLocation).toEqual({ artifactLocation: { uri: SPEC, uriBaseId: '%SRCROOT%' } });
    const objectSpec = { ...matrixResult(), spec: { ...matrixResult().spec, file: undefined } };
    expect(run(objectSpec).results[0]!.locations[0]).toEqual({
      logicalLocations: [{ name: 'DELETE /items/{id}', fullyQualifiedName: 'DELETE /items/{id}', kind: 'resource' }],
    });
  });

  it('gives a file outside the root as a file: URI, and percent-encodes paths', () => {
    const outside = { ...matrixResult(), spec: { ...matrixResult().spec, file: '/elsewhere/m.yaml' } };
    expect(run(outside).results[0]!.locations[0]?.physicalLocation?.artifactLocation).toEqual({ uri: 'file:///elsewhere/m.yaml' });
    const spaced = { ...matrixResult(), spec: { ...matrixResult().spec, file: 'my specs/a#b.yaml' } };
    expect(run(spaced).results[0]!.locations[0]?.physicalLocation?.artifactLocation).toEqual({
      uri: 'my%20specs/a%23b.yaml',
      uriBaseId: '%SRCROOT%',
    });
    expect(run(matrixResult()).originalUriBaseIds).toEqual({ '%SRCROOT%': { uri: pathToFileURL(join(ROOT, '/')).href } });
  });

  it('has a rule per hostile case, levels by severity, and blocking in the properties', () => {
    const { results, tool } = run(located(matrixResultWithHostile()));
    const rules = Object.fromEntries(tool.driver.rules.map((rule) => [rule.id, rule]));
    expect(Object.keys(rules)).toEqual([
      'kcbox/matrix/cell',
      'kcbox/matrix/realm-finding',
      'kcbox/matrix/peer-cell',
      'kcbox/hostile/none',
      'kcbox/hostile/jku',
      'kcbox/hostile/iat-future',
      'kcbox/hostile/other-realm',
      'kcbox/hostile/scheme-case',
    ]);
    expect(rules['kcbox/hostile/none']).toMatchObject({
      defaultConfiguration: { level: 'error' },
      properties: { severity: 'critical', 'security-severity': '9.5', control: false },
    });
    expect(rules['kcbox/hostile/scheme-case']?.properties).toMatchObject({ control: true });
    const hostile = results.filter((result) => result.ruleId.startsWith('kcbox/hostile/'));
    expect(hostile.map((result) => [result.ruleId, result.level, result.properties.blocking, result.properties.endpoint])).toEqual([
      ['kcbox/hostile/jku', 'error', true, 'DELETE /items/{id}'],
      ['kcbox/hostile/jku', 'error', true, '(listener)'],
      ['kcbox/hostile/iat-future', 'warning', false, 'POST /items'],
    ]);
    for (const result of hostile) expect(tool.driver.rules[result.ruleIndex]?.id).toBe(result.ruleId);
    const [jku, listener, iat] = hostile;
    expect(jku!.message.text).toMatch(
      /^jku on DELETE \/items\/\{id\} \(critical\), jku → .*: got 204\. .* Blocking: critical is at or above the threshold high\. Fix: /,
    );
    expect(iat!.message.text).toContain('Below the threshold high: reported, does not fail the check.');
    expect(iat!.locations[0]?.physicalLocation?.region?.startLine).toBe(23);
    // The listener names no endpoint: the request is placed at the first endpoint the forgery went to.
    expect(listener!.locations[0]?.physicalLocation?.region?.startLine).toBe(23);
    // Results on one line stay apart: each has its own fingerprint.
    const prints = results.map((result) => result.partialFingerprints['kcbox/v1']);
    expect(new Set(prints).size).toBe(results.length);
    expect(run(located(matrixResultWithHostile())).results.map((result) => result.partialFingerprints['kcbox/v1'])).toEqual(prints);
  });

  it('maps advisory to note', () => {
    const result = matrixResultWithHostile();
    const hostile = result.hostile!;
    const advisory = {
      ...result,
      hostile: { ...hostile, findings: hostile.findings.map((finding) => ({ ...finding, severity: 'advisory' as const })) },
    };
    expect(
      new Set(
        run(advisory)
          .results.filter((r) => r.ruleId.startsWith('kcbox/hostile/'))
          .map((r) => r.level),
      ),
    ).toEqual(new Set(['note']));
  });

  it('lists what could not be checked as tool execution notifications, and an incomplete run as unsuccessful', () => {
    const incomplete = run(matrixResultIncomplete());
    const [invocation] = incomplete.invocations;
    expect(invocation!.executionSuccessful).toBe(false);
    expect(invocation!.startTimeUtc).toBe('2026-03-01T10:00:00.000Z');
    expect(invocation!.endTimeUtc).toBe('2026-03-01T10:00:05.230Z');
    expect(invocation!.toolExecutionNotifications.map((note) => note.message.text)).toEqual([
      'Not checked: the backend: it exited during the check (code 1); its last output is in the report',
      'Not checked: POST /items × carol: no answer (timeout): no answer within 5000 ms',
      'Not checked: DELETE /items/{id} × carol: no answer (network-error): read ECONNRESET (also on a fresh connection)',
      'Not checked: hostile other-client: Keycloak did not give kcbox the token: 503 Service Unavailable from /realms/inventory-3f2a/protocol/openid-connect/token',
      'Not checked: hostile none · DELETE /items/{id} · alg "nOnE": no answer (timeout): no answer within 5000 ms',
    ]);
    expect(new Set(invocation!.toolExecutionNotifications.map((note) => [note.level, note.descriptor.id].join()))).toEqual(
      new Set(['error,kcbox/not-checked']),
    );
    expect(incomplete.properties).toMatchObject({ verdict: 'INCOMPLETE' });

    // A complete run: successful, with the unanswered cell it still could not judge as a warning.
    const complete = run(matrixResult()).invocations[0]!;
    expect(complete.executionSuccessful).toBe(true);
    expect(complete.toolExecutionNotifications.map((note) => [note.level, note.message.text])).toEqual([
      ['warning', 'Not checked: POST /items × carol: The backend did not answer within 5000 ms.'],
    ]);
    expect(run(matrixResult()).properties).toMatchObject({ verdict: 'FAIL', summary: expect.stringContaining('1 failed') });
  });
});
