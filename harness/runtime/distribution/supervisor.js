// @ts-check
/**
 * The watchdog between kcbox and a Keycloak JVM. It runs in its own session, starts Keycloak in
 * its own process group, and ends that whole group when:
 *   - its stdin reaches end-of-file (the process that started it exited, crashed or was killed
 *     with SIGKILL: the kernel closes the pipe in every case), unless it was told "detach";
 *   - it reads "stop" on stdin or receives SIGTERM (`kcbox down`);
 *   - Keycloak exits by itself.
 * Then it removes the server's private folders and exits. Plain JavaScript on purpose: it must
 * start in milliseconds with no loader, and it is the one piece that must not fail.
 *
 * argv[2]: JSON {command, args, env, cwd, logFile, cleanup: string[], graceMs, name?}
 * stdout: JSON lines {event: "spawned", pid} | {event: "exited", code, signal} | {event: "stopped"}
 */
import { spawn } from 'node:child_process';
import { appendFileSync, openSync, rmSync } from 'node:fs';

/** @type {{command: string, args: string[], env: Record<string, string>, cwd: string, logFile: string, cleanup: string[], graceMs: number, name?: string}} */
const config = JSON.parse(process.argv[2] ?? '{}');
/** What the notes call the supervised process. */
const name = config.name ?? 'Keycloak';
const parentPid = process.ppid;
let detached = false;
let stopping = false;

/** @param {string} message */
function note(message) {
  try {
    appendFileSync(config.logFile, `[kcbox-supervisor ${new Date().toISOString()}] ${message}\n`);
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

const log = openSync(config.logFile, 'a');
const child = spawn(config.command, config.args, {
  cwd: config.cwd,
  env: config.env,
  detached: true,
  stdio: ['ignore', log, log],
});
const groupId = child.pid;
if (groupId === undefined) {
  note(`could not start ${config.command}`);
  emit({ event: 'exited', code: null, signal: null, error: `could not start ${config.command}` });
  cleanupAndExit(1);
} else {
  emit({ event: 'spawned', pid: groupId });
}

child.on('error', (error) => {
  note(`could not start ${config.command}: ${error.message}`);
  emit({ event: 'exited', code: null, signal: null, error: error.message });
  void shutdown('spawn error');
});
child.on('exit', (code, signal) => {
  if (!stopping) {
    note(`${name} exited by itself (code ${code}, signal ${signal})`);
    emit({ event: 'exited', code, signal });
    void shutdown(`${name} exited`);
  }
});

/** @param {number} pid */
function groupAlive(pid) {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
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
  for (const folder of config.cleanup ?? []) {
    try {
      rmSync(folder, { recursive: true, force: true });
    } catch (error) {
      note(`could not remove ${folder}: ${error instanceof Error ? error.message : error}`);
    }
  }
  emit({ event: 'stopped' });
  process.exit(code);
}

/** @param {string} reason */
async function shutdown(reason) {
  if (stopping) return;
  stopping = true;
  note(`stopping ${name}: ${reason}`);
  if (groupId !== undefined && groupAlive(groupId)) {
    try {
      process.kill(-groupId, 'SIGTERM');
    } catch {
      // Already gone between the check and the signal.
    }
    if (!(await waitForGroupExit(groupId, config.graceMs ?? 10_000))) {
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
process.on('SIGTERM', () => void shutdown('SIGTERM'));

let buffered = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  buffered += chunk;
  let newline;
  while ((newline = buffered.indexOf('\n')) >= 0) {
    const command = buffered.slice(0, newline).trim();
    buffered = buffered.slice(newline + 1);
    if (command === 'detach') {
      emit({ event: 'detached' });
      detached = true;
      note('detached: running until `kcbox down` or SIGTERM');
    } else if (command === 'stop') {
      void shutdown('stop requested');
    }
  }
});
const onParentGone = () => {
  if (!detached) void shutdown(`the process that started ${name} is gone`);
};
process.stdin.on('end', onParentGone);
process.stdin.on('close', onParentGone);
process.stdin.on('error', onParentGone);
// Belt and braces: if the pipe somehow stays open, a re-parented supervisor still notices.
setInterval(() => {
  if (process.ppid !== parentPid) onParentGone();
}, 1000).unref();
