import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import type { MatrixResult } from '../../harness/check/result-types.js';
import { kcboxVersion } from '../../harness/package-info.js';
import {
  type MatrixJsonReport,
  countMatrix,
  renderMatrixJson,
  renderMatrixHtml,
  renderMatrixJunit,
  renderMatrixMarkdown,
  renderMatrixText,
} from '../../harness/report/index.js';
import {
  matrixResult,
  matrixResultIncomplete,
  matrixResultWithHostile,
  matrixResultWithPeers,
  matrixResultWithRuntimeSkips,
} from '../support/matrix-result.js';

const ANSI = /\u001b\[/;
const NO_SIGNING_KEY =
  'No realm signing key: kcbox re-signs claims only in realms it imported (it provisions the key there); this realm was not.';
const OTHER_REALM = 'The spec names an existing realm, so kcbox has no second realm to take a token from.';

describe('terminal grid', () => {
  it('shows a mark and the status per cell, the endpoints with their requirements, and the users', () => {
    const text = renderMatrixText(matrixResult(), { color: false });
    for (const header of ['Endpoint', 'Requires', 'alice', 'bob', 'carol', 'anonymous']) expect(text).toContain(header);
    expect(text).toMatch(/│ DELETE \/items\/\{id\} *│ Inventory#inventory:delete *│ ✓ 204 *│ ✗ 500 *│ ✓ 403 *│ ✓ 401 *│/);
    expect(text).toMatch(/│ POST \/items *│ Inventory#inventory:add *│ ✓ 201 *│ ✓ 403 *│ \? timeout *│ ✓ 401 *│/);
    expect(text).toMatch(/│ GET \/items *│ public *│ ✓ 200 /);
  });

  it('explains every failing cell, then the realm findings, then what was not checked, then sums up', () => {
    const text = renderMatrixText(matrixResult(), { color: false });
    expect(text).toContain(
      [
        '✗ DELETE /items/{id} × bob',
        '  expected deny (403) · got server-error 500',
        '  Keycloak denies bob Inventory#inventory:delete, but the backend answered 500 instead of 403.',
      ].join('\n'),
    );
    // A timeout is no answer: not a failure, but something not checked, even where the result does not list it.
    expect(text).not.toContain('✗ POST /items × carol');
    expect(text).toContain('! POST /items × carol\n  The backend did not answer within 5000 ms.');
    const response = text
      .split('\n')
      .find((line) => line.startsWith("  response: <script>throw new Error('unescaped')</script> at Handler |"));
    expect(response?.length).toBe('  response: '.length + 200);
    expect(text).toContain(
      '! POST /items × bob Inventory#inventory:add\n  spec declared allow, Keycloak says deny (specs/inventory.matrix.yaml:14)',
    );
    expect(text.trimEnd().split('\n').at(-1)).toBe('✗ 12 cells: 10 passed, 1 failed, 1 inconclusive · 1 realm finding');
    expect(text.indexOf('Failures (1)')).toBeLessThan(text.indexOf('Realm findings (1)'));
    expect(text.indexOf('Realm findings (1)')).toBeLessThan(text.indexOf('Not checked (1)'));
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
        'Hostile tokens · fail on high and above · 2 protected endpoints · 5 cases: 4 run, 1 skipped',
        '┌─────────────┬──────────┬──────────────────────────────────────────────────────────┐',
        '│ Case        │ Severity │ Result                                                   │',
        '├─────────────┼──────────┼──────────────────────────────────────────────────────────┤',
        '│ none        │ critical │ ✓ refused                                                │',
        '│ jku         │ critical │ ✗ 2 findings                                             │',
        '│ iat-future  │ policy   │ ✗ 1 finding                                              │',
        '│ other-realm │ critical │ – skipped: The spec names an existing realm, so kcbox    │',
        '│             │          │   has no second realm to take a token from.              │',
        '│ scheme-case │ advisory │ ✓ accepted                                               │',
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
        '  by:  anyone: no key and no token needed',
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
      '✗ 12 cells: 10 passed, 1 failed, 1 inconclusive · 1 realm finding',
      '  hostile: 5 cases (4 run, 1 skipped), 2 blocking findings (threshold high), 1 below threshold',
    ]);
    expect(Math.max(...text.split('\n').map((line) => line.length))).toBeLessThanOrEqual(100);
    const narrow = hostileText(matrixResultWithHostile(), 72).split('\n');
    expect(narrow.filter((line) => line.length > 72)).toEqual([]);
    expect(narrow.slice(0, 2)).toEqual(['Hostile tokens · fail on high and above · 2 protected endpoints', '  5 cases: 4 run, 1 skipped']);
  });

  it('keeps the summary on one line when it fits, and passes below the threshold', () => {
    const result = hostileBelowThreshold();
    const passing: MatrixResult = { ...result, cells: result.cells.filter((cell) => cell.pass), realmFindings: [], passed: true };
    const text = renderMatrixText(passing, { color: false, width: 160 });
    expect(text.trimEnd().split('\n').at(-1)).toBe(
      '✓ 10 cells: 10 passed, 0 failed · 0 realm findings · hostile: 5 cases (4 run, 1 skipped), 0 blocking findings (threshold high), 1 below threshold',
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
  it("reads each cell's pass and outcome as the judge gave them: reports never decide again", () => {
    const result = matrixResult();
    // carol's POST timed out: inconclusive, not failed.
    expect(countMatrix(result)).toEqual({ cells: 12, passed: 10, failed: 1, inconclusive: 1, realmFindings: 1, incomplete: 0 });
    const allPassed: MatrixResult = {
      ...result,
      cells: result.cells.map((cell) => ({ ...cell, pass: true, outcome: cell.outcome === 'timeout' ? 'denied' : cell.outcome })),
    };
    expect(countMatrix(allPassed)).toEqual({ cells: 12, passed: 12, failed: 0, inconclusive: 0, realmFindings: 1, incomplete: 0 });
  });

  it('counts what could not be checked once, and cells without an answer as inconclusive', () => {
    expect(countMatrix(matrixResultIncomplete())).toEqual({
      cells: 12,
      passed: 9,
      failed: 1,
      inconclusive: 2,
      realmFindings: 1,
      // The hostile suite's two are in the result's list as well: counted once.
      incomplete: 5,
      hostile: {
        cases: 7,
        run: 4,
        skipped: 2,
        notChecked: 1,
        blocking: 2,
        belowThreshold: 1,
        inconclusive: 1,
        failOn: 'high',
        listenerRequests: 1,
      },
    });
  });

  it('counts the hostile cases and findings when the suite ran', () => {
    expect(countMatrix(matrixResult())).not.toHaveProperty('hostile');
    expect(countMatrix(matrixResultWithHostile()).hostile).toEqual({
      cases: 5,
      run: 4,
      skipped: 1,
      notChecked: 0,
      blocking: 2,
      belowThreshold: 1,
      inconclusive: 0,
      failOn: 'high',
      listenerRequests: 1,
    });
    // Skipped at run time: in `cases` and in `skipped`, and a skipped case all the same.
    expect(countMatrix(matrixResultWithRuntimeSkips()).hostile).toMatchObject({ cases: 6, run: 4, skipped: 2, notChecked: 0 });
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
        errors: string;
        skipped: string;
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
            error?: { message: string; type: string; '#text': string };
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
    expect([testsuites.tests, testsuites.failures, testsuites.errors]).toEqual(['13', '2', '1']);
    const [matrix, realm] = testsuites.testsuite;
    expect(matrix).toMatchObject({ name: 'kcbox matrix', tests: '12', failures: '1', errors: '1', time: '5.230' });
    expect(realm).toMatchObject({ name: 'kcbox realm', tests: '1', failures: '1' });
    expect(matrix?.['system-out']).toBe('listening on 4010\nError: boom <at> DELETE /items/7');
  });

  it('names a testcase per cell, fails mismatches and server errors, and errors cells without an answer', () => {
    const [matrix, realm] = parse(renderMatrixJunit(matrixResult())).testsuites.testsuite;
    expect(matrix?.testcase.map((test) => test.name)).toContain('DELETE /items/{id} × bob');
    expect(matrix?.testcase).toHaveLength(12);
    const failed = matrix?.testcase.filter((test) => test.failure) ?? [];
    expect(failed.map((test) => [test.name, test.classname, test.failure?.type])).toEqual([
      ['DELETE /items/{id} × bob', 'DELETE /items/{id}', 'server-error'],
    ]);
    expect(failed[0]?.failure?.message).toBe(
      'Keycloak denies bob Inventory#inventory:delete, but the backend answered 500 instead of 403.',
    );
    expect(failed[0]?.failure?.['#text']).toContain("response: <script>throw new Error('unescaped')</script>");
    // A timeout is not the backend's access control failing: it is a check that could not be made.
    const errors = matrix?.testcase.filter((test) => test.error) ?? [];
    expect(errors.map((test) => [test.name, test.error?.type, test.error?.message])).toEqual([
      ['POST /items × carol', 'timeout', 'The backend did not answer within 5000 ms.'],
    ]);
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
    expect([testsuites.tests, testsuites.failures, testsuites.errors, testsuites.skipped]).toEqual(['24', '4', '1', '2']);
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
    expect(markdown).toContain('| `POST /items` | `Inventory#inventory:add` | ✅ 201 | ✅ 403 | ❔ timeout | ✅ 401 |');
    expect(markdown).not.toContain('**`POST /items` × carol**');
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
        'Forged and misused tokens sent to 2 protected endpoints (5 cases: 4 run, 1 skipped); findings at or above `high` fail the check.',
        '',
        '| Case | Severity | Endpoints | Findings |',
        '| --- | --- | :---: | --- |',
        '| `none` | critical | 2/2 refused | ✅ none |',
        '| `jku` | critical | 1/2 refused | ❌ 2 blocking |',
        '| `iat-future` | policy | 1/2 refused | ⚠️ 1 below threshold |',
        '| `other-realm` | critical | — | ⏭️ skipped: The spec names an existing realm, so kcbox has no second realm to take a token from. |',
        '| `scheme-case` | advisory (control) | 2/2 accepted | ✅ none |',
      ].join('\n'),
    );
    expect(markdown.trimEnd().split('\n').at(-1)).toBe(
      '**12 cells: 10 passed, 1 failed, 1 inconclusive · 1 realm finding · hostile: 5 cases (4 run, 1 skipped), 2 blocking findings (threshold high), 1 below threshold**',
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
        '  - Exploitable by: anyone: no key and no token needed',
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

describe('skipped cases, inconclusive cells and incomplete runs', () => {
  const lastLines = (text: string, count: number) => text.trimEnd().split('\n').slice(-count);

  describe('terminal', () => {
    it('shows every skipped case with its reason, also those skipped at run time, and counts them apart', () => {
      const text = renderMatrixText(matrixResultWithRuntimeSkips(), { color: false });
      expect(text).toContain('Hostile tokens · fail on high and above · 2 protected endpoints · 6 cases: 4 run, 2 skipped');
      expect(text).toContain(
        [
          '│ expired     │ high     │ – skipped: No realm signing key: kcbox re-signs claims   │',
          '│             │          │   only in realms it imported (it provisions the key      │',
          '│             │          │   there); this realm was not.                            │',
        ].join('\n'),
      );
      expect(text).toContain('│ other-realm │ critical │ – skipped: The spec names an existing realm, so kcbox    │');
      expect(text).not.toContain('no attempt sent');
      expect(lastLines(text, 1)[0]).toBe('  hostile: 6 cases (4 run, 2 skipped), 2 blocking findings (threshold high), 1 below threshold');
    });

    it('lists what could not be checked, once each, and says INCOMPLETE rather than PASS or FAIL', () => {
      const text = renderMatrixText(matrixResultIncomplete(), { color: false });
      expect(text).toMatch(/│ POST \/items *│ Inventory#inventory:add *│ ✓ 201 *│ ✓ 403 *│ \? timeout *│ ✓ 401 *│/);
      expect(text).toMatch(/│ DELETE \/items\/\{id\} *│ Inventory#inventory:delete *│ ✓ 204 *│ ✗ 500 *│ \? no answer *│ ✓ 401 *│/);
      // Only the cell the backend answered wrongly is a failure.
      expect(text).toContain('Failures (1)\n✗ DELETE /items/{id} × bob');
      expect(text).toContain('│ none         │ critical │ ? 1 attempt inconclusive (no answer), 3 refused          │');
      expect(text).toContain('│ other-client │ high     │ ? not checked: Keycloak did not give kcbox the token:    │');
      const section = text.slice(text.indexOf('Not checked (5)'));
      expect(section).toContain(
        [
          'Not checked (5)',
          '  Keycloak, the backend or the machine failed, so these could not be checked: the run is evidence of',
          '  nothing either way, and does not pass.',
          '! the backend',
          '  it exited during the check (code 1); its last output is in the report',
          '! POST /items × carol',
          '  no answer (timeout): no answer within 5000 ms',
          '! DELETE /items/{id} × carol',
          '  no answer (network-error): read ECONNRESET (also on a fresh connection)',
          '! hostile other-client',
          '  Keycloak did not give kcbox the token: 503 Service Unavailable from',
          '  /realms/inventory-3f2a/protocol/openid-connect/token',
          '! hostile none · DELETE /items/{id} · alg "nOnE"',
          '  no answer (timeout): no answer within 5000 ms',
        ].join('\n'),
      );
      // The hostile suite's share is in both lists of the result: shown once.
      expect(section.split('! hostile other-client')).toHaveLength(2);
      expect(lastLines(text, 4)).toEqual([
        '! incomplete: 5 things could not be checked · 12 cells: 9 passed, 1 failed, 2 inconclusive',
        '  1 realm finding',
        '  hostile: 7 cases (4 run, 2 skipped, 1 not checked), 2 blocking findings (threshold high), 1 below',
        '  threshold, 1 attempt inconclusive (no answer)',
      ]);
      expect(
        Math.max(
          ...text
            .slice(text.indexOf('Hostile tokens'))
            .split('\n')
            .map((line) => line.length),
        ),
      ).toBeLessThanOrEqual(100);
    });

    it('never shows an incomplete run as passed, and paints its verdict yellow', () => {
      const result = matrixResultIncomplete();
      const clean: MatrixResult = { ...result, cells: result.cells.filter((cell) => cell.pass), realmFindings: [], hostile: undefined };
      expect(lastLines(renderMatrixText(clean, { color: false, width: 200 }), 1)[0]).toBe(
        '! incomplete: 5 things could not be checked · 9 cells: 9 passed, 0 failed · 0 realm findings',
      );
      expect(lastLines(renderMatrixText({ ...clean, passed: true }, { color: false, width: 200 }), 1)[0]).toMatch(/^! incomplete: /);
      const coloured = renderMatrixText(result, { color: true });
      expect(coloured).toContain('\u001b[33m! incomplete: 5 things could not be checked');
      expect(coloured).toContain('\u001b[33m? timeout\u001b[39m');
    });
  });

  describe('markdown', () => {
    it('shows each skipped case with its reason, never as "none" found', () => {
      const markdown = renderMatrixMarkdown(matrixResultWithRuntimeSkips());
      expect(markdown).toContain(
        '| `expired` | high | — | ⏭️ skipped: No realm signing key: kcbox re-signs claims only in realms it imported (it provisions the key there); this realm was not. |',
      );
      expect(markdown).toContain(
        '| `other-realm` | critical | — | ⏭️ skipped: The spec names an existing realm, so kcbox has no second realm to take a token from. |',
      );
      expect(markdown).not.toContain('0/0');
      expect(markdown).toContain('(6 cases: 4 run, 2 skipped)');
    });

    it('says INCOMPLETE, lists what was not checked up front, and marks cells and attempts without an answer', () => {
      const markdown = renderMatrixMarkdown(matrixResultIncomplete());
      expect(markdown).toMatch(/^## kcbox scope matrix: ⚠️ INCOMPLETE\n/);
      expect(markdown).toContain(
        [
          '### Not checked (5)',
          '',
          'Keycloak, the backend or the machine failed, so these could not be checked: the run is evidence of nothing either way, and does not pass.',
          '',
          '- ❔ **the backend**: it exited during the check (code 1); its last output is in the report',
          '- ❔ **POST /items × carol**: no answer (timeout): no answer within 5000 ms',
          '- ❔ **DELETE /items/{id} × carol**: no answer (network-error): read ECONNRESET (also on a fresh connection)',
          '- ❔ **hostile other-client**: Keycloak did not give kcbox the token: 503 Service Unavailable from /realms/inventory-3f2a/protocol/openid-connect/token',
          '- ❔ **hostile none · DELETE /items/{id} · alg "nOnE"**: no answer (timeout): no answer within 5000 ms',
        ].join('\n'),
      );
      expect(markdown.indexOf('### Not checked')).toBeLessThan(markdown.indexOf('| Endpoint |'));
      expect(markdown).toContain('| `DELETE /items/{id}` | `Inventory#inventory:delete` | ✅ 204 | ❌ 500 | ❔ no answer | ✅ 401 |');
      expect(markdown).toContain('### Failures (1)');
      expect(markdown).toContain('| `none` | critical | 1/2 refused | ❔ 1 attempt inconclusive (no answer) |');
      expect(markdown).toContain(
        '| `other-client` | high | — | ❔ not checked: Keycloak did not give kcbox the token: 503 Service Unavailable from /realms/inventory-3f2a/protocol/openid-connect/token |',
      );
      expect(lastLines(markdown, 1)[0]).toBe(
        '**incomplete: 5 things could not be checked · 12 cells: 9 passed, 1 failed, 2 inconclusive · 1 realm finding · hostile: 7 cases (4 run, 2 skipped, 1 not checked), 2 blocking findings (threshold high), 1 below threshold, 1 attempt inconclusive (no answer)**',
      );
    });
  });

  describe('JUnit', () => {
    const parse = (xml: string) =>
      new XMLParser({
        ignoreAttributes: false,
        attributeNamePrefix: '',
        isArray: (name) => ['testsuite', 'testcase'].includes(name),
      }).parse(xml) as {
        testsuites: Record<string, string> & {
          testsuite: (Record<string, string> & {
            'system-out'?: string;
            testcase: {
              name: string;
              failure?: { message: string; type: string };
              error?: { message: string; type: string; '#text': string };
              skipped?: { message: string };
            }[];
          })[];
        };
      };

    it('has a <skipped message="reason"> per skipped case and endpoint, also for cases skipped at run time', () => {
      const xml = renderMatrixJunit(matrixResultWithRuntimeSkips());
      expect(XMLValidator.validate(xml)).toBe(true);
      const hostile = parse(xml).testsuites.testsuite.find((suite) => suite.name === 'kcbox hostile');
      expect(hostile).toMatchObject({ tests: '13', skipped: '4', failures: '2', errors: '0' });
      expect(hostile?.testcase.filter((test) => test.skipped).map((test) => [test.name, test.skipped?.message])).toEqual([
        ['expired · POST /items', NO_SIGNING_KEY],
        ['expired · DELETE /items/{id}', NO_SIGNING_KEY],
        ['other-realm · POST /items', OTHER_REALM],
        ['other-realm · DELETE /items/{id}', OTHER_REALM],
      ]);
    });

    it('reports what could not be checked as <error>, never <failure>, each thing once', () => {
      const xml = renderMatrixJunit(matrixResultIncomplete());
      expect(XMLValidator.validate(xml)).toBe(true);
      const { testsuites } = parse(xml);
      expect(testsuites.testsuite.map((suite) => suite.name)).toEqual(['kcbox matrix', 'kcbox realm', 'kcbox hostile', 'kcbox incomplete']);
      expect([testsuites.tests, testsuites.failures, testsuites.errors, testsuites.skipped]).toEqual(['29', '4', '6', '4']);
      const [matrix, , hostile, incomplete] = testsuites.testsuite;
      expect(matrix).toMatchObject({ failures: '1', errors: '2' });
      expect(matrix?.testcase.filter((test) => test.error).map((test) => [test.name, test.error?.type])).toEqual([
        ['POST /items × carol', 'timeout'],
        ['DELETE /items/{id} × carol', 'network-error'],
      ]);
      expect(hostile?.testcase.filter((test) => test.error).map((test) => [test.name, test.error?.type, test.error?.message])).toEqual([
        ['none · DELETE /items/{id}', 'inconclusive', 'no answer (timeout): no answer within 5000 ms'],
        [
          'other-client · POST /items',
          'not-checked',
          'not checked: Keycloak did not give kcbox the token: 503 Service Unavailable from /realms/inventory-3f2a/protocol/openid-connect/token',
        ],
        [
          'other-client · DELETE /items/{id}',
          'not-checked',
          'not checked: Keycloak did not give kcbox the token: 503 Service Unavailable from /realms/inventory-3f2a/protocol/openid-connect/token',
        ],
      ]);
      // The other four are errors where they belong; the backend's exit belongs nowhere else.
      expect(incomplete?.testcase.map((test) => [test.name, test.error?.type, test.error?.message])).toEqual([
        ['the backend', 'incomplete', 'it exited during the check (code 1); its last output is in the report'],
      ]);
      expect(incomplete?.['system-out']).toMatch(/^INCOMPLETE\nincomplete: 5 things could not be checked · 12 cells: 9 passed/);
      expect(incomplete?.['system-out']).toContain('hostile other-client: Keycloak did not give kcbox the token');
      expect(xml).not.toMatch(/<failure[^>]*type="(timeout|network-error|inconclusive)"/);
    });
  });

  it('shows a case skipped for some endpoints only: judged where it ran, skipped with its reason elsewhere', () => {
    const base = matrixResultWithHostile();
    const hostile = base.hostile!;
    const reason = 'No Keycloak token for this case: it needs a second user.';
    const partly: MatrixResult = {
      ...base,
      hostile: {
        ...hostile,
        attempts: hostile.attempts.filter((attempt) => !(attempt.caseId === 'none' && attempt.endpoint === 'DELETE /items/{id}')),
        skipped: [...hostile.skipped, { id: 'none', reason }],
      },
    };
    expect(renderMatrixText(partly, { color: false })).toContain(
      [
        '│ none        │ critical │ ✓ refused; skipped on some endpoints: No Keycloak token  │',
        '│             │          │   for this case: it needs a second user.                 │',
      ].join('\n'),
    );
    expect(renderMatrixMarkdown(partly)).toContain(
      `| \`none\` | critical | 1/1 refused | ✅ none; ⏭️ skipped on some endpoints: ${reason} |`,
    );
    const cases = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => name === 'testcase' })
      .parse(renderMatrixJunit(partly))
      .testsuites.testsuite.find((suite: { name: string }) => suite.name === 'kcbox hostile').testcase as {
      name: string;
      skipped?: { message: string };
    }[];
    expect(cases.filter((test) => test.name.startsWith('none ·'))).toEqual([
      { name: 'none · POST /items', classname: 'hostile.none', time: '0.008' },
      { name: 'none · DELETE /items/{id}', classname: 'hostile.none', time: '0.000', skipped: { message: reason } },
    ]);
    expect(countMatrix(partly).hostile).toMatchObject({ cases: 5, run: 4, skipped: 1 });
  });

  describe('JSON', () => {
    it('carries what could not be checked and the attempts without an answer, in format 2', () => {
      const result = matrixResultIncomplete();
      const { kcbox, ...rest } = JSON.parse(renderMatrixJson(result)) as MatrixJsonReport;
      expect(kcbox.reportFormat).toBe(2);
      expect(rest).toEqual(result);
      expect(rest.incomplete).toHaveLength(5);
      expect(rest.hostile?.attempts.filter((attempt) => attempt.inconclusive)).toHaveLength(1);
    });
  });
});

describe('advisory findings in the terminal', () => {
  /** The fixture plus revoked-session accepted on both protected endpoints, as a JWT-only backend does. */
  function withAdvisory(): MatrixResult {
    const result = matrixResultWithHostile();
    const hostile = result.hostile!;
    const advisory = ['POST /items', 'DELETE /items/{id}'].map((endpoint) => ({
      ...hostile.findings[0]!,
      caseId: 'revoked-session' as const,
      title: 'Real token whose session was logged out',
      severity: 'advisory' as const,
      endpoint,
      variant: 'Keycloak-issued token, unchanged',
      reason: 'the backend accepted it (200)',
      fix: 'Introspect tokens when logout must take effect before exp.',
      blocking: false,
    }));
    return { ...result, hostile: { ...hostile, findings: [...hostile.findings, ...advisory] } };
  }

  it('folds them to one line per case, unless --verbose', () => {
    const folded = renderMatrixText(withAdvisory(), { color: false, width: 120 });
    expect(folded).toContain('[advisory] revoked-session · 2 endpoints (POST /items, DELETE /items/{id})');
    expect(folded.match(/\[advisory\] revoked-session/g)).toHaveLength(1);
    expect(folded).toContain('advisory findings folded per case: --verbose shows each');
    const verbose = renderMatrixText(withAdvisory(), { color: false, width: 120, verbose: true });
    expect(verbose.match(/\[advisory\] revoked-session · /g)).toHaveLength(2);
    expect(verbose).not.toContain('folded per case');
  });
});

describe('peer cells across tenants', () => {
  it('every report says a failed peer cell was across tenants; within a tenant it says nothing more', () => {
    const plain = matrixResultWithPeers();
    const across: MatrixResult = {
      ...plain,
      peerCells: plain.peerCells?.map((cell) => (cell.pass ? cell : { ...cell, otherTenant: true })),
    };
    const label = "bob on alice's object (other tenant)";
    expect(renderMatrixText(across, { color: false, width: 120 })).toContain(label);
    expect(renderMatrixMarkdown(across)).toContain(`${label}**`);
    expect(renderMatrixHtml(across)).toContain(label);
    expect(renderMatrixJunit(across)).toMatch(/bob on alice(&apos;|&#39;|')s object \(other tenant\)/);
    expect(renderMatrixJson(across)).toContain('"otherTenant": true');
    for (const text of [renderMatrixText(plain, { color: false, width: 120 }), renderMatrixMarkdown(plain), renderMatrixHtml(plain)])
      expect(text).not.toContain('other tenant');
  });
});
