import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import createDebug from 'debug';

const debug = createDebug('kcbox:container');
const WATCHDOG_SCRIPT = fileURLToPath(new URL('./container-watchdog.js', import.meta.url));
/** In every container watchdog's argv, so one can be recognised in `ps`. */
export const WATCHDOG_MARK = '--kcbox-container-watchdog';

export interface ContainerWatchdog {
  readonly pid: number;
  /** The container outlives this process (`kcbox up --detach`): the watchdog exits and leaves it. */
  detach(): Promise<void>;
  /** The container was removed by this process: the watchdog exits. */
  release(): Promise<void>;
  /** Lets this process exit while the watchdog runs; its exit (or SIGKILL) still has the container removed. */
  unref(): void;
}

/**
 * Starts container-watchdog.js for a created container and resolves once it watches: from then on,
 * however this process ends, the container is removed within seconds unless it was detached.
 * Its notes go to `logFile`.
 */
export async function startContainerWatchdog(endpoint: string, containerId: string, logFile: string): Promise<ContainerWatchdog> {
  mkdirSync(dirname(logFile), { recursive: true });
  const log = openSync(logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(process.execPath, [WATCHDOG_SCRIPT, WATCHDOG_MARK], {
      // Its own session: a Ctrl-C in the terminal reaches kcbox, which stops the container in order.
      detached: true,
      stdio: ['pipe', 'pipe', log],
    });
  } finally {
    closeSync(log);
  }
  const pid = child.pid;
  const stdin = child.stdin;
  const stdout = child.stdout;
  if (pid === undefined || !stdin || !stdout)
    throw new Error(`could not start the kcbox container watchdog (${process.execPath} ${WATCHDOG_SCRIPT})`);
  child.on('error', (error) => debug('watchdog %d: %s', pid, error.message));
  stdin.on('error', (error) => debug('watchdog %d stdin: %s', pid, error.message));

  const events = new Map<string, () => void>();
  const seen = new Set<string>();
  createInterface({ input: stdout }).on('line', (line) => {
    try {
      const { event } = JSON.parse(line) as { event?: string };
      if (!event) return;
      debug('watchdog %d: %s', pid, event);
      seen.add(event);
      events.get(event)?.();
    } catch {
      // Not an event.
    }
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  /** Resolves true on the event, false when the watchdog exits first or `ms` pass. */
  const awaitEvent = async (event: string, ms: number): Promise<boolean> => {
    if (seen.has(event)) return true;
    let timer: NodeJS.Timeout | undefined;
    const result = await Promise.race([
      new Promise<boolean>((resolve) => events.set(event, () => resolve(true))),
      exited.then(() => seen.has(event)),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms))),
    ]);
    clearTimeout(timer);
    return result;
  };

  stdin.write(`${JSON.stringify({ endpoint, containerId })}\n`);
  if (!(await awaitEvent('watching', 10_000))) {
    child.kill('SIGKILL');
    throw new Error(`the kcbox container watchdog did not start (see ${logFile})`);
  }
  debug('watchdog %d watches container %s', pid, containerId.slice(0, 12));

  const leave = async (command: 'detach' | 'release', event: string): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    if (!stdin.destroyed && stdin.writable) stdin.write(`${command}\n`);
    // Exiting before the watchdog has read the command would look like a crash to it.
    const acknowledged = await awaitEvent(event, 10_000);
    stdin.end();
    stdout.destroy();
    child.unref();
    if (!acknowledged) throw new Error(`the kcbox container watchdog did not acknowledge "${command}"`);
  };

  return {
    pid,
    detach: () => leave('detach', 'detached'),
    release: () => leave('release', 'released'),
    unref() {
      child.unref();
      (stdin as unknown as { unref?: () => void }).unref?.();
      (stdout as unknown as { unref?: () => void }).unref?.();
    },
  };
}
