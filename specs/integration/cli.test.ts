import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { becomesFalse, groupAlive } from '../support/processes.js';
import { KCBOX_BIN, exitOf, runKcbox, spawnKcbox } from '../support/cli-process.js';
import { getStatus } from '../support/http.js';
import { useTempDir } from '../support/temp.js';

const tempDir = useTempDir();

interface UpJson {
  url: string;
  adminConsoleUrl: string;
  managementUrl: string;
  realms: string[];
  runtime: string;
  version: string;
  pid: number;
  adminUser: string;
  adminPassword?: string;
  stateFile: string;
}

function cliEnv(): NodeJS.ProcessEnv {
  return { ...process.env, KCBOX_STATE_FILE: join(tempDir(), 'state.json'), KCBOX_RUNTIME: 'dist' };
}

describe('kcbox up / status / down (real CLI, real Keycloak)', () => {
  it('up --detach --json returns once ready; status sees it; down stops it', async () => {
    const env = cliEnv();
    const up = await runKcbox(['up', '--detach', '--json', '--realm', 'realm/inventory-realm.json'], env);
    expect(up.code, up.stderr).toBe(0);
    const info = JSON.parse(up.stdout) as UpJson;
    expect(info).toMatchObject({ realms: ['inventory'], runtime: 'dist', version: '26.7.3', adminUser: 'kcbox-admin' });
    expect(info.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(info.adminPassword).toBeUndefined();
    expect(up.stdout).not.toContain('password');
    expect(statSync(info.stateFile).mode & 0o777).toBe(0o600);
    expect(groupAlive(info.pid)).toBe(true);

    const status = await runKcbox(['status', '--json'], env);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ running: true, url: info.url, realms: ['inventory'] });

    const down = await runKcbox(['down'], env);
    expect(down.code).toBe(0);
    expect(groupAlive(info.pid)).toBe(false);
    expect(existsSync(info.stateFile)).toBe(false);
    expect((await runKcbox(['status'], env)).code).toBe(1);
    expect((await runKcbox(['down'], env)).code).toBe(0);
  });

  it('a foreground up killed with SIGKILL leaves no Keycloak behind', async () => {
    const { child, firstLine } = await spawnKcbox(['up', '--json'], cliEnv());
    const info = JSON.parse(firstLine) as UpJson;
    expect(groupAlive(info.pid)).toBe(true);
    child.kill('SIGKILL');
    await exitOf(child);
    expect(await becomesFalse(() => groupAlive(info.pid), 10_000)).toBe(true);
    expect(await getStatus(`${info.url}/realms/master`)).toBe('ECONNREFUSED');
  });

  it('SIGKILL while Keycloak is still starting leaves no Keycloak behind either', async () => {
    const child = spawn(process.execPath, [KCBOX_BIN, 'up'], { env: { ...cliEnv(), DEBUG: 'kcbox:supervisor' }, stdio: ['ignore', 'ignore', 'pipe'] });
    // The debug line appears as soon as the JVM's process group exists, long before it is ready.
    const groupId = await new Promise<number>((resolve, reject) => {
      createInterface({ input: child.stderr! }).on('line', (line) => {
        const match = /started group (\d+)/.exec(line);
        if (match) resolve(Number(match[1]));
      });
      child.once('exit', (code) => reject(new Error(`kcbox exited with ${code} before starting Keycloak`)));
    });
    expect(groupAlive(groupId)).toBe(true);
    child.kill('SIGKILL');
    expect(await becomesFalse(() => groupAlive(groupId), 10_000)).toBe(true);
  });

  it('a foreground up stops cleanly on SIGINT (Ctrl-C) and exits 0', async () => {
    const env = cliEnv();
    const { child, firstLine } = await spawnKcbox(['up', '--json'], env);
    const info = JSON.parse(firstLine) as UpJson;
    expect((await runKcbox(['status'], env)).code).toBe(0);
    child.kill('SIGINT');
    expect(await exitOf(child)).toBe(0);
    expect(groupAlive(info.pid)).toBe(false);
    expect(existsSync(info.stateFile)).toBe(false);
  });
});
