import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { removeAbandonedContainers } from '../../harness/runtime/container/keycloak-container.js';
import { KCBOX_BIN, exitOf, runKcbox, spawnKcbox } from '../support/cli-process.js';
import { containerGone, containerRunning, dockerForTests } from '../support/docker.js';
import { getStatus } from '../support/http.js';
import { useTempDir } from '../support/temp.js';

const tempDir = useTempDir();
const { engine, tool } = await dockerForTests();

interface UpJson {
  url: string;
  runtime: string;
  containerId: string;
  stateFile: string;
}

/** A container start is slow on a busy 2-core machine (and the first one derives the optimized image). */
const START = ['--timeout', '280'];
const TEST_TIMEOUT = 420_000;
/**
 * How long removal may take once the watchdog asks: the engine may be busy copying another
 * container's root filesystem (the vfs storage driver copies the whole image per container).
 */
const REMOVAL_MS = 30_000;

function cliEnv(): NodeJS.ProcessEnv {
  return { ...process.env, KCBOX_STATE_FILE: join(tempDir(), 'state.json'), KCBOX_RUNTIME: 'container', NO_COLOR: '1' };
}

/** Starts the CLI with kcbox:container debug output and resolves with the id of the container it created, long before it is ready. */
async function spawnUntilCreated(args: string[]) {
  const child = spawn(process.execPath, [KCBOX_BIN, ...args], {
    env: { ...cliEnv(), DEBUG: 'kcbox:container' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  const containerId = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stderr! }).on('line', (line) => {
      stderr += `${line}\n`;
      // The watchdog watches from before the container starts.
      const match = /watchdog \d+ watches container ([0-9a-f]{12})/.exec(line);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`kcbox exited with ${code} before creating a container:\n${stderr}`)));
  });
  return { child, containerId };
}

describe.skipIf(!tool.available)('kcbox CLI with the container runtime (real engine, real Keycloak image)', () => {
  it(
    'a foreground up killed with SIGKILL leaves no container behind',
    async () => {
      const { child, firstLine } = await spawnKcbox(['up', '--json', '--no-realm', ...START], cliEnv());
      const info = JSON.parse(firstLine) as UpJson;
      // Kill first, assert after: a failed assertion must not leave kcbox (and so the container) running.
      const wasRunning = await containerRunning(engine!, info.containerId);
      child.kill('SIGKILL');
      expect(info.runtime).toBe('container');
      expect(wasRunning).toBe(true);
      await exitOf(child);
      expect(await containerGone(engine!, info.containerId, REMOVAL_MS)).toBe(true);
      expect(await getStatus(`${info.url}/realms/master`)).toBe('ECONNREFUSED');
    },
    TEST_TIMEOUT,
  );

  it(
    'SIGKILL while the container is still starting leaves no container behind either (up and check)',
    async () => {
      for (const args of [
        ['up', '--no-realm'],
        ['check', '--matrix', 'examples/express-inventory/matrix.yaml', '--no-hostile'],
      ]) {
        const { child, containerId } = await spawnUntilCreated(args);
        child.kill('SIGKILL');
        expect(await containerGone(engine!, containerId, REMOVAL_MS), args[0]).toBe(true);
      }
    },
    TEST_TIMEOUT,
  );

  it(
    'a foreground up stops cleanly on SIGINT (Ctrl-C), removes its container and exits 0',
    async () => {
      const env = cliEnv();
      const { child, firstLine } = await spawnKcbox(['up', '--json', '--no-realm', ...START], env);
      try {
        const info = JSON.parse(firstLine) as UpJson;
        expect((await runKcbox(['status'], env)).code).toBe(0);
        child.kill('SIGINT');
        expect(await exitOf(child)).toBe(0);
        expect(await containerGone(engine!, info.containerId, 0)).toBe(true);
        expect(existsSync(info.stateFile)).toBe(false);
      } finally {
        // Whatever failed, the watchdog removes the container once kcbox is gone.
        if (child.exitCode === null) child.kill('SIGKILL');
      }
    },
    TEST_TIMEOUT,
  );

  it(
    'up --detach keeps its container after kcbox exits, through later starts, until kcbox down',
    async () => {
      const env = cliEnv();
      const up = await runKcbox(['up', '--detach', '--json', '--no-realm', ...START], env);
      let info: UpJson | undefined;
      try {
        expect(up.code, up.stderr).toBe(0);
        info = JSON.parse(up.stdout) as UpJson;
        // The watchdog let go: nothing removes the container once its starter has exited.
        await new Promise((resolve) => setTimeout(resolve, 3_000));
        expect(await containerRunning(engine!, info.containerId)).toBe(true);
        await removeAbandonedContainers(engine!);
        expect(await containerRunning(engine!, info.containerId)).toBe(true);
        expect((await runKcbox(['status'], env)).code).toBe(0);

        const down = await runKcbox(['down'], env);
        expect(down.code, down.stderr).toBe(0);
        expect(await containerGone(engine!, info.containerId, 0)).toBe(true);
        expect(existsSync(info.stateFile)).toBe(false);
      } finally {
        // A failed assertion must not leave the detached container running.
        await runKcbox(['down'], env);
        if (info) await engine!.remove(info.containerId);
      }
    },
    TEST_TIMEOUT,
  );
});
