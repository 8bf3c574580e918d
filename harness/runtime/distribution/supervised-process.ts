import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import createDebug from 'debug';

const debug = createDebug('kcbox:supervisor');
const SUPERVISOR_SCRIPT = fileURLToPath(new URL('./supervisor.js', import.meta.url));

export interface SupervisedCommand {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  readonly logFile: string;
  /** Folders removed once the process group is gone. */
  readonly cleanup: readonly string[];
  /** How long a SIGTERM may take before SIGKILL. */
  readonly graceMs: number;
}

export interface ProcessExit {
  readonly code: number | null;
  readonly signal: string | null;
  readonly error?: string;
}

/** Keycloak under a watchdog (supervisor.js): it cannot outlive the process that started it. */
export interface SupervisedProcess {
  readonly supervisorPid: number;
  /** The Keycloak launcher's pid, which is also its process group id. */
  readonly groupId: number;
  /** Settles when Keycloak exits by itself; never settles while it runs. */
  readonly exited: Promise<ProcessExit>;
  /** Lets the server outlive this process (`kcbox up --detach`); stop it later by pid. */
  detach(): void;
  /**
   * Stops the watchdog from keeping this process alive. A process that exits without stop()
   * still ends Keycloak: its end closes the pipe the supervisor watches.
   */
  unref(): void;
  /** Ends the process group, removes the cleanup folders; idempotent. */
  stop(): Promise<void>;
}

function alive(pid: number, group = false): boolean {
  try {
    process.kill(group ? -pid : pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitUntilGone(check: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (check() && Date.now() < deadline) await sleep(50);
  return !check();
}

/** True when `pid` is still a kcbox supervisor (guards against a recycled pid in a stale state file). */
export function isSupervisor(pid: number): boolean {
  if (!alive(pid)) return false;
  const cmdline = `/proc/${pid}/cmdline`;
  if (!existsSync(cmdline)) return true;
  try {
    return readFileSync(cmdline, 'utf8').includes('supervisor.js');
  } catch {
    return false;
  }
}

/**
 * Stops a supervised server by pid, from any process: SIGTERM to the supervisor, which ends the
 * group and cleans up; SIGKILL to both if it does not finish in time.
 */
export async function stopSupervisor(supervisorPid: number, groupId: number, graceMs: number): Promise<void> {
  if (isSupervisor(supervisorPid)) {
    process.kill(supervisorPid, 'SIGTERM');
    if (await waitUntilGone(() => alive(supervisorPid), graceMs + 10_000)) return;
    debug('supervisor %d did not stop, killing it and group %d', supervisorPid, groupId);
    try {
      process.kill(supervisorPid, 'SIGKILL');
    } catch {}
  }
  if (alive(groupId, true)) {
    try {
      process.kill(-groupId, 'SIGKILL');
    } catch {}
    await waitUntilGone(() => alive(groupId, true), 5_000);
  }
}

export async function startSupervised(command: SupervisedCommand): Promise<SupervisedProcess> {
  // The supervisor's own failures (if any) land in the server log, next to Keycloak's output.
  const log = openSync(command.logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(process.execPath, [SUPERVISOR_SCRIPT, JSON.stringify(command)], {
      // Its own session: a Ctrl-C in the terminal reaches kcbox, which stops Keycloak in order.
      detached: true,
      stdio: ['pipe', 'pipe', log],
    });
  } finally {
    closeSync(log);
  }
  const supervisorPid = child.pid;
  if (supervisorPid === undefined || !child.stdin || !child.stdout) {
    throw new Error(`could not start the kcbox supervisor (${process.execPath} ${SUPERVISOR_SCRIPT})`);
  }
  const stdin = child.stdin;

  let resolveExited: (exit: ProcessExit) => void = () => {};
  const exited = new Promise<ProcessExit>((resolve) => (resolveExited = resolve));
  let resolveSpawned: (pid: number) => void = () => {};
  let rejectSpawned: (error: Error) => void = () => {};
  const spawned = new Promise<number>((resolve, reject) => {
    resolveSpawned = resolve;
    rejectSpawned = reject;
  });
  const stopped = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  createInterface({ input: child.stdout }).on('line', (line) => {
    let event: { event?: string; pid?: number; code?: number | null; signal?: string | null; error?: string };
    try {
      event = JSON.parse(line);
    } catch {
      return;
    }
    debug('event %o', event);
    if (event.event === 'spawned' && typeof event.pid === 'number') resolveSpawned(event.pid);
    if (event.event === 'exited') {
      const exit: ProcessExit = { code: event.code ?? null, signal: event.signal ?? null, ...(event.error ? { error: event.error } : {}) };
      rejectSpawned(new Error(event.error ?? 'Keycloak exited before it started'));
      resolveExited(exit);
    }
  });
  child.once('exit', () => rejectSpawned(new Error('the kcbox supervisor exited before it started Keycloak')));

  const groupId = await spawned;
  debug('supervisor %d started group %d', supervisorPid, groupId);
  let stopping: Promise<void> | undefined;
  let detached = false;

  return {
    supervisorPid,
    groupId,
    exited,
    detach() {
      detached = true;
      stdin.write('detach\n');
      stdin.end();
      child.stdout?.destroy();
      child.unref();
    },
    unref() {
      child.unref();
      (stdin as unknown as { unref?: () => void }).unref?.();
      (child.stdout as unknown as { unref?: () => void }).unref?.();
    },
    stop() {
      stopping ??= (async () => {
        if (detached) return stopSupervisor(supervisorPid, groupId, command.graceMs);
        if (child.exitCode === null && child.signalCode === null) {
          stdin.write('stop\n');
          let timer: NodeJS.Timeout | undefined;
          await Promise.race([stopped, new Promise((resolve) => (timer = setTimeout(resolve, command.graceMs + 10_000)))]);
          clearTimeout(timer);
        }
        // Normally a no-op: only a wedged supervisor leaves anything behind.
        await stopSupervisor(supervisorPid, groupId, 0);
      })();
      return stopping;
    },
  };
}
