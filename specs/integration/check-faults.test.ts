import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { checkMatrix } from '../../harness/check/check-matrix.js';
import { checkExitCode } from '../../harness/check/exit-code.js';
import { parseMatrixSpec } from '../../harness/matrix/spec-load.js';
import { connectAdmin } from '../../harness/runtime/admin-client.js';
import { startKeycloak } from '../../harness/runtime/start-keycloak.js';
import { kcboxServer } from '../../harness/vitest/index.js';
import { runKcbox, sharedServerEnv } from '../support/cli-process.js';
import { useTempDir } from '../support/temp.js';

const tempDir = useTempDir();
const root = resolve('.');

/** The bundled realm under a name of this test's own, so what it leaves behind can be told apart. */
function uniqueRealmFile(): { file: string; prefix: string } {
  const prefix = `faults-${randomBytes(3).toString('hex')}`;
  const realm = JSON.parse(readFileSync('realm/inventory-realm.json', 'utf8')) as Record<string, unknown>;
  const file = join(tempDir(), `${prefix}.json`);
  writeFileSync(file, JSON.stringify({ ...realm, realm: prefix }));
  return { file, prefix };
}

/** The deny-styles backend's matrix, as a file, against the given realm file. */
function denyStylesMatrix(realmFile: string, fault?: string): string {
  const file = join(tempDir(), `matrix-${randomBytes(3).toString('hex')}.yaml`);
  writeFileSync(
    file,
    stringify({
      keycloak: { realm: realmFile, client: 'inventory-api' },
      backend: {
        command: 'node server.mjs',
        cwd: join(root, 'specs/fixtures/deny-styles'),
        url: 'http://127.0.0.1:${PORT}',
        ready: '/health',
        ...(fault ? { env: { FAULT: fault } } : {}),
      },
      users: ['alice', 'bob', 'anonymous'],
      timeout: 3,
      endpoints: [
        { method: 'GET', path: '/health', scope: 'public' },
        { method: 'GET', path: '/hidden/items', scope: 'Inventory#inventory:delete', deny: { anonymous: 404, authenticated: 404 } },
        { method: 'GET', path: '/web/items', scope: 'Inventory#inventory:view', deny: { anonymous: 302, authenticated: 302 } },
      ],
    }),
  );
  return file;
}

const cliEnv = () => sharedServerEnv(kcboxServer(), tempDir());

async function realmsStartingWith(prefix: string): Promise<string[]> {
  const provided = kcboxServer();
  const admin = await connectAdmin(provided.url, provided.adminCredentials);
  return (await admin.realms.find()).map((realm) => String(realm.realm)).filter((name) => name.startsWith(prefix));
}

describe('faults during a check (real Keycloak, real backend)', () => {
  it.each([
    ['importing the realm', 'as an isolated realm'],
    ['minting tokens', 'minting tokens'],
    ['calling the cells', 'calling '],
    ['sending hostile tokens', 'sending hostile tokens'],
  ])('SIGTERM while %s: exit 130, and no realm, backend or token client is left', async (_phase, marker) => {
    const { file, prefix } = uniqueRealmFile();
    const child = spawn(process.execPath, ['bin/kcbox.js', 'check', '--matrix', denyStylesMatrix(file)], {
      env: cliEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let stdout = '';
    child.stdout.on('data', (chunk) => (stdout += String(chunk)));
    child.stderr.on('data', (chunk) => {
      stderr += String(chunk);
      if (stderr.includes(marker) && child.exitCode === null && !child.killed) child.kill('SIGTERM');
    });
    const code = await new Promise<number | null>((done) => child.once('exit', done));
    expect(code, stderr).toBe(130);
    expect(stderr).toContain('everything the check created was removed');
    // No result is printed for an interrupted run.
    expect(stdout).not.toMatch(/cells:/);
    expect(await realmsStartingWith(prefix)).toEqual([]);
  });

  it('a report path that cannot be written fails before anything starts', async () => {
    const { file, prefix } = uniqueRealmFile();
    const started = Date.now();
    const result = await runKcbox(['check', '--matrix', denyStylesMatrix(file), '--report', 'json=/proc/forbidden/x.json'], cliEnv());
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--report json=/proc/forbidden/x.json');
    expect(result.stderr).toContain('the check did not start');
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(await realmsStartingWith(prefix)).toEqual([]);
  });

  it('a backend that dies mid-run makes the check incomplete (exit 2), never a list of findings', async () => {
    const { file } = uniqueRealmFile();
    const spec = parseMatrixSpec(readFileSync(denyStylesMatrix(file, 'crash-on-first-call'), 'utf8'), { file: join(tempDir(), 'm.yaml') });
    const provided = kcboxServer();
    const result = await checkMatrix({ spec, server: provided, hostile: { cases: ['none', 'sig-strip'] } });
    expect(result.passed).toBe(false);
    expect(checkExitCode(result)).toBe(2);
    expect(result.incomplete.map((work) => work.what)).toContain('the backend');
    expect(result.incomplete.find((work) => work.what === 'the backend')?.why).toMatch(/exited during the check \(code 3/);
    // The cells it could not answer are listed as not checked, and no hostile finding comes from silence.
    expect(result.incomplete.some((work) => work.what === 'GET /hidden/items × alice')).toBe(true);
    expect(result.hostile?.findings ?? []).toEqual([]);
  });

  it('Keycloak killed during the hostile phase: exit 2 naming Keycloak, never a green check', async () => {
    await using own = await startKeycloak({ runtime: 'dist', realms: [] });
    const { file } = uniqueRealmFile();
    const spec = parseMatrixSpec(readFileSync(denyStylesMatrix(file), 'utf8'), { file: join(tempDir(), 'm.yaml') });
    const record = own.toRecord();
    const result = await checkMatrix({
      spec,
      server: own,
      hostile: {},
      onStep: (step) => {
        // kill -9 the whole Keycloak process group, as a crash would.
        if (step.startsWith('sending hostile tokens') && record.pid) process.kill(-record.pid, 'SIGKILL');
      },
    });
    expect(checkExitCode(result)).toBe(2);
    expect(result.passed).toBe(false);
    expect(result.incomplete.map((work) => work.what)).toContain('Keycloak');
  });

  it('a check that outlives the admin token keeps its admin access', async () => {
    const provided = kcboxServer();
    const admin = await connectAdmin(provided.url, provided.adminCredentials);
    const first = await admin.getAccessToken();
    const realNow = Date.now;
    // 31 s later, as far as the client can tell: past the point where it logs in again.
    Date.now = () => realNow() + 31_000;
    try {
      const second = await admin.getAccessToken();
      expect(second).not.toBe(first);
      expect((await admin.realms.findOne({ realm: 'master' }))?.realm).toBe('master');
    } finally {
      Date.now = realNow;
    }
  });
});
