import type { KeycloakConnection } from '../../harness/runtime/connection.js';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { checkMatrix } from '../../harness/check/check-matrix.js';
import { MatrixSpecError } from '../../harness/matrix/spec-error.js';
import { loadMatrixSpecSync, parseMatrixSpec } from '../../harness/matrix/spec-load.js';
import type { MatrixResult } from '../../harness/check/result-types.js';
import { kcboxServer } from '../../harness/vitest/index.js';
import { runKcbox, sharedServerEnv } from '../support/cli-process.js';
import { failedCells, statusGrid } from '../support/cells.js';
import { useTempDir } from '../support/temp.js';

const tempDir = useTempDir();
const EXPRESS = 'examples/express-inventory/matrix.yaml';
const KEYCLOAK_CONNECT = 'examples/keycloak-connect/matrix.yaml';

function server(): KeycloakConnection {
  const provided = kcboxServer();
  return { url: provided.url, adminCredentials: provided.adminCredentials };
}

describe('kcbox check against the example backends (real Keycloak, real backends)', () => {
  it('express: expectations come from Keycloak, and the backend enforces them', async () => {
    const result = await checkMatrix({ spec: loadMatrixSpecSync(EXPRESS), server: server(), hostile: false });
    expect(failedCells(result)).toEqual([]);
    expect(result.passed).toBe(true);
    const expected = Object.fromEntries(result.cells.map((cell) => [`${cell.endpoint} × ${cell.user}`, cell.expected]));
    // The realm: alice holds every scope, bob only view, carol none; anonymous holds nothing.
    expect(expected).toMatchObject({
      'GET /api/inventory × alice': 'allow',
      'GET /api/inventory × bob': 'allow',
      'GET /api/inventory × carol': 'deny',
      'POST /api/inventory × alice': 'allow',
      'POST /api/inventory × bob': 'deny',
      'DELETE /api/inventory/2 × bob': 'deny',
      'GET /health × anonymous': 'allow',
      'GET /api/inventory × anonymous': 'deny',
    });
    expect(statusGrid(result)).toMatchObject({
      'GET /api/inventory × carol': 403,
      'GET /api/inventory × anonymous': 401,
      'POST /api/inventory × alice': 201,
    });
    // The isolated realm is gone, and the backend's output was kept for the report.
    expect(result.spec.realm).toMatch(/^inventory-[0-9a-f]{8}$/);
    expect((await fetch(`${server().url}/realms/${result.spec.realm}`)).status).toBe(404);
    expect(result.backendOutput).toContain('GET /api/inventory');
    expect(JSON.stringify(result)).not.toMatch(/eyJ[\w-]+\.[\w-]+\.[\w-]+/);
  });

  it('express with a route that forgets its scope: the cells that Keycloak denies fail, by name', async () => {
    const result = await checkMatrix({
      spec: loadMatrixSpecSync(EXPRESS),
      server: server(),
      env: { ...process.env, FAULT: 'skip-delete-scope' },
      hostile: false,
    });
    expect(result.passed).toBe(false);
    expect(failedCells(result)).toEqual(['DELETE /api/inventory/2 × bob', 'DELETE /api/inventory/2 × carol']);
    expect(result.cells.find((cell) => cell.endpoint === 'DELETE /api/inventory/2' && cell.user === 'bob')?.reason).toMatch(
      /Keycloak does not grant this, but the backend allowed/,
    );
  });

  it('keycloak-connect enforcer: passes, and its faulty variant fails on the same cells', async () => {
    const spec = loadMatrixSpecSync(KEYCLOAK_CONNECT);
    const good = await checkMatrix({ spec, server: server() });
    expect(failedCells(good)).toEqual([]);
    // Zero findings at the default threshold; below it, what stock keycloak-connect does not check.
    expect(good.hostile?.blocking).toBe(0);
    expect(good.hostile?.findings.every((finding) => finding.severity === 'policy' || finding.severity === 'advisory')).toBe(true);
    const unguarded = await checkMatrix({
      spec,
      server: server(),
      env: { ...process.env, FAULT: 'no-guard' },
      hostile: { cases: ['crit-unknown', 'scheme-case', 'none'] },
    });
    expect(failedCells(unguarded)).toEqual([]);
    // Stock keycloak-connect ignores crit and refuses "BEARER": worth reporting, but only a holder of
    // the realm key could exploit the first, and the second breaks clients, not security.
    expect(unguarded.hostile?.blocking).toBe(0);
    expect(
      new Map(
        unguarded.hostile?.findings.filter((finding) => finding.caseId !== 'none').map((finding) => [finding.caseId, finding.severity]),
      ),
    ).toEqual(
      new Map([
        ['crit-unknown', 'policy'],
        ['scheme-case', 'advisory'],
      ]),
    );
    expect(unguarded.passed).toBe(true);
    const faulty = await checkMatrix({ spec, server: server(), env: { ...process.env, FAULT: 'skip-delete-scope' }, hostile: false });
    expect(failedCells(faulty)).toEqual(['DELETE /api/inventory/2 × bob', 'DELETE /api/inventory/2 × carol']);
  });

  it('judges any deny status the spec accepts: a hiding 404, a form 400, a 302 to the login page', async () => {
    const denyStyles = (fault?: string) =>
      parseMatrixSpec(
        {
          keycloak: { realm: '../../../realm/inventory-realm.json', client: 'inventory-api' },
          backend: {
            command: 'node server.mjs',
            url: 'http://127.0.0.1:${PORT}',
            ready: '/health',
            ...(fault ? { env: { FAULT: fault } } : {}),
          },
          users: ['alice', 'bob', 'carol', 'anonymous'],
          endpoints: [
            { method: 'GET', path: '/hidden/items', scope: 'Inventory#inventory:delete', deny: { anonymous: 404, authenticated: 404 } },
            { method: 'POST', path: '/form/items', scope: 'Inventory#inventory:add', deny: { anonymous: 400, authenticated: 400 } },
            { method: 'GET', path: '/web/items', scope: 'Inventory#inventory:view', deny: { anonymous: 302, authenticated: 302 } },
          ],
        },
        { file: 'specs/fixtures/deny-styles/matrix.yaml' },
      );
    const good = await checkMatrix({ spec: denyStyles(), server: server(), hostile: false });
    expect(failedCells(good)).toEqual([]);
    expect(good.passed).toBe(true);
    expect(statusGrid(good)).toMatchObject({
      'GET /hidden/items × alice': 200,
      'GET /hidden/items × bob': 404,
      'GET /hidden/items × anonymous': 404,
      'POST /form/items × carol': 400,
      'GET /web/items × bob': 200,
      'GET /web/items × carol': 302,
    });
    expect(good.cells.find((cell) => cell.endpoint === 'GET /web/items' && cell.user === 'carol')?.outcome).toBe('denied');
    // The same 404 for a user Keycloak allows is a denial, and fails.
    const hiding = await checkMatrix({ spec: denyStyles('hide-from-admin'), server: server(), hostile: false });
    expect(failedCells(hiding)).toEqual(['GET /hidden/items × alice']);
    expect(hiding.cells.find((cell) => !cell.pass)?.reason).toBe('Keycloak grants this, but the backend denied it with 404');
  });

  it('reports explicit expectations that Keycloak contradicts as realm findings, apart from the backend', async () => {
    const raw = loadMatrixSpecSync(EXPRESS);
    const spec = {
      ...raw,
      endpoints: raw.endpoints.map((endpoint) =>
        endpoint.id === 'POST /api/inventory' ? { ...endpoint, expect: { bob: 'allow' as const, alice: 'allow' as const } } : endpoint,
      ),
    };
    const result = await checkMatrix({ spec, server: server(), hostile: false });
    expect(failedCells(result)).toEqual([]);
    expect(result.realmFindings).toEqual([
      expect.objectContaining({
        endpoint: 'POST /api/inventory',
        user: 'bob',
        declared: 'allow',
        keycloak: 'deny',
        permission: 'Inventory#inventory:add',
      }),
    ]);
    expect(result.passed).toBe(false);
  });

  it("an RPT and another client's token are judged by Keycloak's decision for that very token", async () => {
    const raw = readFileSync(EXPRESS, 'utf8');
    const spec = parseMatrixSpec(raw.replace(/^token: access\b.*$/m, 'token: {client: inventory-web}'), {
      file: join(process.cwd(), EXPRESS),
    });
    expect(spec.endpoints[1]?.token).toEqual({ kind: 'client', clientId: 'inventory-web', clientSecret: undefined });
    const result = await checkMatrix({ spec, server: server(), hostile: false });
    expect(failedCells(result)).toEqual([]);
    const rpt = await checkMatrix({
      spec: parseMatrixSpec(raw.replace(/^token: access\b.*$/m, 'token: rpt'), { file: join(process.cwd(), EXPRESS) }),
      server: server(),
      hostile: false,
    });
    expect(rpt.endpoints[1]?.token).toBe('RPT');
    expect(rpt.cells.filter((cell) => cell.user === 'alice').every((cell) => cell.expected === 'allow')).toBe(true);
  });

  it('names unknown users and scopes by line, against the live realm (exit-2 errors)', async () => {
    const file = join(tempDir(), 'bad.yaml');
    const text = readFileSync(EXPRESS, 'utf8')
      .replace(/^users: \[alice/m, 'users: [zoe, alice')
      .replace('Inventory#inventory:add', 'Inventory#inventory:steal');
    const spec = parseMatrixSpec(text, { file, baseDir: join(process.cwd(), 'examples/express-inventory') });
    const error = await checkMatrix({ spec, server: server(), hostile: false }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(MatrixSpecError);
    const messages = (error as MatrixSpecError).problems.map((problem) => `${problem.path}: ${problem.message}`);
    expect(messages).toEqual([
      expect.stringMatching(/^users\[0\]: unknown user "zoe" in realm "inventory-[0-9a-f]+"/),
      'endpoints[2].scope: resource "Inventory" has no scope "inventory:steal" (its scopes: inventory:add, inventory:delete, inventory:edit, inventory:view)',
    ]);
    expect((error as MatrixSpecError).problems.every((problem) => problem.line !== undefined)).toBe(true);
  });

  it('a backend that never gets ready: an error with its output, and nothing left running', async () => {
    const spec = parseMatrixSpec({
      keycloak: { realm: 'realm/inventory-realm.json', client: 'inventory-api' },
      backend: { command: 'echo "listening nowhere"; echo "bad config" >&2; exit 3', ready: '/health', readyTimeout: 20 },
      users: ['alice'],
      endpoints: [{ method: 'GET', path: '/health', scope: 'public' }],
    });
    const error = await checkMatrix({ spec, server: server() }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'ERR_KCBOX_BACKEND', message: expect.stringContaining('it stopped before it was ready') });
    expect((error as Error).message).toContain('bad config');
  });
});

describe('the hostile-token suite against the examples', () => {
  it('express refuses the whole catalog: only the advisory cases a JWT-only backend accepts by design', async () => {
    const result = await checkMatrix({ spec: loadMatrixSpecSync(EXPRESS), server: server() });
    expect(result.passed).toBe(true);
    const hostile = result.hostile!;
    expect(hostile.cases).toHaveLength(36);
    expect(hostile.skipped).toEqual([]);
    // Object endpoints name an object per owner and caller: the forgeries go to the others.
    expect(hostile.endpoints).toEqual([
      'GET /api/inventory',
      'POST /api/inventory',
      'PUT /api/inventory/1',
      'DELETE /api/inventory/2',
      'POST /api/items',
    ]);
    expect(hostile.blocking).toBe(0);
    expect(new Set(hostile.findings.map((finding) => finding.caseId))).toEqual(new Set(['revoked-session', 'disabled-user']));
    expect(hostile.listenerRequests).toEqual([]);
    // Controls passed: a valid token with "bearer" and "BEARER" got in everywhere.
    expect(
      hostile.attempts
        .filter((attempt) => attempt.caseId === 'scheme-case')
        .every((attempt) => attempt.pass && attempt.observed.kind === 'answered'),
    ).toBe(true);
    expect(JSON.stringify(result)).not.toMatch(/eyJ[\w-]+\.[\w-]+\.[\w-]+/);
  });

  it('a stricter threshold turns the advisory findings into a failure', async () => {
    const result = await checkMatrix({
      spec: loadMatrixSpecSync(EXPRESS),
      server: server(),
      hostile: { cases: ['revoked-session', 'none'], failOn: 'advisory', sample: true },
    });
    // One endpoint per method: all four here, as each has its own method.
    expect(result.hostile?.endpoints).toHaveLength(4);
    expect(result.hostile?.cases.map((kase) => kase.id)).toEqual(['none', 'revoked-session']);
    expect(result.hostile?.blocking).toBeGreaterThan(0);
    expect(result.passed).toBe(false);
  });
});

describe('kcbox check CLI', () => {
  const cliEnv = (extra: NodeJS.ProcessEnv = {}) => sharedServerEnv(kcboxServer(), tempDir(), extra);

  it('prints the grid, writes every report, exits 0; the faulty variant exits 1 naming the cell', async () => {
    const reports = tempDir();
    const run = await runKcbox(
      [
        'check',
        '--matrix',
        EXPRESS,
        '--report',
        `json=${reports}/r.json`,
        '--report',
        `junit=${reports}/nested/r.xml`,
        '--report',
        `md=${reports}/r.md`,
        '--report',
        `html=${reports}/r.html`,
      ],
      cliEnv(),
    );
    expect(run.code, run.stderr + run.stdout).toBe(0);
    expect(run.stdout).toMatch(/GET \/api\/inventory\s.*│ ✓ 200 │ ✓ 200 │ ✓ 403 │ ✓ 401/);
    expect(run.stdout).toContain('33 cells: 33 passed, 0 failed · 27 peer cells: 27 passed, 0 failed');
    const json = JSON.parse(readFileSync(`${reports}/r.json`, 'utf8')) as MatrixResult;
    expect(json.cells).toHaveLength(33);
    expect(json.peerCells).toHaveLength(27);
    const junit = readFileSync(`${reports}/nested/r.xml`, 'utf8');
    expect(XMLValidator.validate(junit)).toBe(true);
    const suites = new XMLParser({ ignoreAttributes: false, isArray: (name) => name === 'testsuite' }).parse(junit).testsuites
      .testsuite as Array<Record<string, string>>;
    expect(suites.find((suite) => suite['@_name'] === 'kcbox matrix')?.['@_tests']).toBe('33');
    expect(suites.find((suite) => suite['@_name'] === 'kcbox peer cells')?.['@_tests']).toBe('27');
    expect(suites.find((suite) => suite['@_name'] === 'kcbox hostile')?.['@_failures']).toBe('0');
    expect(readFileSync(`${reports}/r.md`, 'utf8')).toContain('| `GET /api/inventory` |');
    expect(readFileSync(`${reports}/r.html`, 'utf8')).toMatch(/^<!doctype html>/i);
    for (const file of ['r.json', 'nested/r.xml', 'r.md', 'r.html'])
      expect(readFileSync(`${reports}/${file}`, 'utf8')).not.toMatch(/eyJ[\w-]+\.[\w-]+\.[\w-]+/);

    expect(run.stdout).toMatch(/Hostile tokens · fail on high and above · 5 protected endpoints · 36 cases\n/);
    const faulty = await runKcbox(['check', '--matrix', EXPRESS, '--no-hostile'], cliEnv({ FAULT: 'skip-delete-scope' }));
    expect(faulty.stdout).not.toContain('Hostile tokens');
    expect(faulty.code, faulty.stderr).toBe(1);
    expect(faulty.stdout).toContain('DELETE /api/inventory/2 × bob');
    expect(faulty.stdout).toContain('33 cells: 31 passed, 2 failed · 27 peer cells: 27 passed, 0 failed');
  });

  it('Ctrl-C during a check removes what it created and exits 130', async () => {
    const child = spawn(process.execPath, ['bin/kcbox.js', 'check', '--matrix', EXPRESS], {
      env: cliEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += String(chunk);
      // Interrupt once the realm exists and the backend is on its way.
      if (stderr.includes('starting the backend') && child.exitCode === null && !child.killed) child.kill('SIGINT');
    });
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code, stderr).toBe(130);
    expect(stderr).toContain('SIGINT: cleaning up');
    expect(stderr).toContain('everything the check created was removed');
  });

  it('exits 2 with file and line for a bad spec, and for a bad --report, before anything starts', async () => {
    const file = join(tempDir(), 'm.yaml');
    await import('node:fs/promises').then((fs) =>
      fs.writeFile(
        file,
        'keycloak: {realm: r.json, client: x}\nbackend: {url: "http://127.0.0.1:1"}\nusers: [a]\nendpoints:\n  - {method: FETCH, path: /x, scope: public}\n',
      ),
    );
    const bad = await runKcbox(['check', '--matrix', file], cliEnv());
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`${file}:5: endpoints[0].method: must be one of "GET"`);
    const report = await runKcbox(['check', '--matrix', EXPRESS, '--report', 'pdf=x.pdf'], cliEnv());
    expect(report.code).toBe(2);
    expect(report.stderr).toContain('--report "pdf=x.pdf": unknown format "pdf"');
    const hostile = await runKcbox(['check', '--matrix', EXPRESS, '--hostile', 'none,alg-confusion'], cliEnv());
    expect(hostile.code).toBe(2);
    expect(hostile.stderr).toContain('--hostile: unknown case "alg-confusion"; known cases: none, sig-strip');
    const failOn = await runKcbox(['check', '--matrix', EXPRESS, '--fail-on', 'medium'], cliEnv());
    expect(failOn.code).toBe(2);
    expect(failOn.stderr).toContain("argument 'medium' is invalid");
  });
});
