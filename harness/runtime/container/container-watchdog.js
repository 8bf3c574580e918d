// @ts-check
/**
 * The watchdog of a Keycloak container: the container runtime's counterpart of supervisor.js.
 * It runs in its own session and removes the container (kill and delete, through the engine API)
 * when:
 *   - its stdin reaches end-of-file: the process that started it exited, crashed or was killed with
 *     SIGKILL (the kernel closes the pipe in every case), unless it was told "detach" or "release";
 *   - it receives SIGTERM.
 * Then it exits. Plain JavaScript with Node's own http module: it must start in milliseconds and
 * must not fail.
 *
 * argv: only a marker. stdin, first line: JSON {endpoint, containerId}, the engine as
 *   "unix:///path" or "tcp://host:port". stdin, later lines:
 *   "detach"  – the container outlives its starter (`kcbox up --detach`): exit, leave it;
 *   "release" – the starter removed the container itself: exit.
 * stdout: JSON lines {event: "watching"} | {event: "detached"} | {event: "released"} | {event: "removed"}
 * stderr: notes, into the log file the starter opened.
 */
import { request } from 'node:http';

/** @typedef {{endpoint: string, containerId: string}} Config */

/** @type {Config | undefined} */
let config;
const parentPid = process.ppid;
let finished = false;

/** @param {string} message */
function note(message) {
  try {
    process.stderr.write(`[kcbox-container-watchdog ${new Date().toISOString()}] ${message}\n`);
  } catch {
    // Nowhere left to tell.
  }
}

/** @param {Record<string, unknown>} event @returns {Promise<void>} */
function emit(event) {
  return new Promise((resolve) => {
    try {
      process.stdout.write(`${JSON.stringify(event)}\n`, () => resolve());
    } catch {
      resolve();
    }
  });
}
process.stdout.on('error', () => {});

/** @param {string} line @returns {Config | undefined} */
function parseConfig(line) {
  try {
    const parsed = JSON.parse(line);
    const valid =
      parsed !== null &&
      typeof parsed === 'object' &&
      typeof parsed.endpoint === 'string' &&
      /^(unix|tcp):\/\//.test(parsed.endpoint) &&
      typeof parsed.containerId === 'string' &&
      /^[0-9a-f]{12,64}$/.test(parsed.containerId);
    return valid ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/**
 * DELETE /containers/{id}?force=1&v=1: the status code, or an error when the engine cannot be reached.
 * @param {Config} settings @returns {Promise<number>}
 */
function removeContainer(settings) {
  const target = settings.endpoint.startsWith('unix://')
    ? { socketPath: settings.endpoint.slice('unix://'.length) }
    : {
        host: new URL(settings.endpoint.replace(/^tcp:\/\//, 'http://')).hostname,
        port: Number(new URL(settings.endpoint.replace(/^tcp:\/\//, 'http://')).port || 2375),
      };
  return new Promise((resolve, reject) => {
    const call = request(
      { ...target, method: 'DELETE', path: `/containers/${settings.containerId}?force=1&v=1`, timeout: 30_000 },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      },
    );
    call.on('timeout', () => call.destroy(new Error('the engine did not answer within 30 s')));
    call.on('error', reject);
    call.end();
  });
}

/** @param {number} ms */
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** @param {string} reason */
async function removeAndExit(reason) {
  if (finished) return;
  finished = true;
  if (!config) process.exit(0);
  note(`removing container ${config.containerId.slice(0, 12)}: ${reason}`);
  // The engine may be busy (many containers ending at once): a few tries before giving up to the
  // next start, which removes containers whose starter is gone.
  for (let attempt = 1; attempt <= 5; attempt++) {
    try {
      const status = await removeContainer(config);
      if (status === 204 || status === 404) {
        await emit({ event: 'removed' });
        process.exit(0);
      }
      note(`the engine answered ${status} to the removal (attempt ${attempt})`);
    } catch (error) {
      note(`the engine could not be reached (attempt ${attempt}): ${error instanceof Error ? error.message : error}`);
    }
    await sleep(1_000 * attempt);
  }
  note(`container ${config.containerId.slice(0, 12)} was not removed; the next kcbox start removes it`);
  process.exit(1);
}

/** @param {'detached' | 'released'} event @param {string} message */
async function leave(event, message) {
  if (finished) return;
  finished = true;
  await emit({ event });
  if (event === 'detached') note(message);
  process.exit(0);
}

// Terminal signals belong to the process that started us; it stops the container itself.
process.on('SIGINT', () => {});
process.on('SIGHUP', () => {});
process.on('SIGTERM', () => void removeAndExit('SIGTERM'));

let buffered = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  buffered += chunk;
  let newline;
  while ((newline = buffered.indexOf('\n')) >= 0) {
    const line = buffered.slice(0, newline);
    buffered = buffered.slice(newline + 1);
    if (config === undefined) {
      config = parseConfig(line);
      if (!config) {
        note('the configuration on stdin is not valid: nothing to watch');
        process.exit(2);
      }
      void emit({ event: 'watching' });
      continue;
    }
    const command = line.trim();
    if (command === 'detach') void leave('detached', `detached: container ${config.containerId.slice(0, 12)} runs until \`kcbox down\``);
    else if (command === 'release') void leave('released', '');
  }
});
const onParentGone = () => void removeAndExit('the process that started it is gone');
process.stdin.on('end', onParentGone);
process.stdin.on('close', onParentGone);
process.stdin.on('error', onParentGone);
// Belt and braces: if the pipe somehow stays open, a re-parented watchdog still notices.
setInterval(() => {
  if (process.ppid !== parentPid) onParentGone();
}, 1000).unref();
