// @ts-check
/**
 * The watchdog between kcbox and a supervised process (Keycloak's JVM, or a backend under test).
 * It runs in its own session, starts the process in its own process group, and ends that whole
 * group when:
 *   - its stdin reaches end-of-file (the process that started it exited, crashed or was killed
 *     with SIGKILL: the kernel closes the pipe in every case), unless it was told "detach";
 *   - it reads "stop" on stdin or receives SIGTERM (`kcbox down`);
 *   - the process exits by itself.
 * Then it removes the server's private folders and exits. Plain JavaScript on purpose: it must
 * start in milliseconds with no loader, and it is the one piece that must not fail.
 *
 * argv: only a marker, never the configuration: /proc/PID/cmdline is world-readable, and the
 *   configuration holds the child's whole environment (admin passwords, client secrets, CI tokens).
 * stdin, first line: JSON {command, args, env, cwd, logFile, cleanup: string[], graceMs, orphanGraceMs?, name?},
 *   through a pipe only the owner can open. The child gets `env` through spawn's env, never argv.
 * stdin, later lines: "detach" | "stop" | "stop-soon" (the short orphan grace: a start that failed)
 * stdout: JSON lines {event: "spawned", pid} | {event: "detached"} | {event: "exited", code, signal} | {event: "stopped"}
 */
import { spawn } from 'node:child_process';
import { appendFileSync, openSync, readFileSync, readdirSync, rmSync } from 'node:fs';

/**
 * orphanGraceMs: the grace when nobody waits for the result any more (the starting process is
 * gone): a JVM writing its AOT cache on the way out gets a long graceMs only while kcbox waits.
 * @typedef {{command: string, args: string[], env: Record<string, string>, cwd: string, logFile: string, cleanup: string[], graceMs: number, orphanGraceMs?: number, name?: string}} Config
 */

/** @type {Config | undefined} Set once the first line of stdin has been read. */
let config;
/** What the notes call the supervised process. */
let name = 'Keycloak';
/** The supervised process's pid, which is also its process group id. */
/** @type {number | undefined} */
let groupId;
const parentPid = process.ppid;
let detached = false;
let stopping = false;

/** @param {string} message */
function note(message) {
  const line = `[kcbox-supervisor ${new Date().toISOString()}] ${message}\n`;
  try {
    // Before the configuration has arrived, stderr (the log the starter opened for us) is all there is.
    if (config) appendFileSync(config.logFile, line);
    else process.stderr.write(line);
  } catch {
    // The log folder may be gone already; nothing else to tell.
  }
}

/** @param {Record<string, unknown>} event */
function emit(event) {
  if (detached) return;
  try {
    process.stdout.write(`${JSON.stringify(event)}\n`);
  } catch {
    // The parent may be gone: its absence is handled through stdin.
  }
}
process.stdout.on('error', () => {});

/**
 * Parses the configuration line. Never echoes it: it holds the child's environment.
 * @param {string} line
 * @returns {Config | undefined}
 */
function parseConfig(line) {
  try {
    const parsed = JSON.parse(line);
    const valid =
      parsed !== null &&
      typeof parsed === 'object' &&
      typeof parsed.command === 'string' &&
      Array.isArray(parsed.args) &&
      typeof parsed.env === 'object' &&
      typeof parsed.cwd === 'string' &&
      typeof parsed.logFile === 'string' &&
      // Folders removed at the end: absolute, and never a filesystem root.
      Array.isArray(parsed.cleanup) &&
      parsed.cleanup.every(
        (/** @type {unknown} */ folder) => typeof folder === 'string' && folder.startsWith('/') && folder.replace(/\/+$/, '') !== '',
      );
    return valid ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** @param {Config} settings */
function start(settings) {
  config = settings;
  name = settings.name ?? 'Keycloak';
  const log = openSync(settings.logFile, 'a');
  // The environment goes through spawn's env (readable by the owner only), never through argv.
  const child = spawn(settings.command, settings.args, {
    cwd: settings.cwd,
    env: settings.env,
    detached: true,
    stdio: ['ignore', log, log],
  });
  groupId = child.pid;
  if (groupId === undefined) {
    note(`could not start ${settings.command}`);
    emit({ event: 'exited', code: null, signal: null, error: `could not start ${settings.command}` });
    cleanupAndExit(1);
  } else {
    emit({ event: 'spawned', pid: groupId });
  }

  child.on('error', (error) => {
    note(`could not start ${settings.command}: ${error.message}`);
    emit({ event: 'exited', code: null, signal: null, error: error.message });
    void shutdown('spawn error', orphanGrace());
  });
  child.on('exit', (code, signal) => {
    if (!stopping) {
      note(`${name} exited by itself (code ${code}, signal ${signal})`);
      emit({ event: 'exited', code, signal });
      void shutdown(`${name} exited`, orphanGrace());
    }
  });
}

/**
 * Whether any process of the group still runs. A member whose parent died before it (`sh -c CMD`
 * runs CMD as its child) is reparented to init and stays a zombie until init reaps it, which some
 * inits do only every second or so; signal 0 still reaches a zombie, so on Linux the group's
 * members are read from /proc and zombies do not count.
 * @param {number} pid
 */
function groupAlive(pid) {
  try {
    process.kill(-pid, 0);
  } catch {
    return false;
  }
  let entries;
  try {
    entries = readdirSync('/proc');
  } catch {
    return true;
  }
  for (const entry of entries) {
    if (!/^[0-9]+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid pgrp …: comm may hold spaces and parentheses, so read after the last ')'.
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(pgrp) === pid && state !== 'Z') return true;
    } catch {
      // Gone between the listing and the read.
    }
  }
  return false;
}

/** @param {number} ms */
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** @param {number} pid @param {number} ms */
async function waitForGroupExit(pid, ms) {
  const deadline = Date.now() + ms;
  while (groupAlive(pid) && Date.now() < deadline) await sleep(50);
  return !groupAlive(pid);
}

/** @param {number} code */
function cleanupAndExit(code) {
  for (const folder of config?.cleanup ?? []) {
    try {
      rmSync(folder, { recursive: true, force: true });
    } catch (error) {
      note(`could not remove ${folder}: ${error instanceof Error ? error.message : error}`);
    }
  }
  emit({ event: 'stopped' });
  process.exit(code);
}

/**
 * @param {string} reason
 * @param {number} graceMs
 */
async function shutdown(reason, graceMs) {
  if (stopping) return;
  stopping = true;
  note(`stopping ${name}: ${reason}`);
  if (groupId !== undefined && groupAlive(groupId)) {
    try {
      process.kill(-groupId, 'SIGTERM');
    } catch {
      // Already gone between the check and the signal.
    }
    if (!(await waitForGroupExit(groupId, graceMs))) {
      note(`${name} did not stop in time: killing it`);
      try {
        process.kill(-groupId, 'SIGKILL');
      } catch {
        // Already gone.
      }
      await waitForGroupExit(groupId, 5_000);
    }
  }
  cleanupAndExit(0);
}

// Terminal signals belong to the process that started us; it stops us through stdin.
process.on('SIGINT', () => {});
process.on('SIGHUP', () => {});
const stopGrace = () => config?.graceMs ?? 10_000;
const orphanGrace = () => config?.orphanGraceMs ?? stopGrace();
process.on('SIGTERM', () => void shutdown('SIGTERM', stopGrace()));

let buffered = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  buffered += chunk;
  let newline;
  while ((newline = buffered.indexOf('\n')) >= 0) {
    const line = buffered.slice(0, newline);
    buffered = buffered.slice(newline + 1);
    if (config === undefined) {
      const settings = parseConfig(line);
      if (settings) {
        start(settings);
      } else {
        note('the configuration on stdin is not valid: nothing started');
        emit({ event: 'exited', code: null, signal: null, error: 'the kcbox supervisor received no valid configuration' });
        cleanupAndExit(2);
      }
      continue;
    }
    const command = line.trim();
    if (command === 'detach') {
      emit({ event: 'detached' });
      detached = true;
      note('detached: running until `kcbox down` or SIGTERM');
    } else if (command === 'stop') {
      void shutdown('stop requested', stopGrace());
    } else if (command === 'stop-soon') {
      void shutdown('stop requested (soon)', orphanGrace());
    }
  }
});
const onParentGone = () => {
  if (!detached) void shutdown(`the process that started ${name} is gone`, orphanGrace());
};
process.stdin.on('end', onParentGone);
process.stdin.on('close', onParentGone);
process.stdin.on('error', onParentGone);
// Belt and braces: if the pipe somehow stays open, a re-parented supervisor still notices.
setInterval(() => {
  if (process.ppid !== parentPid) onParentGone();
}, 1000).unref();
