import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import type { MatrixResult } from '../../harness/matrix/types.js';
import { kcboxVersion } from '../../harness/package-info.js';
import {
  type MatrixJsonReport,
  countMatrix,
  renderMatrixJson,
  renderMatrixJunit,
  renderMatrixMarkdown,
  renderMatrixText,
} from '../../harness/report/index.js';
import { matrixResult } from '../support/matrix-result.js';

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
    const response = text.split('\n').find((line) => line.startsWith("  response: <script>throw new Error('unescaped')</script> at Handler |"));
    expect(response?.length).toBe('  response: '.length + 200);
    expect(text).toContain('! POST /items × bob Inventory#inventory:add\n  spec declared allow, Keycloak says deny (specs/inventory.matrix.yaml:14)');
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
    const lines = renderMatrixText(wide, { color: false }).split('\n').filter((line) => /^[┌│├└]/.test(line));
    expect(Math.max(...lines.map((line) => line.length))).toBeLessThanOrEqual(100);
    expect(lines.join('\n')).toContain('/{warehouseId}/items');
  });

  it('says so when everything passed', () => {
    const result = matrixResult();
    const passing: MatrixResult = { ...result, cells: result.cells.map((cell) => ({ ...cell, pass: true, reason: '', observed: cell.observed.kind === 'allowed' ? cell.observed : { ...cell.observed, kind: 'denied', status: 403 } })), realmFindings: [], passed: true };
    const text = renderMatrixText(passing, { color: false });
    expect(text).not.toContain('Failures');
    expect(text).not.toContain('Realm findings');
    expect(text.trimEnd().split('\n').at(-1)).toBe('✓ 12 cells: 12 passed, 0 failed · 0 realm findings');
  });
});

describe('counting', () => {
  it('a timeout or server error never counts as passed, whatever the cell says', () => {
    const result = matrixResult();
    const lenient: MatrixResult = { ...result, cells: result.cells.map((cell) => ({ ...cell, pass: true })) };
    expect(countMatrix(lenient)).toEqual({ cells: 12, passed: 10, failed: 2, realmFindings: 1 });
  });
});

describe('JSON report', () => {
  it('is the result plus who wrote it, and round-trips', () => {
    const result = matrixResult();
    const text = renderMatrixJson(result);
    expect(text).toMatch(/^\{\n {2}"kcbox": \{\n {4}"version"/);
    const { kcbox, ...rest } = JSON.parse(text) as MatrixJsonReport;
    expect(kcbox).toEqual({ version: kcboxVersion(), reportFormat: 1 });
    expect(rest).toEqual(result);
  });
});

describe('JUnit report', () => {
  const parse = (xml: string) =>
    new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => ['testsuite', 'testcase'].includes(name) }).parse(xml) as {
      testsuites: {
        tests: string;
        failures: string;
        testsuite: { name: string; tests: string; failures: string; errors: string; time: string; 'system-out'?: string; testcase: { name: string; classname: string; failure?: { message: string; type: string; '#text': string } }[] }[];
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
    expect(failed[1]?.failure?.message).toBe('Keycloak denies bob Inventory#inventory:delete, but the backend answered 500 instead of 403.');
    expect(failed[1]?.failure?.['#text']).toContain("response: <script>throw new Error('unescaped')</script>");
    expect(realm?.testcase[0]).toMatchObject({ name: 'POST /items × bob', failure: { message: 'spec declared allow, Keycloak says deny', type: 'realm-finding' } });
  });

  it('leaves out the realm suite and the output when there is nothing to put in them', () => {
    const xml = renderMatrixJunit({ ...matrixResult(), realmFindings: [], backendOutput: undefined });
    const { testsuites } = parse(xml);
    expect(testsuites.testsuite.map((suite) => suite.name)).toEqual(['kcbox matrix']);
    expect(xml).not.toContain('system-out');
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
    const row = renderMatrixMarkdown(piped).split('\n').find((line) => line.startsWith('| `GET'));
    expect(row).toBe('| `GET /search?q=x\\|y` | `public` | · |');
    expect(renderMatrixMarkdown(piped)).toContain('| Endpoint | Requires | a\\|b |');
  });
});
