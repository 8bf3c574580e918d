import { resolve } from 'node:path';
import pc from 'picocolors';
import { checkMatrix } from '../../check/check-matrix.js';
import { checkExitCode } from '../../check/exit-code.js';
import { KcboxError, describeError } from '../../errors.js';
import type { HostileOptions } from '../../hostile/result-types.js';
import { validateHostileOptions } from '../../hostile/run-hostile.js';
import type { Severity } from '../../hostile/types.js';
import { loadMatrixSpec } from '../../matrix/spec-load.js';
import type { MatrixSpec } from '../../matrix/types.js';
import { openApiCoverage } from '../../openapi/coverage.js';
import { loadRealm } from '../../realm/realm-input.js';
import { parseReportTargets, renderMatrixJson, renderMatrixText, writeReports } from '../../report/index.js';
import { preflightReportTargets } from '../../report/report-folders.js';
import { appendStepSummary } from '../../report/step-summary.js';
import type { KeycloakConnection } from '../../runtime/connection.js';
import { serverAnswers } from '../../runtime/server-status.js';
import { readState, stateFilePath } from '../../runtime/state-file.js';
import type { CliOutput } from '../output.js';
import { cliServer } from '../server-connection.js';

export interface CheckOptions {
  readonly matrix: string;
  /** The coverage gate's OpenAPI document; replaces the matrix's `openapi.file`, keeping its skips. */
  readonly openapi?: string;
  readonly backend?: string;
  readonly report: string[];
  readonly concurrency?: number;
  readonly showTokens: boolean;
  readonly json: boolean;
  readonly runtime?: string;
  readonly keycloak?: string;
  /** Commander: true by default, false for --no-hostile, the ids for --hostile IDS. */
  readonly hostile: boolean | string;
  readonly failOn?: Severity;
  readonly hostileSample: boolean;
  /** Every advisory finding on its own in the terminal. */
  readonly verbose: boolean;
}

function hostileOptions(options: CheckOptions): HostileOptions | false {
  if (options.hostile === false) return false;
  const cases =
    typeof options.hostile === 'string'
      ? options.hostile
          .split(',')
          .map((id) => id.trim())
          .filter(Boolean)
      : undefined;
  const chosen: HostileOptions = { cases, failOn: options.failOn, sample: options.hostileSample };
  validateHostileOptions(chosen);
  return chosen;
}

function withOpenApi(spec: MatrixSpec, file: string | undefined): MatrixSpec {
  if (file === undefined) return spec;
  return {
    ...spec,
    openapi: { file: resolve(file), basePath: spec.openapi?.basePath, skip: spec.openapi?.skip ?? [], source: spec.openapi?.source },
  };
}

/** The KCBOX_URL or recorded server when one answers; undefined means "start one for this check". */
async function runningServer(output: CliOutput): Promise<KeycloakConnection | undefined> {
  // An explicit KCBOX_URL wins over whatever the state file remembers.
  if (process.env.KCBOX_URL) return (await cliServer()).connection();
  const stateFile = stateFilePath();
  const record = await readState(stateFile);
  if (record && !(await serverAnswers(record))) {
    output.err(pc.dim(`kcbox: the server recorded in ${stateFile} (${record.url}) does not answer; starting a new one for this check.`));
    return undefined;
  }
  if (!record) return undefined;
  return (await cliServer()).connection();
}

/**
 * Exit 0 when the backend enforces the matrix and refuses hostile tokens, 1 on any mismatch or
 * finding at the threshold, 2 on bad input, 130 when interrupted. The result is printed before any
 * report is written, so a report path that cannot be written never throws away a finished run.
 */
export async function check(options: CheckOptions, output: CliOutput): Promise<number> {
  // Bad flags and a bad spec fail before anything starts.
  const targets = parseReportTargets(options.report);
  await preflightReportTargets(targets);
  const hostile = hostileOptions(options);
  const spec = withOpenApi(await loadMatrixSpec(options.matrix), options.openapi);
  // A bad OpenAPI document or skip fails now, and so does the gate's answer before anything starts.
  const coverage = await openApiCoverage({ ...spec, backend: { ...spec.backend, url: options.backend ?? spec.backend.url } });
  // A broken realm file fails now, not after an ephemeral Keycloak has started.
  if (spec.keycloak.realmFile) await loadRealm(spec.keycloak.realmFile);
  // The runtimes and the per-version run load only when asked for: a check against a running server
  // (the usual case) starts ~50 ms sooner without them.
  const runtime =
    options.runtime === undefined
      ? undefined
      : (await import('../../runtime/start-keycloak.js')).parseRuntimeChoice(options.runtime, '--runtime');
  const versions =
    options.keycloak === undefined
      ? []
      : (await import('../../check/check-versions.js')).parseKeycloakVersions(options.keycloak, '--keycloak');
  const step = (message: string) => {
    if (!options.json) output.err(pc.dim(`• ${message}`));
  };

  // Ctrl-C or a cancelled CI job: finish the current step, then undo everything (realms, backend, server).
  const abort = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    output.err(`kcbox: ${signal}: cleaning up (realms, backend, server)… a second ${signal} exits at once.`);
    abort.abort(new KcboxError('ERR_KCBOX_INTERRUPTED', `Interrupted by ${signal}; everything the check created was removed.`));
    process.once(signal, () => process.exit(130));
  };
  let stopServer: (() => Promise<void>) | undefined;
  try {
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    if (versions.length > 1) {
      step(`checking against Keycloak ${versions.join(', ')}, each on its own ephemeral server`);
      const [
        { checkMatrixVersions },
        { renderVersionsJson, renderVersionsSummary, renderVersionsText, writeVersionReports },
        { terminalProgress },
      ] = await Promise.all([
        import('../../check/check-versions.js'),
        import('../../report/versions-report.js'),
        import('../progress-renderer.js'),
      ]);
      const progress = options.json ? { listener: () => {}, done: () => {} } : terminalProgress();
      let runs;
      try {
        runs = await checkMatrixVersions({
          spec,
          versions,
          runtime,
          onProgress: progress.listener,
          backendUrl: options.backend,
          concurrency: options.concurrency,
          showTokens: options.showTokens,
          hostile,
          signal: abort.signal,
          onStep: step,
        });
      } finally {
        progress.done();
      }
      output.out(
        options.json ? renderVersionsJson(runs) : renderVersionsText(runs, { color: pc.isColorSupported, verbose: options.verbose }),
      );
      const summary = await appendStepSummary(() => renderVersionsSummary(runs), targets).catch((error: unknown) =>
        output.err(`kcbox: ${describeError(error)}`),
      );
      if (summary) step(`job summary appended: ${summary}`);
      for (const file of await writeVersionReports(runs, targets)) step(`report written: ${file}`);
      return checkExitCode(runs.map((run) => run.result));
    }
    let server = await runningServer(output);
    if (!server && spec.keycloak.realm) {
      throw new KcboxError(
        'ERR_KCBOX_NO_SERVER',
        `${options.matrix}: keycloak.realmName "${spec.keycloak.realm}" needs a running server that has it: start one with \`kcbox up --detach --realm FILE\` or set KCBOX_URL.`,
      );
    }
    if (!server) {
      step('starting an ephemeral Keycloak (no running kcbox server; `kcbox up --detach` keeps one between checks)');
      const [{ startKeycloak }, { terminalProgress }] = await Promise.all([
        import('../../runtime/start-keycloak.js'),
        import('../progress-renderer.js'),
      ]);
      const progress = options.json ? { listener: () => {}, done: () => {} } : terminalProgress();
      try {
        const started = await startKeycloak({
          ...(runtime ? { runtime } : {}),
          ...(versions[0] ? { version: versions[0] } : {}),
          realms: [],
          ...(spec.keycloak.tls ? { tls: true } : {}),
          onProgress: progress.listener,
        });
        server = started;
        stopServer = () => started.stop();
      } finally {
        progress.done();
      }
      abort.signal.throwIfAborted();
    }
    const result = await checkMatrix({
      spec,
      server,
      backendUrl: options.backend,
      concurrency: options.concurrency,
      showTokens: options.showTokens,
      hostile,
      coverage,
      signal: abort.signal,
      onStep: step,
    });
    output.out(
      options.json ? renderMatrixJson(result) : renderMatrixText(result, { color: pc.isColorSupported, verbose: options.verbose }),
    );
    // In a GitHub Actions step the job page gets a short summary, even when a report cannot be written.
    const summary = await appendStepSummary(result, targets).catch((error: unknown) => output.err(`kcbox: ${describeError(error)}`));
    if (summary) step(`job summary appended: ${summary}`);
    for (const file of await writeReports(result, targets)) step(`report written: ${file}`);
    return checkExitCode(result);
  } finally {
    await stopServer?.();
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
}
