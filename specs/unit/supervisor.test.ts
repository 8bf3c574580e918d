import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startSupervised, stopSupervisor } from '../../harness/process/supervised-process.js';
import { becomesFalse, groupAlive, processAlive } from '../support/processes.js';
import { useTempDir } from '../support/temp.js';

const tempDir = useTempDir();

function command(folder: string, script: string) {
  return {
    command: '/bin/sh',
    args: ['-c', script],
    env: { PATH: process.env.PATH ?? '' },
    cwd: folder,
    logFile: join(folder, 'log.txt'),
    cleanup: [join(folder, 'home')],
    graceMs: 2_000,
  };
}

/** The pids of every process whose command line (world-readable, what `ps -eo args` shows) contains `text`. */
function commandLinesContaining(text: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(text)) pids.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}

describe('the watchdog (supervisor.js)', () => {
  it('stop() ends the whole process group and removes the private folder', async () => {
    const folder = tempDir();
    const supervised = await startSupervised(command(folder, `mkdir -p home; sleep 300 & sleep 300; wait`));
    expect(groupAlive(supervised.groupId)).toBe(true);
    await supervised.stop();
    expect(groupAlive(supervised.groupId)).toBe(false);
    expect(processAlive(supervised.supervisorPid)).toBe(false);
    expect(existsSync(join(folder, 'home'))).toBe(false);
    expect(readFileSync(join(folder, 'log.txt'), 'utf8')).toContain('stopping Keycloak: stop requested');
  });

  it('kills a process that ignores SIGTERM once the grace period is over', async () => {
    const folder = tempDir();
    const supervised = await startSupervised(command(folder, `trap '' TERM; touch trapped; sleep 300 & wait; sleep 300`));
    // A SIGTERM that lands before the shell set its trap ends it at once: there would be nothing to kill.
    expect(await becomesFalse(() => !existsSync(join(folder, 'trapped')), 10_000)).toBe(true);
    await supervised.stop();
    expect(groupAlive(supervised.groupId)).toBe(false);
    expect(readFileSync(join(folder, 'log.txt'), 'utf8')).toContain('did not stop in time: killing it');
  });

  it('stop({ soon: true }) uses the short orphan grace, not the long one', async () => {
    const folder = tempDir();
    const supervised = await startSupervised({
      ...command(folder, `trap '' TERM; touch trapped; sleep 300 & wait; sleep 300`),
      graceMs: 600_000,
      orphanGraceMs: 1_000,
    });
    expect(await becomesFalse(() => !existsSync(join(folder, 'trapped')), 10_000)).toBe(true);
    // With the long grace this would wait ten minutes and the test would time out.
    await supervised.stop({ soon: true });
    expect(groupAlive(supervised.groupId)).toBe(false);
    expect(readFileSync(join(folder, 'log.txt'), 'utf8')).toContain('did not stop in time: killing it');
  });

  it('ends a slow-stopping group after the orphan grace when its starter dies', async () => {
    const child = spawn(process.execPath, ['specs/fixtures/supervised-child.mjs', 'slow-stop'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const line = await new Promise<string>((resolve) => createInterface({ input: child.stdout }).once('line', resolve));
    const { groupId } = JSON.parse(line) as { groupId: number };
    child.kill('SIGKILL');
    // The long grace (ten minutes) would keep it far beyond this.
    expect(await becomesFalse(() => groupAlive(groupId), 15_000)).toBe(true);
  }, 30_000);

  it('reports a process that exits by itself and cleans up', async () => {
    const folder = tempDir();
    const supervised = await startSupervised(command(folder, 'mkdir -p home; echo boom; exit 3'));
    expect(await supervised.exited).toEqual({ code: 3, signal: null });
    expect(await becomesFalse(() => existsSync(join(folder, 'home')), 5_000)).toBe(true);
    expect(readFileSync(join(folder, 'log.txt'), 'utf8')).toContain('boom');
  });

  it('ends the group when the process that started it is killed with SIGKILL', async () => {
    const child = spawn(process.execPath, ['specs/fixtures/supervised-child.mjs'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const line = await new Promise<string>((resolve) => createInterface({ input: child.stdout }).once('line', resolve));
    const { groupId, supervisorPid, folder } = JSON.parse(line) as { groupId: number; supervisorPid: number; folder: string };
    expect(groupAlive(groupId)).toBe(true);
    child.kill('SIGKILL');
    expect(await becomesFalse(() => groupAlive(groupId), 8_000)).toBe(true);
    expect(await becomesFalse(() => processAlive(supervisorPid), 5_000)).toBe(true);
    expect(existsSync(folder)).toBe(false);
  });

  it('a stale record never makes stopSupervisor kill an unrelated process group', async () => {
    const bystander = spawn('sleep', ['30'], { detached: true, stdio: 'ignore' });
    const groupId = bystander.pid ?? -1;
    try {
      await stopSupervisor(2147483645, groupId, 0);
      expect(groupAlive(groupId)).toBe(true);
    } finally {
      process.kill(-groupId, 'SIGKILL');
    }
  });

  it('lets a detached server outlive its starter until it is stopped by pid', async () => {
    const folder = tempDir();
    const supervised = await startSupervised(command(folder, 'sleep 300'));
    await supervised.detach();
    // The starter's pipe is closed now: a detached supervisor must not take that as its cue.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(groupAlive(supervised.groupId)).toBe(true);
    await supervised.stop();
    expect(groupAlive(supervised.groupId)).toBe(false);
  });

  it.runIf(existsSync('/proc'))('passes the child environment to no command line any local user can read', async () => {
    const folder = tempDir();
    const secret = `kcbox-test-secret-${randomUUID()}`;
    const supervised = await startSupervised({
      ...command(folder, 'sleep 300; true'),
      env: { PATH: process.env.PATH ?? '', KCBOX_TEST_SECRET: secret },
      name: 'the backend',
    });
    try {
      const watchdog = readFileSync(`/proc/${supervised.supervisorPid}/cmdline`, 'utf8');
      const child = readFileSync(`/proc/${supervised.groupId}/cmdline`, 'utf8');
      // The right processes were read: the watchdog script, and a child that did get the secret, through its env.
      expect(watchdog).toContain('supervisor.js');
      expect(child).toContain('sleep 300');
      expect(readFileSync(`/proc/${supervised.groupId}/environ`, 'utf8').split('\0')).toContain(`KCBOX_TEST_SECRET=${secret}`);
      expect(watchdog).not.toContain(secret);
      expect(child).not.toContain(secret);
      expect(commandLinesContaining(secret)).toEqual([]);
    } finally {
      await supervised.stop();
    }
    const log = readFileSync(join(folder, 'log.txt'), 'utf8');
    // The configuration (name included) reached the watchdog, and it never echoed it to the log.
    expect(log).toContain('stopping the backend: stop requested');
    expect(log).not.toContain(secret);
  });
});
