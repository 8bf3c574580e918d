import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import getPort from 'get-port';
import { request } from 'undici';
import { KcboxError, describeError } from '../errors.js';
import { tailLines } from '../runtime/log-tail.js';
import { type ReadinessCheck, ReadinessTimeout, waitForReadiness } from '../runtime/readiness.js';
import { type ProcessExit, startSupervised } from '../process/supervised-process.js';
import type { MatrixBackend } from './types.js';
import type { BackendCaEnv } from '../tls/backend-trust.js';

/** What kcbox tells a backend about the realm it must trust. */
export interface BackendKeycloakEnv {
  readonly KEYCLOAK_URL: string;
  readonly KEYCLOAK_REALM: string;
  readonly KEYCLOAK_ISSUER: string;
  readonly KEYCLOAK_CLIENT_ID: string;
  readonly KEYCLOAK_CLIENT_SECRET: string;
  readonly KEYCLOAK_PUBLIC_KEY: string;
}

/** {@link BackendKeycloakEnv}, plus the CA variables when Keycloak serves https with a private CA. */
export type BackendEnv = BackendKeycloakEnv & Partial<BackendCaEnv>;

/** A backend kcbox started; it cannot outlive the kcbox process (the same watchdog as Keycloak's). */
export interface StartedBackend extends AsyncDisposable {
  readonly url: string;
  readonly port: number;
  /** The last lines the backend printed (stdout and stderr). */
  output(lines?: number): Promise<string>;
  /** How it ended, when it exited on its own before `stop()`: e.g. `code 1`; undefined while it runs. */
  exitedEarly(): string | undefined;
  /** Ends its process group; idempotent. */
  stop(): Promise<void>;
}

const OUTPUT_LINES = 100;
const STOP_GRACE_MS = 5_000;
/**
 * A refused connection costs next to nothing, and the backend's start is on the check's critical
 * path: the default 200 ms between probes wasted 100 ms on average after the backend was ready.
 */
const READY_PROBE_INTERVAL_MS = 20;

/** A backend is ready once its readiness path answers below 500 (a 401 from a protected path will do). */
export function answersBelow500(url: string): ReadinessCheck {
  return {
    description: `${url} answers below 500`,
    async probe() {
      try {
        const response = await request(url, { headersTimeout: 2_000, bodyTimeout: 2_000 });
        await response.body.dump();
        return response.statusCode < 500 ? undefined : `HTTP ${response.statusCode}`;
      } catch (error) {
        return describeError(error);
      }
    },
  };
}

/** The process environment a backend inherits, less kcbox's own and Keycloak's settings. */
function inheritedEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined && !/^(KCBOX_|KC_|KEYCLOAK_)/.test(entry[0])),
  );
}

/**
 * Starts the spec's backend command with the realm's coordinates and a free `PORT` in its env,
 * and waits until its readiness path answers. On failure it is stopped and the error carries
 * its last output.
 */
export async function startBackend(
  backend: MatrixBackend & { command: string },
  keycloak: BackendEnv,
  env: NodeJS.ProcessEnv = process.env,
): Promise<StartedBackend> {
  const port = await getPort({ host: '127.0.0.1' });
  const url = backend.url.replaceAll('${PORT}', String(port));
  const folder = await mkdtemp(join(tmpdir(), 'kcbox-backend-'));
  const logFile = join(folder, 'backend.log');
  const output = async (lines = OUTPUT_LINES) => (await tailLines(logFile, lines)).join('\n');
  let process;
  try {
    process = await startSupervised({
      command: '/bin/sh',
      args: ['-c', backend.command],
      env: { ...inheritedEnv(env), ...backend.env, ...keycloak, PORT: String(port) },
      cwd: backend.cwd,
      logFile,
      cleanup: [],
      graceMs: STOP_GRACE_MS,
      name: 'the backend',
    });
  } catch (error) {
    await rm(folder, { recursive: true, force: true });
    throw new KcboxError(
      'ERR_KCBOX_BACKEND',
      `Could not start the backend \`${backend.command}\` in ${backend.cwd}: ${describeError(error)}.`,
      { cause: error },
    );
  }
  let stopping: Promise<void> | undefined;
  let lastOutput = '';
  const stop = () =>
    (stopping ??= (async () => {
      await process.stop();
      lastOutput = await output();
      await rm(folder, { recursive: true, force: true });
    })());
  let earlyExit: string | undefined;
  const describeExit = (exit: ProcessExit) => `code ${exit.code}, signal ${exit.signal}${exit.error ? `, ${exit.error}` : ''}`;
  void process.exited.then((exit) => {
    if (!stopping) earlyExit = describeExit(exit);
  });
  const exitedEarly = process.exited.then((exit) => {
    throw new Error(`it exited (${describeExit(exit)})`);
  });
  try {
    await waitForReadiness([answersBelow500(`${url}${backend.readyPath}`)], {
      timeoutMs: backend.readyTimeoutMs,
      intervalMs: READY_PROBE_INTERVAL_MS,
      abort: exitedEarly,
    });
  } catch (error) {
    const reason = error instanceof ReadinessTimeout ? error.message : `it stopped before it was ready: ${describeError(error)}`;
    const tail = await output(40);
    await stop();
    throw new KcboxError(
      'ERR_KCBOX_BACKEND',
      `The backend \`${backend.command}\` (in ${backend.cwd}, PORT=${port}) is not ready: ${reason}.\n` +
        `Check backend.command, backend.ready and backend.readyTimeout in the matrix file.\n` +
        (tail ? `Its last output:\n${tail}` : 'It printed nothing.'),
      { cause: error },
    );
  }
  return {
    url,
    port,
    output: async (lines) => (stopping ? lastOutput : output(lines)),
    exitedEarly: () => earlyExit,
    stop,
    [Symbol.asyncDispose]: stop,
  };
}
