import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import createDebug from 'debug';
import { processAlive } from './process-alive.js';

const debug = createDebug('kcbox:supervisor');
const SUPERVISOR_SCRIPT = fileURLToPath(new URL('./supervisor.js', import.meta.url));
/** In every supervisor's argv, so a pid can be recognised from source and from dist alike. */
const SUPERVISOR_MARK = '--kcbox-supervisor';

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
  /**
   * The grace when nobody waits for what the process does on its way out: its starter is gone, or
   * `stop({ soon: true })`. Default `graceMs`.
   */
  readonly orphanGraceMs?: number;
  /** What the supervisor's notes in the log call the process. Default "Keycloak". */
  readonly name?: string;
}

export interface ProcessExit {
  readonly code: number | null;
  readonly signal: string | null;
  readonly error?: string;
}

/** A process (Keycloak, or a backend under test) under a watchdog (supervisor.js): it cannot outlive the process that started it. */
export interface SupervisedProcess {
  readonly supervisorPid: number;
  /** The Keycloak launcher's pid, which is also its process group id. */
  readonly groupId: number;
  /** Settles when Keycloak exits by itself (or its supervisor dies); never settles while it runs. */
  readonly exited: Promise<ProcessExit>;
  /** Lets the server outlive this process (`kcbox up --detach`); stop it later by pid. */
  detach(): Promise<void>;
  /**
   * Stops the watchdog from keeping this process alive. A process that exits without stop()
   * still ends Keycloak: its end closes the pipe the supervisor watches.
   */
  unref(): void;
  /** Ends the process group, removes the cleanup folders; idempotent. `soon`: with the orphan grace. */
  stop(options?: { readonly soon?: boolean }): Promise<void>;
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Gone already, or no longer ours to signal.
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitUntilGone(check: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (check() && Date.now() < deadline) await sleep(50);
  return !check();
}

/** A process's command line, where the platform lets us read it. */
function commandLine(pid: number): string | undefined {
  try {
    if (existsSync('/proc')) return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return execFileSync('ps', ['-o', 'command=', '-p', String(pid)], { encoding: 'utf8' });
  } catch {
    return undefined;
  }
}

/** True when `pid` is still a kcbox supervisor (guards against a recycled pid in a stale state file). */
export function isSupervisor(pid: number): boolean {
  return processAlive(pid) && (commandLine(pid)?.includes(SUPERVISOR_MARK) ?? false);
}

/** True when a process of group `groupId` is a Keycloak launcher or JVM (Linux; elsewhere unknown → false). */
function isKeycloakGroup(groupId: number): boolean {
  if (!existsSync('/proc')) return false;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // Field 5 of stat is the process group; the command name in field 2 may hold spaces.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const group = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
      if (group === groupId && /kc\.sh|kc\.home\.dir/.test(commandLine(Number(entry)) ?? '')) return true;
    } catch {
      // The process ended while we looked.
    }
  }
  return false;
}

/**
 * Stops a supervised server by pid, from any process: SIGTERM to the supervisor, which ends the
 * group and cleans up; SIGKILL if it does not finish in time. A group is killed directly only when
 * it is verifiably Keycloak's: a stale state file must never hit an unrelated process.
 */
export async function stopSupervisor(supervisorPid: number, groupId: number, graceMs: number): Promise<void> {
  if (isSupervisor(supervisorPid)) {
    signal(supervisorPid, 'SIGTERM');
    if (await waitUntilGone(() => processAlive(supervisorPid), graceMs + 10_000)) return;
    debug('supervisor %d did not stop, killing it and group %d', supervisorPid, groupId);
    signal(supervisorPid, 'SIGKILL');
  }
  if (processAlive(groupId, true) && isKeycloakGroup(groupId)) {
    signal(-groupId, 'SIGKILL');
    await waitUntilGone(() => processAlive(groupId, true), 5_000);
  }
}

/** What supervisor.js reads from the first line of its stdin; only the fields it knows. */
function supervisorConfig(command: SupervisedCommand) {
  return {
    command: command.command,
    args: command.args,
    env: command.env,
    cwd: command.cwd,
    logFile: command.logFile,
    cleanup: command.cleanup,
    graceMs: command.graceMs,
    ...(command.orphanGraceMs === undefined ? {} : { orphanGraceMs: command.orphanGraceMs }),
    ...(command.name === undefined ? {} : { name: command.name }),
  };
}

export async function startSupervised(command: SupervisedCommand): Promise<SupervisedProcess> {
  // The supervisor's own failures (if any) land in the server log, next to Keycloak's output.
  const log = openSync(command.logFile, 'a');
  let child: ChildProcess;
  try {
    // Nothing but the script and a marker on the command line: /proc/PID/cmdline (and `ps`) is
    // world-readable, and the configuration carries the child's whole environment. It goes
    // through the stdin pipe instead (below), which only this user can open.
    child = spawn(process.execPath, [SUPERVISOR_SCRIPT, SUPERVISOR_MARK], {
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
  // A write to a supervisor that just died fails with EPIPE: that is handled where it matters, not fatal.
  child.on('error', (error) => debug('supervisor %d: %s', supervisorPid, error.message));
  stdin.on('error', (error) => debug('supervisor %d stdin: %s', supervisorPid, error.message));
  const send = (command: string): boolean => {
    if (stdin.destroyed || !stdin.writable) return false;
    stdin.write(`${command}\n`);
    return true;
  };
  // The first line the supervisor reads is its configuration; JSON.stringify never emits a raw newline.
  send(JSON.stringify(supervisorConfig(command)));

  let resolveExited: (exit: ProcessExit) => void = () => {};
  const exited = new Promise<ProcessExit>((resolve) => (resolveExited = resolve));
  let resolveSpawned: (pid: number) => void = () => {};
  let rejectSpawned: (error: Error) => void = () => {};
  const spawned = new Promise<number>((resolve, reject) => {
    resolveSpawned = resolve;
    rejectSpawned = reject;
  });
  const stopped = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let resolveDetached: () => void = () => {};
  const detachAcknowledged = new Promise<void>((resolve) => (resolveDetached = resolve));

  createInterface({ input: child.stdout }).on('line', (line) => {
    let event: { event?: string; pid?: number; code?: number | null; signal?: string | null; error?: string };
    try {
      event = JSON.parse(line);
    } catch {
      return;
    }
    debug('event %o', event);
    if (event.event === 'spawned' && typeof event.pid === 'number') resolveSpawned(event.pid);
    if (event.event === 'detached') resolveDetached();
    if (event.event === 'exited') {
      const exit: ProcessExit = { code: event.code ?? null, signal: event.signal ?? null, ...(event.error ? { error: event.error } : {}) };
      rejectSpawned(new Error(event.error ?? 'Keycloak exited before it started'));
      resolveExited(exit);
    }
  });
  child.once('exit', (code, signal) => {
    rejectSpawned(new Error('the kcbox supervisor exited before it started Keycloak'));
    // A supervisor that dies without a word still means the server is gone.
    resolveExited({ code: null, signal: null, error: `the kcbox supervisor exited (code ${code}, signal ${signal})` });
  });

  const groupId = await spawned;
  debug('supervisor %d started group %d', supervisorPid, groupId);
  let stopping: Promise<void> | undefined;
  let detached = false;

  return {
    supervisorPid,
    groupId,
    exited,
    async detach() {
      detached = true;
      if (!send('detach')) throw new Error('the kcbox supervisor is gone: the server cannot be detached');
      // Exiting before the supervisor has read "detach" would look like a crash to it.
      let timer: NodeJS.Timeout | undefined;
      const acknowledged = await Promise.race([
        detachAcknowledged.then(() => true),
        stopped.then(() => false),
        new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), 10_000))),
      ]);
      clearTimeout(timer);
      if (!acknowledged) throw new Error('the kcbox supervisor did not acknowledge "detach"');
      stdin.end();
      child.stdout?.destroy();
      child.unref();
    },
    unref() {
      child.unref();
      (stdin as unknown as { unref?: () => void }).unref?.();
      (child.stdout as unknown as { unref?: () => void }).unref?.();
    },
    stop(options) {
      stopping ??= (async () => {
        if (detached) return stopSupervisor(supervisorPid, groupId, command.graceMs);
        const soon = options?.soon === true;
        const grace = soon ? (command.orphanGraceMs ?? command.graceMs) : command.graceMs;
        if (child.exitCode === null && child.signalCode === null && send(soon ? 'stop-soon' : 'stop')) {
          let timer: NodeJS.Timeout | undefined;
          await Promise.race([stopped, new Promise((resolve) => (timer = setTimeout(resolve, grace + 10_000)))]);
          clearTimeout(timer);
        }
        // Normally a no-op: only a wedged supervisor leaves anything behind.
        await stopSupervisor(supervisorPid, groupId, 0);
      })();
      return stopping;
    },
  };
}
