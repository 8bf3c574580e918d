import pc from 'picocolors';
import { KcboxError, describeError } from '../../errors.js';
import { isSupervisor } from '../../process/supervised-process.js';
import { bundledRealmPath } from '../../realm/bundled.js';
import { parseRuntimeChoice, startKeycloak } from '../../runtime/start-keycloak.js';
import { readState, stateFilePath, writeState, clearState } from '../../runtime/state-file.js';
import { serverAnswers } from '../../runtime/server-status.js';
import type { KeycloakServer } from '../../runtime/types.js';
import type { CliOutput } from '../output.js';
import { terminalProgress } from '../progress-renderer.js';

export interface UpOptions {
  /** Realm files; commander sets false for --no-realm. */
  readonly realm: string[] | false;
  readonly runtime?: string;
  readonly keycloak?: string;
  readonly detach: boolean;
  readonly json: boolean;
  readonly showPassword: boolean;
  readonly timeout?: number;
  readonly tls?: boolean;
}

export function describeServer(server: KeycloakServer, options: { showPassword: boolean; stateFile?: string }) {
  const record = server.toRecord();
  return {
    url: server.url,
    adminConsoleUrl: `${server.url}/admin/master/console/`,
    managementUrl: server.managementUrl ?? null,
    caFile: server.caFile ?? null,
    realms: server.realms,
    runtime: server.runtime,
    version: server.version,
    pid: record.pid ?? null,
    supervisorPid: record.supervisorPid ?? null,
    containerId: record.containerId ?? null,
    logFile: server.logFile ?? null,
    adminUser: server.adminCredentials.username,
    ...(options.showPassword ? { adminPassword: server.adminCredentials.password } : {}),
    ...(options.stateFile ? { stateFile: options.stateFile } : {}),
  };
}

function printHuman(
  output: CliOutput,
  server: KeycloakServer,
  seconds: number,
  showPassword: boolean,
  detached: boolean,
  stateFile: string,
): void {
  const line = (label: string, value: string) => output.out(`  ${pc.dim(label.padEnd(14))} ${value}`);
  output.out(`${pc.green('✔')} Keycloak ${server.version} ready (${server.runtime}) in ${seconds.toFixed(1)} s`);
  line('URL', server.url);
  line('Admin console', `${server.url}/admin/master/console/`);
  line(
    'Admin user',
    `${server.adminCredentials.username} / ${showPassword ? server.adminCredentials.password : pc.dim(`hidden (--show-password, or ${stateFile})`)}`,
  );
  for (const realm of server.realms) line('Realm', `${realm}  ${pc.dim(`${server.url}/realms/${realm}`)}`);
  if (server.caFile) line('CA', `${server.caFile}  ${pc.dim('(trust it: NODE_EXTRA_CA_CERTS, SSL_CERT_FILE, REQUESTS_CA_BUNDLE)')}`);
  if (server.logFile) line('Log', server.logFile);
  output.out(detached ? `Running in the background: ${pc.bold('kcbox status')}, ${pc.bold('kcbox down')}.` : 'Press Ctrl-C to stop.');
}

const WATCH_INTERVAL_MS = 3_000;

/**
 * Resolves with the signal when SIGINT or SIGTERM arrives, or with 'gone' when the server stops
 * answering (it crashed, or `kcbox down` ran elsewhere), so a foreground `up` never waits on nothing.
 */
function untilStopRequested(server: KeycloakServer): Promise<string> {
  return new Promise((resolve) => {
    let misses = 0;
    const watch = setInterval(() => {
      void serverAnswers(server.toRecord()).then((answers) => {
        misses = answers ? 0 : misses + 1;
        if (misses >= 2) finish('gone');
      });
    }, WATCH_INTERVAL_MS);
    const finish = (reason: string) => {
      clearInterval(watch);
      resolve(reason);
    };
    process.once('SIGINT', () => finish('SIGINT'));
    process.once('SIGTERM', () => finish('SIGTERM'));
  });
}

export async function up(options: UpOptions, output: CliOutput): Promise<number> {
  const runtime = options.runtime === undefined ? undefined : parseRuntimeChoice(options.runtime, '--runtime');
  const stateFile = stateFilePath();
  const recorded = await readState(stateFile);
  const recordedRuns =
    recorded && ((await serverAnswers(recorded)) || (recorded.supervisorPid !== undefined && isSupervisor(recorded.supervisorPid)));
  if (recorded && recordedRuns) {
    throw new KcboxError(
      'ERR_KCBOX_SERVER_RUNNING',
      `A kcbox server already runs at ${recorded.url} (recorded in ${stateFile}). Use it, or stop it first with \`kcbox down\`.`,
    );
  }
  const progress = options.json ? { listener: () => {}, done: () => {} } : terminalProgress();
  const started = Date.now();
  let server: KeycloakServer;
  try {
    server = await startKeycloak({
      ...(runtime ? { runtime } : {}),
      ...(options.keycloak ? { version: options.keycloak } : {}),
      ...(options.timeout ? { startupTimeoutMs: options.timeout * 1000 } : {}),
      realms: options.realm === false ? [] : options.realm.length > 0 ? options.realm : [bundledRealmPath()],
      detached: options.detach,
      // It is recorded for `kcbox down`, which stops it with the usual grace: no cache could be written.
      recordAotCache: false,
      ...(options.tls ? { tls: true } : {}),
      onProgress: progress.listener,
    });
  } finally {
    progress.done();
  }
  try {
    await writeState(server.toRecord(), stateFile);
  } catch (error) {
    // An unrecorded detached server could not be found again: stop it rather than lose it.
    await server.stop();
    throw new KcboxError(
      'ERR_KCBOX_STATE',
      `Could not record the server in ${stateFile} (${describeError(error)}); it was stopped. Fix the folder's permissions or set KCBOX_STATE_FILE.`,
      { cause: error },
    );
  }
  const seconds = (Date.now() - started) / 1000;
  if (options.json) output.out(JSON.stringify(describeServer(server, { showPassword: options.showPassword, stateFile })));
  else printHuman(output, server, seconds, options.showPassword, options.detach, stateFile);
  if (options.detach) return 0;

  const reason = await untilStopRequested(server);
  if (reason === 'gone') {
    output.err(`kcbox: Keycloak at ${server.url} stopped answering${server.logFile ? `; see ${server.logFile}` : ''}.`);
    await server.stop();
    if ((await readState(stateFile))?.url === server.url) await clearState(stateFile);
    return 1;
  }
  if (!options.json) output.err(pc.dim(`${reason}: stopping Keycloak…`));
  // A second Ctrl-C while stopping exits at once; the watchdog still ends Keycloak.
  process.once('SIGINT', () => process.exit(130));
  await server.stop();
  await clearState(stateFile);
  return 0;
}
