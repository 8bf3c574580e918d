import { spawn } from 'node:child_process';
import { createPublicKey } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { jwtVerify } from 'jose';
import { request } from 'undici';
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
  // Plain text: picocolors colours output whenever CI is set.
  return { ...process.env, KCBOX_STATE_FILE: join(tempDir(), 'state.json'), KCBOX_RUNTIME: 'dist', NO_COLOR: '1' };
}

describe('kcbox up / status / down (real CLI, real Keycloak)', () => {
  it('up --detach --json returns once ready with the bundled realm; status sees it; token and key use it; down stops it', async () => {
    const env = cliEnv();
    const up = await runKcbox(['up', '--detach', '--json'], env);
    try {
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

      // kcbox token prints only the token, ready for an Authorization header.
      const alice = await runKcbox(['token', 'alice'], env);
      expect(alice.code, alice.stderr).toBe(0);
      expect(alice.stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
      const userinfo = await request(`${info.url}/realms/inventory/protocol/openid-connect/userinfo`, {
        headers: { authorization: `Bearer ${alice.stdout.trim()}` },
      });
      expect(await userinfo.body.json()).toMatchObject({ preferred_username: 'alice' });

      const bob = await runKcbox(['token', 'bob', '--rpt', '--decode'], env);
      expect(bob.code, bob.stderr).toBe(0);
      const permissions = (JSON.parse(bob.stdout) as { authorization: { permissions: Array<{ rsname: string; scopes: string[] }> } })
        .authorization.permissions;
      expect(permissions.map((permission) => [permission.rsname, permission.scopes])).toEqual([['Inventory', ['inventory:view']]]);

      const dave = await runKcbox(['token', 'dave'], env);
      expect(dave).toMatchObject({ code: 1, stdout: '' });
      expect(dave.stderr).toBe('kcbox: User "dave" is disabled in realm "inventory": no token can be issued.\n');

      // The PEM key verifies the realm's tokens: the exact format static-key backends need.
      const key = await runKcbox(['key'], env);
      expect(key.code).toBe(0);
      expect(key.stdout).toMatch(/^-----BEGIN PUBLIC KEY-----\n([A-Za-z0-9+/=]{64}\n)+[A-Za-z0-9+/=]{1,64}\n-----END PUBLIC KEY-----\n$/);
      const verified = await jwtVerify(alice.stdout.trim(), createPublicKey(key.stdout), {
        issuer: `${info.url}/realms/inventory`,
        algorithms: ['RS256'],
      });
      expect(verified.payload.preferred_username).toBe('alice');

      // export writes Keycloak's own format; drift exits 0 on it, 1 on a changed copy, 2 on a malformed one.
      const folder = tempDir();
      const exported = join(folder, 'authz.json');
      expect((await runKcbox(['export', '--client', 'inventory-api', '--out', exported], env)).code).toBe(0);
      expect(JSON.parse(readFileSync(exported, 'utf8'))).toMatchObject({
        policyEnforcementMode: 'ENFORCING',
        resources: [{ name: 'Inventory' }],
      });
      expect((await runKcbox(['drift', '--config', exported], env)).code).toBe(0);
      expect((await runKcbox(['drift', '--realm-file', 'realm/inventory-realm.json'], env)).code).toBe(0);
      const changed = readFileSync('realm/inventory-authz-config.json', 'utf8').replace(
        '"decisionStrategy": "AFFIRMATIVE"',
        '"decisionStrategy": "UNANIMOUS"',
      );
      writeFileSync(join(folder, 'changed.json'), changed);
      const drifted = await runKcbox(['drift', '--config', join(folder, 'changed.json')], env);
      expect(drifted.code).toBe(1);
      expect(drifted.stdout).toContain('$.policies["View inventory"].decisionStrategy: file "UNANIMOUS" → live "AFFIRMATIVE"');
      expect(drifted.stdout).toMatch(/gained bob Inventory#inventory:view/);
      writeFileSync(join(folder, 'broken.json'), '{ "policies": [');
      const broken = await runKcbox(['drift', '--config', join(folder, 'broken.json')], env);
      expect(broken.code).toBe(2);
      expect(broken.stderr).toContain(`${join(folder, 'broken.json')}:1:16: malformed JSON: expected ']' to close the list`);

      const down = await runKcbox(['down'], env);
      expect(down.code).toBe(0);
      expect(groupAlive(info.pid)).toBe(false);
      expect(existsSync(info.stateFile)).toBe(false);
      expect((await runKcbox(['status'], env)).code).toBe(1);
      expect((await runKcbox(['down'], env)).code).toBe(0);
    } finally {
      // A failed assertion must not leave the detached server running.
      await runKcbox(['down'], env);
    }
  });

  it('a foreground up killed with SIGKILL leaves no Keycloak behind', async () => {
    const { child, firstLine } = await spawnKcbox(['up', '--json', '--no-realm'], cliEnv());
    const info = JSON.parse(firstLine) as UpJson;
    // Kill first, assert after: a failed assertion must not leave kcbox (and so Keycloak) running.
    const wasRunning = groupAlive(info.pid);
    child.kill('SIGKILL');
    expect(wasRunning).toBe(true);
    await exitOf(child);
    expect(await becomesFalse(() => groupAlive(info.pid), 10_000)).toBe(true);
    expect(await getStatus(`${info.url}/realms/master`)).toBe('ECONNREFUSED');
  });

  it('SIGKILL while Keycloak is still starting leaves no Keycloak behind either', async () => {
    const child = spawn(process.execPath, [KCBOX_BIN, 'up', '--no-realm'], {
      env: { ...cliEnv(), DEBUG: 'kcbox:supervisor' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    // The debug line appears as soon as the JVM's process group exists, long before it is ready.
    const groupId = await new Promise<number>((resolve, reject) => {
      createInterface({ input: child.stderr! }).on('line', (line) => {
        const match = /started group (\d+)/.exec(line);
        if (match) resolve(Number(match[1]));
      });
      child.once('exit', (code) => reject(new Error(`kcbox exited with ${code} before starting Keycloak`)));
    });
    const wasRunning = groupAlive(groupId);
    child.kill('SIGKILL');
    expect(wasRunning).toBe(true);
    expect(await becomesFalse(() => groupAlive(groupId), 10_000)).toBe(true);
  });

  it('a foreground up stops cleanly on SIGINT (Ctrl-C) and exits 0', async () => {
    const env = cliEnv();
    const { child, firstLine } = await spawnKcbox(['up', '--json', '--no-realm'], env);
    try {
      const info = JSON.parse(firstLine) as UpJson;
      expect((await runKcbox(['status'], env)).code).toBe(0);
      child.kill('SIGINT');
      expect(await exitOf(child)).toBe(0);
      expect(groupAlive(info.pid)).toBe(false);
      expect(existsSync(info.stateFile)).toBe(false);
    } finally {
      // Whatever failed, the watchdog ends Keycloak once kcbox is gone.
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
