import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { WATCHDOG_MARK, startContainerWatchdog } from '../../harness/runtime/container/watchdog.js';
import { exitOf } from '../support/cli-process.js';
import { becomesFalse, processAlive } from '../support/processes.js';
import { useTempDir } from '../support/temp.js';

const tempDir = useTempDir();
const SCRIPT = fileURLToPath(new URL('../../harness/runtime/container/container-watchdog.js', import.meta.url));
const ID = 'c0ffee'.repeat(10) + 'c0ff';

/** A fake engine recording the calls it gets; DELETE answers with the statuses given, in turn, then 204. */
async function fakeEngine(deleteStatuses: number[] = []) {
  const socket = join(tempDir(), 'docker.sock');
  const calls: string[] = [];
  const server = createServer((request, response) => {
    calls.push(`${request.method} ${request.url}`);
    response.writeHead(request.method === 'DELETE' ? (deleteStatuses.shift() ?? 204) : 404).end();
  });
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  return { endpoint: `unix://${socket}`, calls, close: () => new Promise((resolve) => server.close(resolve)) };
}

/** The watchdog started by this test process, which plays its starter: ending stdin is the starter's death as the watchdog sees it. */
async function watchdog(endpoint: string, containerId = ID) {
  const child = spawn(process.execPath, [SCRIPT, WATCHDOG_MARK], { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += String(chunk)));
  const events: string[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => events.push((JSON.parse(line) as { event: string }).event));
  child.stdin!.write(`${JSON.stringify({ endpoint, containerId })}\n`);
  await becomesFalse(() => !events.includes('watching') && child.exitCode === null, 5_000);
  return { child, events, stderr: () => stderr };
}

const removal = `DELETE /containers/${ID}?force=1&v=1`;

describe('the container watchdog (container-watchdog.js)', () => {
  it('removes the container when its starter goes away (stdin closes, as on SIGKILL) and exits 0', async () => {
    const engine = await fakeEngine();
    try {
      const { child, events, stderr } = await watchdog(engine.endpoint);
      expect(events).toEqual(['watching']);
      expect(engine.calls).toEqual([]);
      child.stdin!.end();
      expect(await exitOf(child)).toBe(0);
      expect(engine.calls).toEqual([removal]);
      expect(events).toEqual(['watching', 'removed']);
      expect(stderr()).toContain(`removing container ${ID.slice(0, 12)}: the process that started it is gone`);
    } finally {
      await engine.close();
    }
  });

  it('keeps trying while the engine fails, and takes "already gone" (404) for done', async () => {
    const engine = await fakeEngine([500, 404]);
    try {
      const { child } = await watchdog(engine.endpoint);
      child.stdin!.end();
      expect(await exitOf(child)).toBe(0);
      expect(engine.calls).toEqual([removal, removal]);
    } finally {
      await engine.close();
    }
  });

  it('removes the container on SIGTERM; ignores SIGINT (Ctrl-C belongs to its starter)', async () => {
    const engine = await fakeEngine();
    try {
      const { child } = await watchdog(engine.endpoint);
      child.kill('SIGINT');
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(child.exitCode).toBe(null);
      child.kill('SIGTERM');
      expect(await exitOf(child)).toBe(0);
      expect(engine.calls).toEqual([removal]);
    } finally {
      await engine.close();
    }
  });

  it('"detach" and "release" end it without touching the container', async () => {
    const engine = await fakeEngine();
    try {
      for (const command of ['detach', 'release']) {
        const { child, events } = await watchdog(engine.endpoint);
        child.stdin!.write(`${command}\n`);
        expect(await exitOf(child)).toBe(0);
        expect(events).toEqual(['watching', command === 'detach' ? 'detached' : 'released']);
      }
      expect(engine.calls).toEqual([]);
    } finally {
      await engine.close();
    }
  });

  it('refuses a configuration that is not one (exit 2) and never echoes it', async () => {
    const child: ChildProcess = spawn(process.execPath, [SCRIPT, WATCHDOG_MARK], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (chunk) => (stderr += String(chunk)));
    child.stdin!.write(`${JSON.stringify({ endpoint: 'ssh://secret@host', containerId: ID })}\n`);
    expect(await exitOf(child)).toBe(2);
    expect(stderr).toContain('the configuration on stdin is not valid');
    expect(stderr).not.toContain('secret');
  });
});

describe('startContainerWatchdog', () => {
  it('resolves once the watchdog watches; detach() lets it go and the container stays', async () => {
    const engine = await fakeEngine();
    try {
      const logFile = join(tempDir(), 'logs', 'container-watchdog.log');
      const started = await startContainerWatchdog(engine.endpoint, ID, logFile);
      expect(processAlive(started.pid)).toBe(true);
      await started.detach();
      expect(await becomesFalse(() => processAlive(started.pid), 5_000)).toBe(true);
      expect(engine.calls).toEqual([]);
      expect(readFileSync(logFile, 'utf8')).toContain(`detached: container ${ID.slice(0, 12)} runs until \`kcbox down\``);
    } finally {
      await engine.close();
    }
  });

  it('release() ends it once the starter removed the container itself', async () => {
    const engine = await fakeEngine();
    try {
      const started = await startContainerWatchdog(engine.endpoint, ID, join(tempDir(), 'watchdog.log'));
      await started.release();
      expect(await becomesFalse(() => processAlive(started.pid), 5_000)).toBe(true);
      expect(engine.calls).toEqual([]);
    } finally {
      await engine.close();
    }
  });
});
