import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import type { MatrixResult } from '../../harness/check/result-types.js';
import { kcboxVersion } from '../../harness/package-info.js';
import {
  type MatrixJsonReport,
  countMatrix,
  renderMatrixJson,
  renderMatrixJunit,
  renderMatrixMarkdown,
  renderMatrixText,
} from '../../harness/report/index.js';
import { matrixResult, matrixResultWithHostile } from '../support/matrix-result.js';

const ANSI = /\u001b\[/;

describe('terminal grid', () => {
  it('shows a mark and the status per cell, the endpoints with their requirements, and the users', () => {
    const text = renderMatrixText(matrixResult(), { color: false });
    for (const header of ['Endpoint', 'Requires', 'alice', 'bob', 'carol', 'anonymous']) expect(text).toContain(header);
    expect(text).toMatch(/│ DELETE \/items\/\{id\} *│ Inventory#inventory:delete *│ ✓ 204 *│ ✗ 500 *│ ✓ 403 *│ ✓ 401 *│/);
    expect(text).toMatch(/│ POST \/items *│ Inventory#inventory:add *│ ✓ 201 *│ ✓ 403 *│ ✗ timeout *│ ✓ 401 *│/);
    expect(text).toMatch(/│ GET \/items *│ public *│ ✓ 200 /);
  });

  it('explains every failing cell, then the realm findings, then sums up', () => {
    const text = renderMatrixText(matrixResult(), { color: false });
    expect(text).toContain(
      [
        '✗ DELETE /items/{id} × bob',
        '  expected deny (403) · got server-error 500',
        '  Keycloak denies bob Inventory#inventory:delete, but the backend answered 500 instead of 403.',
      ].join('\n'),
    );
    expect(text).toContain('✗ POST /items × carol\n  expected deny (403) · got timeout');
    const response = text
      .split('\n')
      .find((line) => line.startsWith("  response: <script>throw new Error('unescaped')</script> at Handler |"));
    expect(response?.length).toBe('  response: '.length + 200);
    expect(text).toContain(
      '! POST /items × bob Inventory#inventory:add\n  spec declared allow, Keycloak says deny (specs/inventory.matrix.yaml:14)',
    );
    expect(text.trimEnd().split('\n').at(-1)).toBe('✗ 12 cells: 10 passed, 2 failed · 1 realm finding');
    expect(text.indexOf('Failures (2)')).toBeLessThan(text.indexOf('Realm findings (1)'));
  });

  it('colours only when asked', () => {
    expect(renderMatrixText(matrixResult(), { color: false })).not.toMatch(ANSI);
    const coloured = renderMatrixText(matrixResult(), { color: true });
    expect(coloured).toContain('\u001b[32m✓ 200\u001b[39m');
    expect(coloured).toContain('\u001b[31m✗ 500\u001b[39m');
  });

  it('fits 100 columns with five users and long paths, wrapping the paths', () => {
    const result = matrixResult();
    const wide: MatrixResult = {
      ...result,
      users: [...result.users, 'dave-the-auditor'],
      endpoints: result.endpoints.map((endpoint) => ({ ...endpoint, path: `/api/v1/warehouses/{warehouseId}${endpoint.path}` })),
    };
    const lines = renderMatrixText(wide, { color: false })
      .split('\n')
      .filter((line) => /^[┌│├└]/.test(line));
    expect(Math.max(...lines.map((line) => line.length))).toBeLessThanOrEqual(100);
    expect(lines.join('\n')).toContain('/{warehouseId}/items');
  });

  it('says so when everything passed', () => {
    const result = matrixResult();
    const passing: MatrixResult = {
      ...result,
      cells: result.cells.map((cell) => ({
        ...cell,
        pass: true,
        reason: '',
        ...(cell.expected === 'allow'
          ? {}
          : { observed: { kind: 'answered' as const, status: 403, excerpt: '', durationMs: 5 }, outcome: 'denied' as const }),
      })),
      realmFindings: [],
      passed: true,
    };
    const text = renderMatrixText(passing, { color: false });
    expect(text).not.toContain('Failures');
    expect(text).not.toContain('Realm findings');
    expect(text).not.toContain('Hostile');
    expect(text.trimEnd().split('\n').at(-1)).toBe('✓ 12 cells: 12 passed, 0 failed · 0 realm findings');
  });
});

/** The fixture after the backend fixed jku: only the finding below the threshold is left. */
function hostileBelowThreshold(): MatrixResult {
  const result = matrixResultWithHostile();
  const hostile = result.hostile!;
  const attempts = hostile.attempts.map((attempt) =>
    attempt.caseId === 'jku'
      ? { ...attempt, observed: { kind: 'answered' as const, status: 401, excerpt: '', durationMs: 3 }, pass: true, reason: '' }
      : attempt,
  );
  return {
    ...result,
    hostile: { ...hostile, attempts, findings: hostile.findings.filter((finding) => !finding.blocking), listenerRequests: [], blocking: 0 },
  };
}

describe('terminal hostile section', () => {
  const hostileText = (result: MatrixResult, width?: number) => {
    const text = renderMatrixText(result, { color: false, ...(width === undefined ? {} : { width }) });
    return text.slice(text.indexOf('Hostile tokens'));
  };

  it('names protected endpoints nobody listed may call, which the suite could not attack', () => {
    const base = matrixResultWithHostile();
    const result = { ...base, hostile: { ...base.hostile!, unattacked: ['GET /reports'] } };
    expect(hostileText(result)).toContain(
      'Not attacked (1)\n  no user in the spec may call these, so a refusal would prove nothing: add one who may\n  GET /reports',
    );
    expect(hostileText(base)).not.toContain('Not attacked');
  });

  it('comes after the matrix and the realm findings: a table of cases in catalog order, with a result each', () => {
    const text = renderMatrixText(matrixResultWithHostile(), { color: false });
    expect(text.indexOf('Realm findings (1)')).toBeLessThan(text.indexOf('Hostile tokens'));
    expect(hostileText(matrixResultWithHostile())).toContain(
      [
        'Hostile tokens · fail on high and above · 2 protected endpoints · 4 cases run, 1 skipped',
        '┌─────────────┬──────────┬──────────────────────────────────────────────────────────┐',
        '│ Case        │ Severity │ Result                                                   │',
        '├─────────────┼──────────┼──────────────────────────────────────────────────────────┤',
        '│ none        │ critical │ ✓ refused                                                │',
        '│ jku         │ critical │ ✗ 2 findings                                             │',
        '│ iat-future  │ policy   │ ✗ 1 finding                                              │',
        '│ other-realm │ critical │ – skipped: The spec names an existing realm, so kcbox    │',
        '│             │          │   has no second realm to take a token from.              │',
        '│ scheme-case │ high     │ ✓ accepted                                               │',
        '└─────────────┴──────────┴──────────────────────────────────────────────────────────┘',
      ].join('\n'),
    );
  });

  it('lists the blocking findings first, each with its evidence on one line, the reason and the fix', () => {
    const text = hostileText(matrixResultWithHostile());
    expect(text).toContain(
      [
        'Blocking hostile findings (2) · at or above high, these fail the check',
        '[critical] jku · DELETE /items/{id} · jku → http://127.0.0.1:47113/jku/jwks.json',
        `  got 204 · {"deleted":7,"by":"<script>alert('forged')</script>","trace":"${'y'.repeat(25)}…`,
        '  The backend accepted a token signed by a key it fetched from the jku URL in the token header.',
        '  fix: Ignore jku: fetch keys only from the configured realm JWKS URL, never from a URL in the token',
        '       (the fetch alone is an SSRF).',
        '[critical] jku · (listener) · jku → http://127.0.0.1:47113/jku/jwks.json',
        '  fetched by the backend · GET /jku/jwks.json',
      ].join('\n'),
    );
    expect(text).toContain(
      [
        'Hostile findings below threshold (1) · below high, reported without failing the check',
        '[policy] iat-future · POST /items · iat an hour ahead, signed with the realm signing key',
        '  got 201 · {"id":8,"name":"widget"}',
        '  The backend accepted a token issued an hour in the future.',
      ].join('\n'),
    );
    expect(text.indexOf('Blocking hostile findings')).toBeLessThan(text.indexOf('Hostile findings below threshold'));
    expect(text).toContain('Listener requests (1) · the backend fetched a URL taken from a token header (SSRF)\n  GET /jku/jwks.json');
  });

  it('sums up the hostile counts, and keeps every hostile line within the width', () => {
    const text = hostileText(matrixResultWithHostile());
    expect(text.trimEnd().split('\n').slice(-2)).toEqual([
      '✗ 12 cells: 10 passed, 2 failed · 1 realm finding',
      '  hostile: 4 cases run, 1 skipped, 2 blocking findings (threshold high), 1 below threshold',
    ]);
    expect(Math.max(...text.split('\n').map((line) => line.length))).toBeLessThanOrEqual(100);
    const narrow = hostileText(matrixResultWithHostile(), 72).split('\n');
    expect(narrow.filter((line) => line.length > 72)).toEqual([]);
    expect(narrow.slice(0, 2)).toEqual(['Hostile tokens · fail on high and above · 2 protected endpoints', '  4 cases run, 1 skipped']);
  });

  it('keeps the summary on one line when it fits, and passes below the threshold', () => {
    const result = hostileBelowThreshold();
    const passing: MatrixResult = { ...result, cells: result.cells.filter((cell) => cell.pass), realmFindings: [], passed: true };
    const text = renderMatrixText(passing, { color: false, width: 160 });
    expect(text.trimEnd().split('\n').at(-1)).toBe(
      '✓ 10 cells: 10 passed, 0 failed · 0 realm findings · hostile: 4 cases run, 1 skipped, 0 blocking findings (threshold high), 1 below threshold',
    );
    expect(text).not.toContain('Blocking hostile findings');
    expect(text).toContain('Hostile findings below threshold (1) · below high');
    expect(text).not.toContain('Listener requests');
    expect(text).toContain('│ jku         │ critical │ ✓ refused');
  });

  it('colours blocking results red and the others yellow', () => {
    const coloured = renderMatrixText(matrixResultWithHostile(), { color: true });
    expect(coloured).toContain('\u001b[31m✗ 2 findings\u001b[39m');
    expect(coloured).toContain('\u001b[33m✗ 1 finding\u001b[39m');
    expect(coloured).toContain('\u001b[32m✓ refused\u001b[39m');
    expect(coloured).toContain('\u001b[31m[critical]\u001b[39m');
    expect(coloured).toContain('\u001b[33m[policy]\u001b[39m');
  });
});

describe('counting', () => {
  it("reads each cell's pass as the judge gave it: reports never decide again", () => {
    const result = matrixResult();
    expect(countMatrix(result)).toEqual({ cells: 12, passed: 10, failed: 2, realmFindings: 1 });
    const allPassed: MatrixResult = { ...result, cells: result.cells.map((cell) => ({ ...cell, pass: true })) };
    expect(countMatrix(allPassed)).toEqual({ cells: 12, passed: 12, failed: 0, realmFindings: 1 });
  });

  it('counts the hostile cases and findings when the suite ran', () => {
    expect(countMatrix(matrixResult())).not.toHaveProperty('hostile');
    expect(countMatrix(matrixResultWithHostile()).hostile).toEqual({
      cases: 4,
      skipped: 1,
      blocking: 2,
      belowThreshold: 1,
      failOn: 'high',
      listenerRequests: 1,
    });
  });

  it("shows the result's own verdict, even where every cell passed", () => {
    const clean = (result: MatrixResult, passed: boolean): MatrixResult => ({
      ...result,
      cells: result.cells.filter((cell) => cell.pass),
      realmFindings: [],
      passed,
    });
    const last = (result: MatrixResult) => renderMatrixText(result, { color: false, width: 200 }).trimEnd().split('\n').at(-1);
    expect(last(clean(matrixResultWithHostile(), false))).toMatch(/^✗ /);
    expect(last(clean(hostileBelowThreshold(), true))).toMatch(/^✓ /);
  });
});

describe('JSON report', () => {
  it('is the result plus who wrote it, and round-trips', () => {
    const result = matrixResult();
    const text = renderMatrixJson(result);
    expect(text).toMatch(/^\{\n {2}"kcbox": \{\n {4}"version"/);
    const { kcbox, ...rest } = JSON.parse(text) as MatrixJsonReport;
    expect(kcbox).toEqual({ version: kcboxVersion(), reportFormat: 2 });
    expect(rest).toEqual(result);
  });

  it('carries the hostile result', () => {
    const result = matrixResultWithHostile();
    const report = JSON.parse(renderMatrixJson(result)) as MatrixJsonReport;
    expect(report.hostile).toEqual(result.hostile);
    expect(report.hostile?.findings.filter((finding) => finding.blocking)).toHaveLength(2);
    expect(JSON.parse(renderMatrixJson(matrixResult()))).not.toHaveProperty('hostile');
  });
});

describe('JUnit report', () => {
  const parse = (xml: string) =>
    new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => ['testsuite', 'testcase'].includes(name) }).parse(
      xml,
    ) as {
      testsuites: {
        tests: string;
        failures: string;
        testsuite: {
          name: string;
          tests: string;
          failures: string;
          errors: string;
          time: string;
          skipped?: string;
          'system-out'?: string;
          testcase: {
            name: string;
            classname: string;
            failure?: { message: string; type: string; '#text': string };
            skipped?: { message: string };
            'system-out'?: string;
          }[];
        }[];
      };
    };

  it('is valid XML with a suite per section and the right counts', () => {
    const xml = renderMatrixJunit(matrixResult());
    expect(XMLValidator.validate(xml)).toBe(true);
    const { testsuites } = parse(xml);
    expect([testsuites.tests, testsuites.failures]).toEqual(['13', '3']);
    const [matrix, realm] = testsuites.testsuite;
    expect(matrix).toMatchObject({ name: 'kcbox matrix', tests: '12', failures: '2', errors: '0', time: '5.230' });
    expect(realm).toMatchObject({ name: 'kcbox realm', tests: '1', failures: '1' });
    expect(matrix?.['system-out']).toBe('listening on 4010\nError: boom <at> DELETE /items/7');
  });

  it('names a testcase per cell, and fails mismatches, timeouts and server errors', () => {
    const [matrix, realm] = parse(renderMatrixJunit(matrixResult())).testsuites.testsuite;
    expect(matrix?.testcase.map((test) => test.name)).toContain('DELETE /items/{id} × bob');
    expect(matrix?.testcase).toHaveLength(12);
    const failed = matrix?.testcase.filter((test) => test.failure) ?? [];
    expect(failed.map((test) => [test.name, test.classname, test.failure?.type])).toEqual([
      ['POST /items × carol', 'POST /items', 'timeout'],
      ['DELETE /items/{id} × bob', 'DELETE /items/{id}', 'server-error'],
    ]);
    expect(failed[1]?.failure?.message).toBe(
      'Keycloak denies bob Inventory#inventory:delete, but the backend answered 500 instead of 403.',
    );
    expect(failed[1]?.failure?.['#text']).toContain("response: <script>throw new Error('unescaped')</script>");
    expect(realm?.testcase[0]).toMatchObject({
      name: 'POST /items × bob',
      failure: { message: 'spec declared allow, Keycloak says deny', type: 'realm-finding' },
    });
  });

  it('leaves out the realm suite and the output when there is nothing to put in them', () => {
    const xml = renderMatrixJunit({ ...matrixResult(), realmFindings: [], backendOutput: undefined });
    const { testsuites } = parse(xml);
    expect(testsuites.testsuite.map((suite) => suite.name)).toEqual(['kcbox matrix']);
    expect(xml).not.toContain('system-out');
  });

  it('adds a hostile suite with a testcase per case × endpoint, skipped cases included', () => {
    const xml = renderMatrixJunit(matrixResultWithHostile());
    expect(XMLValidator.validate(xml)).toBe(true);
    const { testsuites } = parse(xml);
    expect(testsuites.testsuite.map((suite) => suite.name)).toEqual(['kcbox matrix', 'kcbox realm', 'kcbox hostile']);
    expect([testsuites.tests, testsuites.failures]).toEqual(['24', '5']);
    const hostile = testsuites.testsuite[2];
    expect(hostile).toMatchObject({ tests: '11', failures: '2', skipped: '2', errors: '0' });
    expect(hostile?.testcase.map((test) => [test.name, test.classname])).toEqual([
      ['none · POST /items', 'hostile.none'],
      ['none · DELETE /items/{id}', 'hostile.none'],
      ['jku · POST /items', 'hostile.jku'],
      ['jku · DELETE /items/{id}', 'hostile.jku'],
      ['jku · (listener)', 'hostile.jku'],
      ['iat-future · POST /items', 'hostile.iat-future'],
      ['iat-future · DELETE /items/{id}', 'hostile.iat-future'],
      ['other-realm · POST /items', 'hostile.other-realm'],
      ['other-realm · DELETE /items/{id}', 'hostile.other-realm'],
      ['scheme-case · POST /items', 'hostile.scheme-case'],
      ['scheme-case · DELETE /items/{id}', 'hostile.scheme-case'],
    ]);
    expect(hostile?.['system-out']).toBe(
      'The jku/x5u listener received 1 request, each a server-side request forgery:\nGET /jku/jwks.json',
    );
  });

  it('fails a hostile testcase only for a blocking finding; the others keep their evidence in system-out', () => {
    const cases = parse(renderMatrixJunit(matrixResultWithHostile())).testsuites.testsuite[2]?.testcase ?? [];
    const byName = new Map(cases.map((test) => [test.name, test]));
    expect(cases.filter((test) => test.failure).map((test) => test.name)).toEqual(['jku · DELETE /items/{id}', 'jku · (listener)']);
    const blocking = byName.get('jku · DELETE /items/{id}');
    expect(blocking?.failure).toMatchObject({
      type: 'critical',
      message: 'The backend accepted a token signed by a key it fetched from the jku URL in the token header.',
    });
    expect(blocking?.failure?.['#text']).toContain('got 204\nresponse: {"deleted":7,"by":"<script>alert(\'forged\')</script>"');
    expect(blocking?.failure?.['#text']).toContain('fix: Ignore jku: fetch keys only from the configured realm JWKS URL');
    expect(blocking?.failure?.['#text']).toContain('reference: RFC 7515 §4.1.2');
    const below = byName.get('iat-future · POST /items');
    expect(below?.failure).toBeUndefined();
    expect(below?.['system-out']).toMatch(
      /^Below the threshold \(high\): reported, not failing\.\n\n\[policy\] below threshold · iat an hour ahead/,
    );
    expect(below?.['system-out']).toContain('got 201\nresponse: {"id":8,"name":"widget"}');
    expect(byName.get('jku · (listener)')?.failure?.['#text']).toContain('fetched by the backend\nrequest: GET /jku/jwks.json');
    expect(byName.get('other-realm · POST /items')?.skipped?.message).toBe(
      'The spec names an existing realm, so kcbox has no second realm to take a token from.',
    );
    expect(byName.get('none · POST /items')).toEqual({ name: 'none · POST /items', classname: 'hostile.none', time: '0.008' });
  });
});

describe('markdown report', () => {
  it('has the table, the failures and the findings', () => {
    const markdown = renderMatrixMarkdown(matrixResult());
    expect(markdown).toContain('| Endpoint | Requires | alice | bob | carol | anonymous |\n| --- | --- | :---: | :---: | :---: | :---: |');
    expect(markdown).toContain('| `DELETE /items/{id}` | `Inventory#inventory:delete` | ✅ 204 | ❌ 500 | ✅ 403 | ✅ 401 |');
    expect(markdown).toContain('- ❌ **`DELETE /items/{id}` × bob**: expected deny (403), got server-error 500.');
    expect(markdown).toContain("Response: `<script>throw new Error('unescaped')</script> at Handler | x");
    expect(markdown).toContain('(`specs/inventory.matrix.yaml:14`)');
    expect(markdown).toContain('## kcbox scope matrix: ❌ FAIL');
  });

  it('escapes pipes in table cells so rows keep their columns', () => {
    const result = matrixResult();
    const piped: MatrixResult = { ...result, users: ['a|b'], endpoints: [{ ...result.endpoints[0]!, path: '/search?q=x|y' }], cells: [] };
    const row = renderMatrixMarkdown(piped)
      .split('\n')
      .find((line) => line.startsWith('| `GET'));
    expect(row).toBe('| `GET /search?q=x\\|y` | `public` | · |');
    expect(renderMatrixMarkdown(piped)).toContain('| Endpoint | Requires | a\\|b |');
  });

  it('has a hostile table: severity, endpoints refused of total, findings per case', () => {
    const markdown = renderMatrixMarkdown(matrixResultWithHostile());
    expect(markdown).toContain(
      [
        '### Hostile tokens',
        '',
        'Forged and misused tokens sent to 2 protected endpoints; findings at or above `high` fail the check.',
        '',
        '| Case | Severity | Endpoints | Findings |',
        '| --- | --- | :---: | --- |',
        '| `none` | critical | 2/2 refused | ✅ none |',
        '| `jku` | critical | 1/2 refused | ❌ 2 blocking |',
        '| `iat-future` | policy | 1/2 refused | ⚠️ 1 below threshold |',
        '| `other-realm` | critical | — | ⏭️ skipped: The spec names an existing realm, so kcbox has no second realm to take a token from. |',
        '| `scheme-case` | high (control) | 2/2 accepted | ✅ none |',
      ].join('\n'),
    );
    expect(markdown.trimEnd().split('\n').at(-1)).toBe(
      '**12 cells: 10 passed, 2 failed · 1 realm finding · hostile: 4 cases run, 1 skipped, 2 blocking findings (threshold high), 1 below threshold**',
    );
    expect(renderMatrixMarkdown(matrixResult())).not.toContain('Hostile');
  });

  it('lists the hostile findings, blocking first, with fix and reference, then the listener requests', () => {
    const markdown = renderMatrixMarkdown(matrixResultWithHostile());
    const findings = markdown.slice(markdown.indexOf('### Hostile findings (3)'));
    expect(findings).toContain(
      [
        '- ❌ **`jku`** on `DELETE /items/{id}` (critical, blocking), `jku → http://127.0.0.1:47113/jku/jwks.json`: got 204. The backend accepted a token signed by a key it fetched from the jku URL in the token header.',
        `  - Response: \`{"deleted":7,"by":"<script>alert('forged')</script>","trace":"${'y'.repeat(137)}…\``,
        '  - Fix: Ignore jku: fetch keys only from the configured realm JWKS URL, never from a URL in the token (the fetch alone is an SSRF).',
        '  - Reference: RFC 7515 §4.1.2; RFC 8725 §3.10; PortSwigger "JWT authentication bypass via jku header injection"',
      ].join('\n'),
    );
    expect(findings.indexOf('(listener)')).toBeLessThan(findings.indexOf('⚠️ **`iat-future`** on `POST /items` (policy, below threshold)'));
    expect(findings).toContain(
      '`jku → http://127.0.0.1:47113/jku/jwks.json`: fetched by the backend. The backend fetched the JWKS the token header pointed it at: a server-side request forgery.\n  - Request: `GET /jku/jwks.json`',
    );
    expect(findings).toContain(
      '  - Fix: Refuse tokens issued in the future beyond a small clock skew (with jose: maxTokenAge, which checks iat).',
    );
    expect(markdown).toContain(
      '### Listener requests (1)\n\nThe backend fetched a URL taken from a token header: each request is a server-side request forgery.\n\n- `GET /jku/jwks.json`',
    );
  });
});
