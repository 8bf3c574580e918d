import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadMatrixSpecSync } from '../../harness/matrix/spec-load.js';
import { kcboxServer } from '../../harness/vitest/index.js';
import { runKcbox, sharedServerEnv } from '../support/cli-process.js';
import { sarifSchemaErrors } from '../support/sarif-schema.js';
import { useTempDir } from '../support/temp.js';

const tempDir = useTempDir();
const EXPRESS = 'examples/express-inventory/matrix.yaml';

const cliEnv = (extra: NodeJS.ProcessEnv) => sharedServerEnv(kcboxServer(), tempDir(), extra);

interface SarifResult {
  ruleId: string;
  level: string;
  properties: { user?: string; blocking: boolean };
  locations: Array<{ physicalLocation: { artifactLocation: { uri: string; uriBaseId: string }; region: { startLine: number } } }>;
}

describe('kcbox check in CI (real Keycloak, the Express example with a fault)', () => {
  it('appends a job summary to GITHUB_STEP_SUMMARY and writes SARIF located at the matrix file lines', async () => {
    const folder = tempDir();
    const stepSummary = join(folder, 'step_summary');
    writeFileSync(stepSummary, '# Build\n\nok\n');
    const sarifFile = join(folder, 'reports/kcbox.sarif');
    const run = await runKcbox(
      ['check', '--matrix', EXPRESS, '--hostile', 'none', '--report', `sarif=${sarifFile}`],
      cliEnv({ FAULT: 'skip-delete-scope', GITHUB_STEP_SUMMARY: stepSummary }),
    );
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toContain(`job summary appended: ${stepSummary}`);

    const summary = readFileSync(stepSummary, 'utf8');
    expect(summary).toMatch(
      /^# Build\n\nok\n\n## kcbox: ❌ FAIL\n\n\*\*33 cells: 31 passed, 2 failed · 27 peer cells: 27 passed, 0 failed · 0 realm findings · hostile: 1 case, 0 blocking findings/,
    );
    expect(summary).toContain('| Endpoint | Requires | bob | carol |');
    expect(summary).toMatch(
      /\n\| `DELETE \/api\/inventory\/2` \| `Inventory#inventory:delete` \| ❌ \d{3}, expected deny \(403\) \| ❌ \d{3}, expected deny \(403\) \|\n/,
    );
    expect(summary).not.toContain('GET /api/inventory`');

    const log = JSON.parse(readFileSync(sarifFile, 'utf8')) as {
      runs: Array<{ results: SarifResult[]; invocations: Array<{ executionSuccessful: boolean }> }>;
    };
    expect(sarifSchemaErrors(log)).toEqual([]);
    const [sarifRun] = log.runs;
    expect(sarifRun!.invocations[0]!.executionSuccessful).toBe(true);
    const line = loadMatrixSpecSync(EXPRESS).endpoints.find((endpoint) => endpoint.id === 'DELETE /api/inventory/2')?.source?.line;
    expect(readFileSync(EXPRESS, 'utf8').split('\n')[line! - 1]).toContain('DELETE');
    expect(
      sarifRun!.results.map((result) => [
        result.ruleId,
        result.level,
        result.properties.blocking,
        result.locations[0]!.physicalLocation.artifactLocation.uri,
        result.locations[0]!.physicalLocation.region.startLine,
      ]),
    ).toEqual([
      ['kcbox/matrix/cell', 'error', true, EXPRESS, line],
      ['kcbox/matrix/cell', 'error', true, EXPRESS, line],
    ]);
  });
});
