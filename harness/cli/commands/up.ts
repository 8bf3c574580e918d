import pc from 'picocolors';
import { KcboxError } from '../../errors.js';
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
}

export function describeServer(server: KeycloakServer, options: { showPassword: boolean; stateFile?: string }) {
  const record = server.toRecord();
  return {
    url: server.url,
    adminConsoleUrl: `${server.url}/admin/master/console/`,
    managementUrl: server.managementUrl ?? null,
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

function printHuman(output: CliOutput, server: KeycloakServer, seconds: number, showPassword: boolean, detached: boolean, stateFile: string): void {
  const line = (label: string, value: string) => output.out(`  ${pc.dim(label.padEnd(14))} ${value}`);
  output.out(`${pc.green('✔')} Keycloak ${server.version} ready (${server.runtime}) in ${seconds.toFixed(1)} s`);
  line('URL', server.url);
  line('Admin console', `${server.url}/admin/master/console/`);
  line('Admin user', `${server.adminCredentials.username} / ${showPassword ? server.adminCredentials.password : pc.dim(`hidden (--show-password, or ${stateFile})`)}`);
  for (const realm of server.realms) line('Realm', `${realm}  ${pc.dim(`${server.url}/realms/${realm}`)}`);
  if (server.logFile) line('Log', server.logFile);
  output.out(detached ? `Running in the background: ${pc.bold('kcbox status')}, ${pc.bold('kcbox down')}.` : 'Press Ctrl-C to stop.');
}

/** Resolves when SIGINT or SIGTERM arrives, or the server stops answering for good. */
function untilStopRequested(): Promise<string> {
  return new Promise((resolve) => {
    // Signal handlers alone do not keep Node running.
    const keepAlive = setInterval(() => {}, 1 << 30);
    const finish = (signal: string) => {
      clearInterval(keepAlive);
      resolve(signal);
    };
    process.once('SIGINT', () => finish('SIGINT'));
    process.once('SIGTERM', () => finish('SIGTERM'));
  });
}

export async function up(options: UpOptions, output: CliOutput): Promise<number> {
  const runtime = options.runtime === undefined ? undefined : parseRuntimeChoice(options.runtime, '--runtime');
  const stateFile = stateFilePath();
  const recorded = await readState(stateFile);
  if (recorded && (await serverAnswers(recorded))) {
    throw new KcboxError('ERR_KCBOX_USAGE', `A kcbox server already runs at ${recorded.url} (recorded in ${stateFile}). Use it, or stop it first with \`kcbox down\`.`);
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
      onProgress: progress.listener,
    });
  } finally {
    progress.done();
  }
  await writeState(server.toRecord(), stateFile);
  const seconds = (Date.now() - started) / 1000;
  if (options.json) output.out(JSON.stringify(describeServer(server, { showPassword: options.showPassword, stateFile })));
  else printHuman(output, server, seconds, options.showPassword, options.detach, stateFile);
  if (options.detach) return 0;

  const signal = await untilStopRequested();
  if (!options.json) output.err(pc.dim(`${signal}: stopping Keycloak…`));
  // A second Ctrl-C while stopping exits at once; the watchdog still ends Keycloak.
  process.once('SIGINT', () => process.exit(130));
  await server.stop();
  await clearState(stateFile);
  return 0;
}
