import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { loadMatrixSpecSync, parseMatrixSpec } from '../../harness/matrix/spec-load.js';
import { describeMatrix, kcboxServer } from '../../harness/vitest/index.js';
import { runKcbox, sharedServerEnv } from '../support/cli-process.js';
import { useTempDir } from '../support/temp.js';

const tempDir = useTempDir();
const cliEnv = () => sharedServerEnv(kcboxServer(), tempDir(), { NO_COLOR: '1' });

/** A matrix file's text with some keys set, the way a reviewer edits it (comments elsewhere stay). */
function edited(text: string, changes: ReadonlyArray<[readonly (string | number)[], unknown]>): string {
  const document = parseDocument(text);
  for (const [path, value] of changes) {
    if (value === undefined) document.deleteIn(path);
    else document.setIn(path, value);
  }
  return document.toString({ lineWidth: 0 });
}

// In a user's vitest suite the gate is one more named test beside the cells.
describeMatrix(
  {
    ...loadMatrixSpecSync('examples/express-inventory/matrix.yaml'),
    openapi: { file: resolve('examples/express-inventory/openapi.yaml'), basePath: undefined, skip: [], source: undefined },
  },
  { hostile: false },
);

describe('kcbox init and the coverage gate (real CLI, real Keycloak)', () => {
  it('express-inventory round-trips: init from its OpenAPI document and realm, the README review, then check exits 0', async () => {
    const folder = tempDir();
    const out = join(folder, 'matrix.yaml');
    const init = await runKcbox(
      ['init', '--openapi', 'examples/express-inventory/openapi.yaml', '--realm', 'realm/inventory-realm.json', '--out', out],
      cliEnv(),
    );
    expect(init.code, init.stderr).toBe(0);
    expect(init.stderr).toContain(`Wrote ${out}: 9 operations`);
    // A second init does not overwrite the reviewed file.
    const again = await runKcbox(['init', '--openapi', 'examples/express-inventory/openapi.yaml', '--out', out], cliEnv());
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(`${out} exists; kcbox init does not overwrite it: pass --force`);

    // The README's review: let kcbox start the backend; the per-user item operations name an item
    // nobody created (/api/items/1), so they become object-level entries on each owner's own item
    // (the guesses for requirements, callers and the other values are right for this example).
    const generated = readFileSync(out, 'utf8');
    const ownItem = { path: '/api/items/${owner.itemId}', owner: { or: { role: 'inventory-api/inventory-admin' } } };
    writeFileSync(
      out,
      edited(generated, [
        [
          ['backend'],
          { command: 'node server.mjs', cwd: resolve('examples/express-inventory'), url: 'http://127.0.0.1:${PORT}', ready: '/health' },
        ],
        ...[6, 7, 8].flatMap((index): Array<[(string | number)[], unknown]> => [
          [['endpoints', index, 'path'], ownItem.path],
          [['endpoints', index, 'owner'], ownItem.owner],
        ]),
        [
          ['setup'],
          {
            steps: [
              { name: 'create item', method: 'POST', path: '/api/items', body: { name: 'mine', quantity: 1 }, capture: { itemId: '/id' } },
            ],
          },
        ],
      ]),
    );
    const check = await runKcbox(['check', '--matrix', out, '--hostile', 'none'], cliEnv());
    expect(check.code, `${check.stdout}\n${check.stderr}`).toBe(0);
    expect(check.stdout).toContain('OpenAPI coverage: 9 of 9 operations');
    expect(check.stdout).toMatch(/(\d+) cells: \1 passed, 0 failed/);
    expect(check.stdout).toMatch(/(\d+) peer cells: \1 passed, 0 failed/);
  });

  it('--openapi gates the hand-written express-inventory matrix, which covers every operation', async () => {
    const check = await runKcbox(
      [
        'check',
        '--matrix',
        'examples/express-inventory/matrix.yaml',
        '--openapi',
        'examples/express-inventory/openapi.yaml',
        '--no-hostile',
      ],
      cliEnv(),
    );
    expect(check.code, `${check.stdout}\n${check.stderr}`).toBe(0);
    expect(check.stdout).toContain('OpenAPI coverage (examples/express-inventory/openapi.yaml): 9 of 9 operations');
  });

  it('the Swagger Petstore: init guesses what the reviewed matrix says, the slice passes, an uncovered operation fails', async () => {
    const folder = tempDir();
    const out = join(folder, 'petstore.yaml');
    const init = await runKcbox(
      ['init', '--openapi', 'examples/petstore/openapi.yaml', '--realm', 'examples/petstore/petstore-realm.json', '--out', out],
      cliEnv(),
    );
    expect(init.code, init.stderr).toBe(0);
    const guessed = parseMatrixSpec(readFileSync(out, 'utf8'), { file: out });
    const reviewed = parseMatrixSpec(readFileSync('examples/petstore/matrix.yaml', 'utf8'), {
      file: resolve('examples/petstore/matrix.yaml'),
    });
    expect(guessed.users).toEqual(reviewed.users);
    // The review changed values (ids, query strings, bodies), never a requirement.
    const requirementOf = (spec: typeof reviewed, method: string, path: string) =>
      spec.endpoints.find((endpoint) => endpoint.method === method && endpoint.path.split('?')[0] === path)?.requirement;
    for (const endpoint of reviewed.endpoints) {
      const path = endpoint.path.split('?')[0]!.replace(/\/(10|11)$/, '/1');
      expect(requirementOf(guessed, endpoint.method, path), endpoint.id).toEqual(endpoint.requirement);
    }

    const junit = join(folder, 'kcbox.xml');
    const check = await runKcbox(
      ['check', '--matrix', 'examples/petstore/matrix.yaml', '--hostile', 'none', '--report', `junit=${junit}`],
      cliEnv(),
    );
    expect(check.code, `${check.stdout}\n${check.stderr}`).toBe(0);
    expect(check.stdout).toContain('OpenAPI coverage (examples/petstore/openapi.yaml): 8 of 19 operations (11 skipped)');
    expect(check.stdout).toContain('GET /user/login skipped: not in this slice');
    expect(readFileSync(junit, 'utf8')).toContain(
      '<testsuite name="kcbox openapi coverage" tests="19" failures="0" errors="0" skipped="11"',
    );

    // Without its DELETE entry the matrix leaves an operation uncovered: a finding, exit 1.
    const here = resolve('examples/petstore');
    const reviewedText = readFileSync('examples/petstore/matrix.yaml', 'utf8');
    const index = reviewed.endpoints.findIndex((endpoint) => endpoint.method === 'DELETE');
    const partial = join(folder, 'partial.yaml');
    writeFileSync(
      partial,
      edited(reviewedText, [
        [['keycloak', 'realm'], join(here, 'petstore-realm.json')],
        [['backend', 'cwd'], here],
        [['openapi', 'file'], join(here, 'openapi.yaml')],
        [['endpoints', index], undefined],
      ]),
    );
    const gated = await runKcbox(['check', '--matrix', partial, '--no-hostile', '--report', `junit=${junit}`], cliEnv());
    expect(gated.code, `${gated.stdout}\n${gated.stderr}`).toBe(1);
    expect(gated.stdout).toContain('OpenAPI operations without a matrix entry (1)');
    expect(gated.stdout).toContain('✗ DELETE /pet/{petId}');
    expect(gated.stdout).toMatch(/35 cells: 35 passed, 0 failed · 0 realm findings/);
    expect(readFileSync(junit, 'utf8')).toMatch(
      /<testcase name="DELETE \/pet\/\{petId\}"[^>]*>\s*<failure message="no matrix entry calls this operation"/,
    );
  });
});
