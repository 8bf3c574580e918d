import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { MatrixResult } from '../../harness/check/result-types.js';
import type { HostileFinding } from '../../harness/hostile/result-types.js';
import type { CellResult } from '../../harness/matrix/types.js';
import { parseReportTargets, renderReport, writeReports } from '../../harness/report/index.js';
import { appendStepSummary } from '../../harness/report/step-summary.js';
import { renderMatrixSummary } from '../../harness/report/summary-report.js';
import { matrixResult, matrixResultIncomplete, matrixResultWithHostile } from '../support/matrix-result.js';
import { useTempDir } from '../support/temp.js';

const tempDir = useTempDir();

afterEach(() => {
  vi.unstubAllEnvs();
});

function passing(): MatrixResult {
  const result = matrixResult();
  return {
    ...result,
    cells: result.cells.filter((cell) => cell.pass),
    realmFindings: [],
    passed: true,
  };
}

/** `endpoints` × `users`, every cell failed, with as many blocking hostile findings and incomplete entries. */
function hugeFailure(endpoints: number, users: number, findings: number, incomplete: number): MatrixResult {
  const base = matrixResultWithHostile();
  const template = base.cells.find((cell) => !cell.pass && cell.outcome === 'server-error')!;
  const ids = Array.from({ length: endpoints }, (_, index) => `GET /api/v1/warehouses/{warehouseId}/items/${index}/${'x'.repeat(200)}`);
  const names = Array.from({ length: users }, (_, index) => `user-${index}-${'y'.repeat(120)}`);
  const cells: CellResult[] = ids.flatMap((endpoint) => names.map((user) => ({ ...template, endpoint, user })));
  const finding = base.hostile!.findings.find((entry) => entry.blocking)!;
  const many: HostileFinding[] = Array.from({ length: findings }, (_, index) => ({
    ...finding,
    endpoint: ids[index % endpoints]!,
    variant: `variant ${index} ${'z'.repeat(500)}`,
    reason: 'r'.repeat(2000),
  }));
  return {
    ...base,
    users: names,
    endpoints: ids.map((id) => ({ id, method: 'GET', path: id.slice(4), requirement: 'Inventory#inventory:view', token: 'access' })),
    cells,
    realmFindings: Array.from({ length: findings }, (_, index) => ({ ...base.realmFindings[0]!, endpoint: ids[index % endpoints]! })),
    hostile: { ...base.hostile!, findings: many, blocking: findings },
    incomplete: Array.from({ length: incomplete }, (_, index) => ({
      what: `hostile none · ${ids[index % endpoints]} · ${index}`,
      why: 'w'.repeat(3000),
    })),
    passed: false,
  };
}

describe('job summary', () => {
  it('says FAIL, counts, and shows only the mismatching endpoints and users, the blocking findings and what was not checked', () => {
    const text = renderMatrixSummary(matrixResultWithHostile());
    const lines = text.split('\n');
    expect(lines[0]).toBe('## kcbox: ❌ FAIL');
    expect(text).toContain(
      '**12 cells: 10 passed, 1 failed, 1 inconclusive · 1 realm finding · hostile: 5 cases (4 run, 1 skipped), 2 blocking findings (threshold high), 1 below threshold**',
    );
    expect(text).toContain(
      [
        '### Mismatching cells (1)',
        '',
        '| Endpoint | Requires | bob |',
        '| --- | --- | :---: |',
        '| `DELETE /items/{id}` | `Inventory#inventory:delete` | ❌ 500, expected deny (403) |',
      ].join('\n'),
    );
    // Only the row and the column of a mismatch.
    expect(text).not.toContain('`GET /items`');
    expect(text).not.toMatch(/\| alice \|/);
    expect(text).toContain(
      '### Realm findings (1)\n\n- ⚠️ `POST /items` × bob (`Inventory#inventory:add`): spec declared allow, Keycloak says deny (`specs/inventory.matrix.yaml:14`)',
    );
    expect(text).toContain('### Blocking hostile findings (2, threshold `high`)');
    expect(text).toMatch(
      /- ❌ \*\*`jku`\*\* on `DELETE \/items\/\{id\}` \(critical\), `jku → http:\/\/127\.0\.0\.1:47113\/jku\/jwks\.json`: got 204\. The backend accepted .* Fix: /,
    );
    expect(text).toContain('- ❌ **`jku`** on `(listener)` (critical)');
    // Below the threshold: counted, not listed.
    expect(text).not.toContain('iat-future');
    expect(text).toContain('### Not checked (1)');
    expect(text).toContain('- ❔ **POST /items × carol**: The backend did not answer within 5000 ms.');
    expect(lines.at(-2)).toMatch(
      /^spec `specs\/inventory\.matrix\.yaml` · realm `inventory-3f2a` · backend `http:\/\/127\.0\.0\.1:4010` · took 5\.2 s · kcbox \d/,
    );
    // Markup in a response never reaches the page: responses are not in the summary at all.
    expect(text).not.toContain('<script>');
  });

  it('says INCOMPLETE with what could not be checked, and PASS with nothing else to say', () => {
    const incomplete = renderMatrixSummary(matrixResultIncomplete());
    expect(incomplete.split('\n')[0]).toBe('## kcbox: ⚠️ INCOMPLETE');
    expect(incomplete).toContain('### Not checked (5)');
    expect(incomplete).toContain('- ❔ **the backend**: it exited during the check (code 1); its last output is in the report');
    expect(incomplete).toContain('- ❔ **hostile other-client**: Keycloak did not give kcbox the token');

    const pass = renderMatrixSummary(passing());
    expect(pass.split('\n')[0]).toBe('## kcbox: ✅ PASS');
    expect(pass).not.toContain('###');
    expect(pass).toContain('**10 cells: 10 passed, 0 failed · 0 realm findings**');
  });

  it('stays far below GitHub’s 1 MiB for a huge failing matrix, with "and N more"', () => {
    const result = hugeFailure(400, 60, 300, 500);
    const text = renderMatrixSummary(result);
    expect(Buffer.byteLength(text)).toBeLessThan(64 * 1024);
    expect(text).toContain('### Mismatching cells (24000)');
    expect(text).toContain('… and 375 more endpoints and 52 more users with mismatches: see the full report.');
    expect(text).toContain('- … and 290 more realm findings');
    expect(text).toContain('- … and 290 more blocking findings');
    expect(text).toContain('- … and 490 more things not checked');
    expect(text.split('\n').filter((line) => line.startsWith('| `GET')).length).toBe(25);
  });

  it('is what --report summary=PATH writes', async () => {
    expect(renderReport(matrixResult(), 'summary')).toBe(renderMatrixSummary(matrixResult()));
    expect(parseReportTargets(['sarif=out/kcbox.sarif', 'summary=out/summary.md'])).toEqual([
      { format: 'sarif', path: 'out/kcbox.sarif' },
      { format: 'summary', path: 'out/summary.md' },
    ]);
    const file = join(tempDir(), 'summary.md');
    writeFileSync(file, 'an old run\n');
    await writeReports(matrixResult(), [{ format: 'summary', path: file }]);
    // An ordinary report file is replaced.
    expect(readFileSync(file, 'utf8')).toBe(renderMatrixSummary(matrixResult()));
  });
});

describe('GITHUB_STEP_SUMMARY', () => {
  it('gets the summary appended, after what the step wrote before', async () => {
    const file = join(tempDir(), 'step_summary');
    writeFileSync(file, '# Build\n\nok\n');
    expect(await appendStepSummary(matrixResult(), [], { GITHUB_STEP_SUMMARY: file })).toBe(file);
    expect(readFileSync(file, 'utf8')).toBe(`# Build\n\nok\n\n${renderMatrixSummary(matrixResult())}`);
  });

  it('is left alone when the variable is not set, and written once when --report summary names it', async () => {
    expect(await appendStepSummary(matrixResult(), [], {})).toBeUndefined();
    const file = join(tempDir(), 'step_summary');
    writeFileSync(file, '');
    vi.stubEnv('GITHUB_STEP_SUMMARY', file);
    const targets = [{ format: 'summary' as const, path: file }];
    expect(await appendStepSummary(matrixResult(), targets)).toBeUndefined();
    await writeReports(matrixResult(), targets);
    await writeReports(matrixResultIncomplete(), targets);
    // Appended (GitHub collects the step's summaries in that file), never replaced.
    expect(readFileSync(file, 'utf8')).toBe(`${renderMatrixSummary(matrixResult())}\n${renderMatrixSummary(matrixResultIncomplete())}`);
  });

  it('names the file when it cannot be written', async () => {
    const blocker = join(tempDir(), 'file');
    writeFileSync(blocker, '');
    await expect(appendStepSummary(matrixResult(), [], { GITHUB_STEP_SUMMARY: join(blocker, 'summary') })).rejects.toMatchObject({
      code: 'ERR_KCBOX_REPORT_WRITE',
      message: expect.stringContaining(`Could not append the job summary to ${join(blocker, 'summary')} (GITHUB_STEP_SUMMARY)`),
    });
  });
});
