import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import getPort from 'get-port';
import createDebug from 'debug';
import { KcboxError, KeycloakStartError, describeError } from '../../errors.js';
import { type LoadedRealm, loadRealms, realmFilesOf } from '../../realm/realm-input.js';
import { generateAdminCredentials } from '../admin-password.js';
import { tailLines } from '../log-tail.js';
import { ignoreProgress } from '../progress.js';
import { ReadinessTimeout, adminLoginAccepted, assertRealmsServed, healthReady, waitForReadiness } from '../readiness.js';
import { serverHandle } from '../server-handle.js';
import type { KeycloakServer, ServerRecord, StartKeycloakOptions } from '../types.js';
import { type CacheLayout, cacheLayout, cacheRoot } from './cache.js';
import { type CacheDamageSign, cacheDamageSign } from './cache-damage.js';
import { SHORT_LIVED_JVM, discardDamagedInstallation, ensureInstallation, versionOfDistribution } from './install.js';
import { createServerHome } from './server-home.js';
import { type DatabaseTemplate, discardDatabaseTemplate, ensureDatabaseTemplate } from './database-template.js';
import type { AdminCredentials } from '../admin-login.js';
import { type JavaInstallation, chooseJava, findJavaInstallations } from './java.js';
import { keycloakProcessEnv } from './process-env.js';
import {
  type AotCacheFiles,
  type AotRecording,
  aotCacheFiles,
  aotCacheState,
  aotCacheSupported,
  aotCacheUseOptions,
  aotTrainingUnderWay,
  claimAotTraining,
  refuseAotCache,
} from './aot-cache.js';
import { bundledRealmPath } from '../../realm/bundled.js';
import { ensureLocalTls } from '../../tls/local-ca.js';
import { trustCertificateAuthority } from '../../tls/trust.js';
import { type ProcessExit, startSupervised } from '../../process/supervised-process.js';
import {
  DEFAULT_KEYCLOAK_VERSION,
  type KeycloakVersion,
  javaRequirementFor,
  parseKeycloakVersion,
  supportsShutdownDelay,
} from './versions.js';

const debug = createDebug('kcbox:dist');
const DEFAULT_STARTUP_TIMEOUT_MS = 180_000;
const STOP_GRACE_MS = 10_000;
/** A training JVM writes its AOT cache (~180 MB) after the signal: ~22 s on two quiet cores, more under load. */
const TRAINING_STOP_GRACE_MS = 180_000;
const KEPT_LOGS = 30;

/** Build options every kcbox server needs; the augmentation is cached per set. */
export function distributionBuildArgs(options: Pick<StartKeycloakOptions, 'features'>): string[] {
  // A file database, so an initialised copy (schema, master realm, admin) can seed every start.
  const args = ['--db=dev-file', '--health-enabled=true'];
  if (options.features && options.features.length > 0) args.push(`--features=${[...options.features].sort().join(',')}`);
  return args;
}

export interface LaunchPlan {
  readonly version: KeycloakVersion;
  /** The port Keycloak serves on: https when `tls` is given, else http. */
  readonly httpPort: number;
  /** Serve https only, with this certificate and key (PEM files). */
  readonly tls?: ServerTlsFiles | undefined;
  readonly managementPort: number;
  readonly importRealms: boolean;
  readonly serverOptions: Readonly<Record<string, string>>;
}

/** A certificate and its key (PEM files), as the server sees them. */
export interface ServerTlsFiles {
  readonly certificateFile: string;
  readonly keyFile: string;
}

/**
 * How Keycloak listens on `port`: https only with `tls`, else plain http. Runtime options (not
 * build options), shared by the dist and container runtimes so both serve https alike.
 */
export function listenArgs(port: number, tls: ServerTlsFiles | undefined): string[] {
  return tls
    ? [
        // https only: a backend that is handed the https URL must not be able to fall back to http.
        '--http-enabled=false',
        `--https-port=${port}`,
        `--https-certificate-file=${tls.certificateFile}`,
        `--https-certificate-key-file=${tls.keyFile}`,
      ]
    : ['--http-enabled=true', `--http-port=${port}`];
}

/** The `kc.sh start` arguments; pure, so every flag is unit-tested. */
export function distributionStartArgs(plan: LaunchPlan): string[] {
  const args = [
    'start',
    '--optimized',
    ...listenArgs(plan.httpPort, plan.tls),
    // Loopback only (http and https alike): a test server must not be reachable from the network.
    '--http-host=127.0.0.1',
    // The management interface inherits the TLS setup: health answers over https then.
    `--http-management-port=${plan.managementPort}`,
    '--hostname-strict=false',
    // Production mode defaults to a JGroups cluster that binds every interface and looks for peers.
    '--cache=local',
  ];
  if (plan.importRealms) args.push('--import-realm');
  if (supportsShutdownDelay(plan.version)) args.push('--shutdown-delay=0s', '--shutdown-timeout=1s');
  // Readiness polling would otherwise fill the log (and the tail in errors) with health reports.
  const serverOptions = { 'log-level': 'info,io.smallrye.health:warn', ...plan.serverOptions };
  for (const [name, value] of Object.entries(serverOptions)) args.push(`--${name}=${value}`);
  return args;
}

/** Keycloak's own error lines, stripped of timestamps, so the reason leads the message. */
export function keycloakErrors(logTail: readonly string[]): string[] {
  const messages = logTail
    .filter((line) => /\sERROR\s/.test(line))
    .map((line) =>
      line
        .replace(/^.*?\sERROR\s+\[[^\]]*\]\s+\([^)]*\)\s+/, '')
        .replace(/^ERROR:\s*/, '')
        .trim(),
    )
    .filter((message) => message && !message.startsWith('For more details run'));
  return [...new Set(messages)].slice(0, 5);
}

/**
 * JVM settings for test servers (kc.sh reads it): a bounded heap instead of 70 % of the machine.
 * The C1-only compiler was tried and dropped: it starts ~2 s sooner but makes every realm import
 * two to three times slower (bench/README.md). `env` in the start options overrides it.
 */
export const TEST_JVM: Readonly<Record<string, string>> = {
  JAVA_OPTS_KC_HEAP: '-Xms64m -Xmx512m',
};

/**
 * What a start does with the JDK's AOT cache (aot-cache.ts): `off` (Java before 25, `KCBOX_AOT_CACHE=0`,
 * or the caller sets its own `JAVA_OPTS_APPEND`), `use` one when it exists, or `train`: use it, and
 * when there is none, record one during this run, written when the server stops.
 */
export type AotPolicy = 'off' | 'use' | 'train';

export function aotPolicy(input: {
  readonly java: JavaInstallation;
  readonly env: Readonly<Record<string, string>> | undefined;
  readonly cacheFolder: string;
  /** A server another process stops (`kcbox down`) cannot keep what its JVM writes at exit. */
  readonly detached: boolean;
  /** This call made the database template: the first run after a build is not slowed down further. */
  readonly firstRunAfterBuild: boolean;
  readonly processEnv?: NodeJS.ProcessEnv;
}): AotPolicy {
  if (!aotCacheSupported(input.java, input.processEnv)) return 'off';
  // The caller's JVM options win; kc.sh splits JAVA_OPTS_APPEND on spaces, so a path with one cannot be passed.
  if (input.env?.JAVA_OPTS_APPEND !== undefined || /\s/.test(input.cacheFolder)) return 'off';
  return input.detached || input.firstRunAfterBuild ? 'use' : 'train';
}

interface AotPlan {
  readonly env: Readonly<Record<string, string>>;
  readonly recording?: AotRecording | undefined;
  /** Set when this start maps the cache: a start it breaks is tried again without it. */
  readonly usedCache?: AotCacheFiles | undefined;
}

async function planAot(policy: AotPolicy, installHome: string, java: JavaInstallation): Promise<AotPlan> {
  if (policy === 'off') return { env: {} };
  const files = aotCacheFiles(installHome, java);
  const found = await aotCacheState(files);
  if (found.state === 'ready') return { env: { JAVA_OPTS_APPEND: aotCacheUseOptions(found.cache).join(' ') }, usedCache: files };
  if (found.state === 'refused') return { env: {} };
  const recording = policy === 'train' ? await claimAotTraining(files, java) : undefined;
  return recording ? { env: { JAVA_OPTS_APPEND: recording.jvmOptions.join(' ') }, recording } : { env: {} };
}

/** The environment for Keycloak: the caller's, minus inherited Keycloak settings that would change the server. */
export function distributionEnv(
  inherited: NodeJS.ProcessEnv,
  java: JavaInstallation,
  admin: { username: string; password: string },
  extra: Readonly<Record<string, string>> = {},
): Record<string, string> {
  return {
    ...keycloakProcessEnv(inherited, java),
    ...TEST_JVM,
    ...extra,
    KC_BOOTSTRAP_ADMIN_USERNAME: admin.username,
    KC_BOOTSTRAP_ADMIN_PASSWORD: admin.password,
  };
}

class PortConflict extends Error {}

async function pruneLogs(folder: string): Promise<void> {
  const entries = await readdir(folder).catch(() => [] as string[]);
  // Another start may prune the same files at the same moment: a vanished file is no error.
  const logs = await Promise.all(
    entries
      .filter((name) => name.endsWith('.log'))
      .map(async (name) => ({ name, mtime: (await stat(join(folder, name)).catch(() => undefined))?.mtimeMs ?? 0 })),
  );
  const old = logs.sort((a, b) => b.mtime - a.mtime).slice(KEPT_LOGS);
  await Promise.all(old.map((log) => rm(join(folder, log.name), { force: true }).catch(() => {})));
}

function describeExit(exit: ProcessExit): string {
  if (exit.error) return `could not be started (${exit.error})`;
  return exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
}

/** A distribution ready to start: obtained, built, with the Java that runs it. */
export interface PreparedDistribution {
  readonly version: KeycloakVersion;
  readonly java: JavaInstallation;
  readonly installHome: string;
  readonly logFolder: string;
  /** The initialised database every start copies. */
  readonly template: DatabaseTemplate;
}

type PrepareOptions = Pick<
  StartKeycloakOptions,
  'version' | 'distribution' | 'javaHome' | 'cacheDir' | 'features' | 'onProgress' | 'startupTimeoutMs' | 'serverOptions' | 'env'
>;

/** A built installation (verified against its manifest), and what it was chosen with. */
interface Installation {
  readonly version: KeycloakVersion;
  readonly java: JavaInstallation;
  readonly layout: CacheLayout;
  readonly installHome: string;
  /** KCBOX_DIST, when the distribution does not come from the cache. */
  readonly distributionPath: string | undefined;
}

async function obtainInstallation(options: PrepareOptions): Promise<Installation> {
  const onProgress = options.onProgress ?? ignoreProgress;
  const distributionPath = options.distribution ?? process.env.KCBOX_DIST;
  const requested = options.version ?? process.env.KCBOX_KEYCLOAK_VERSION;
  let versionText = requested ?? DEFAULT_KEYCLOAK_VERSION;
  if (distributionPath) {
    const held = await versionOfDistribution(distributionPath);
    if (requested && requested !== held) {
      throw new KcboxError(
        'ERR_KCBOX_VERSION',
        `Keycloak ${requested} was asked for, but KCBOX_DIST=${distributionPath} holds ${held}: drop one of them.`,
      );
    }
    versionText = held;
  }
  const version = parseKeycloakVersion(versionText);
  const explicitJava = options.javaHome ?? process.env.KCBOX_JAVA_HOME;
  const java = chooseJava(
    await findJavaInstallations({ explicitHome: explicitJava }),
    javaRequirementFor(version),
    version.text,
    explicitJava,
  );
  debug('Keycloak %s with Java %s at %s', version.text, java.version, java.home);

  const layout = cacheLayout(cacheRoot(options.cacheDir));
  const installHome = await ensureInstallation({
    version: version.text,
    java,
    layout,
    buildArgs: distributionBuildArgs(options),
    distribution: distributionPath ? { path: distributionPath } : undefined,
    onProgress,
  });
  await mkdir(layout.logs, { recursive: true });
  return { version, java, layout, installHome, distributionPath };
}

interface ObtainedTemplate {
  readonly template: DatabaseTemplate;
  /** This call started the server that made it: the first run after a build. */
  readonly madeNow: boolean;
}

/** The installation's database template, made on first use by starting a server on an empty database. */
async function obtainTemplate(installation: Installation, options: PrepareOptions): Promise<ObtainedTemplate> {
  const { version, java, layout, installHome } = installation;
  const onProgress = options.onProgress ?? ignoreProgress;
  let madeNow = false;
  const template = await ensureDatabaseTemplate(
    installHome,
    layout.installs,
    async () => {
      madeNow = true;
      onProgress({ phase: 'build', message: 'initialising the database once per build (schema, master realm)' });
      const admin = generateAdminCredentials();
      const server = await launchWithRetries({
        options: { ...options, detached: false, tls: false },
        version,
        java,
        installHome,
        realms: [],
        logFolder: layout.logs,
        onProgress: ignoreProgress,
        admin,
        seed: undefined,
        keepHome: true,
        aot: 'off',
        // Started, stopped, never asked much: C1 alone starts it sooner.
        jvm: SHORT_LIVED_JVM,
      });
      const home = server.toRecord().dataDir as string;
      const discard = () => rm(home, { recursive: true, force: true });
      try {
        // A clean shutdown closes (and compacts) the H2 file.
        await server.stop();
      } catch (error) {
        await discard();
        throw error;
      }
      // The supervisor notes it when the grace period ran out and it had to SIGKILL the group.
      const killed = (await tailLines(server.logFile ?? '', 20)).find((line) => /did not stop in time/.test(line));
      return {
        h2Folder: join(home, 'data', 'h2'),
        admin,
        uncleanStop: killed ? `Keycloak was killed after ${STOP_GRACE_MS / 1000} s` : undefined,
        discard,
      };
    },
    (message) => onProgress({ phase: 'build', message }),
  );
  return { template, madeNow };
}

/**
 * Obtains and builds the distribution and initialises its database template, without starting a
 * server (`kcbox fetch`): what a CI job caches, and what every start does first.
 */
export async function prepareDistribution(options: PrepareOptions): Promise<PreparedDistribution> {
  const installation = await obtainInstallation(options);
  const { version, java, installHome, layout } = installation;
  const { template } = await obtainTemplate(installation, options);
  const aot = aotPolicy({ java, env: options.env, cacheFolder: installHome, detached: false, firstRunAfterBuild: false });
  const files = aotCacheFiles(installHome, java);
  if (aot !== 'off' && (await aotCacheState(files)).state === 'none') {
    if (await aotTrainingUnderWay(files)) {
      options.onProgress?.({
        phase: 'build',
        message: "another kcbox server is recording the JVM's AOT cache: it is written when that server stops",
      });
    } else {
      await trainAotCache(installation, template, options);
    }
  }
  return { version, java, installHome, logFolder: layout.logs, template };
}

/**
 * A training run for the JDK's AOT cache, so later starts map it: one start from the template that
 * imports the bundled realm (the path every check takes), then a stop that writes the cache.
 */
async function trainAotCache(installation: Installation, template: DatabaseTemplate, options: PrepareOptions): Promise<void> {
  const onProgress = options.onProgress ?? ignoreProgress;
  onProgress({
    phase: 'build',
    message: `recording the JVM's AOT cache once per build and Java ${installation.java.version} (about half a minute)`,
  });
  const server = await launchWithRetries({
    options: { ...options, detached: false, tls: false },
    version: installation.version,
    java: installation.java,
    installHome: installation.installHome,
    realms: [],
    logFolder: installation.layout.logs,
    onProgress: ignoreProgress,
    admin: template.admin,
    seed: template.h2Folder,
    keepHome: false,
    aot: 'train',
  });
  try {
    await server.importRealm(bundledRealmPath(), { isolate: true });
  } finally {
    await server.stop();
  }
}

/**
 * Starts the official distribution as a local Java process, under the kcbox watchdog. A start that
 * fails with signs of damaged cache files (see cache-damage.ts) has the damaged part rebuilt and is
 * tried once more; a second such failure names the folder to delete.
 */
export async function startDistribution(options: StartKeycloakOptions): Promise<KeycloakServer> {
  const onProgress = options.onProgress ?? ignoreProgress;
  // Cheap checks first: bad input must fail before a download or a build.
  parseKeycloakVersion(options.version ?? process.env.KCBOX_KEYCLOAK_VERSION ?? DEFAULT_KEYCLOAK_VERSION);
  const realms = await loadRealms(options.realms ?? []);
  // The template the latest attempt started from: a corrupt one is removed only if it is still that one.
  let template: DatabaseTemplate | undefined;
  const attempt = async (installation: Installation): Promise<KeycloakServer> => {
    const obtained = await obtainTemplate(installation, options);
    template = obtained.template;
    await pruneLogs(installation.layout.logs);
    return launchWithRetries({
      options,
      version: installation.version,
      java: installation.java,
      installHome: installation.installHome,
      realms,
      logFolder: installation.layout.logs,
      onProgress,
      admin: template.admin,
      seed: template.h2Folder,
      keepHome: false,
      aot: aotPolicy({
        java: installation.java,
        env: options.env,
        cacheFolder: installation.installHome,
        detached: options.detached === true || options.recordAotCache === false,
        firstRunAfterBuild: obtained.madeNow,
      }),
    });
  };

  const first = await obtainInstallation(options);
  let sign: CacheDamageSign | undefined;
  try {
    return await attempt(first);
  } catch (error) {
    sign = await damageSignOf(error);
    if (!sign || !(await repairCache(first, sign, template, onProgress))) throw error;
  }
  const second = await obtainInstallation(options);
  try {
    return await attempt(second);
  } catch (error) {
    const again = await damageSignOf(error);
    if (!again) throw error;
    throw new KcboxError('ERR_KCBOX_DIST_INVALID', `${stillDamaged(second, sign, again)}\n${(error as Error).message}`, { cause: error });
  }
}

/** The cache-damage sign in the log of a failed start, if the failure has one. */
async function damageSignOf(error: unknown): Promise<CacheDamageSign | undefined> {
  if (!(error instanceof KeycloakStartError) || !error.logFile) return undefined;
  return cacheDamageSign(await tailLines(error.logFile, 2_000));
}

/** Removes the damaged part of the cache; false when nothing is found damaged (the failure has another cause). */
async function repairCache(
  installation: Installation,
  sign: CacheDamageSign,
  template: DatabaseTemplate | undefined,
  onProgress: NonNullable<StartKeycloakOptions['onProgress']>,
): Promise<boolean> {
  const { installHome, layout } = installation;
  if (sign.kind === 'installation') {
    const why = await discardDamagedInstallation(installHome, sign.evidence);
    debug('start failed with %s; installation %s: %s', sign.evidence, installHome, why ?? 'intact');
    if (why === undefined) return false;
    onProgress({ phase: 'build', message: `the cached installation ${installHome} is damaged (${why}): building it again` });
    return true;
  }
  if (!template) return false;
  onProgress({ phase: 'build', message: `the database template ${template.root} is corrupt (${sign.evidence}): making it again` });
  await discardDatabaseTemplate(installHome, layout.installs, template);
  return true;
}

function stillDamaged(installation: Installation, first: CacheDamageSign, again: CacheDamageSign): string {
  const { version, installHome, layout, java, distributionPath } = installation;
  const what = first.kind === 'installation' ? 'the cached installation' : 'the database template of the cached installation';
  const source = distributionPath ?? join(layout.downloads, `keycloak-quarkus-dist-${version.text}.zip`);
  return (
    `Keycloak ${version.text} failed to start from ${what} ${installHome} (${first.evidence}), and again after kcbox rebuilt it (${again.evidence}). ` +
    `Delete ${installHome} and start again; if that fails too, check the distribution ${source} and the Java at ${java.home}.`
  );
}

async function launchWithRetries(context: LaunchContext): Promise<KeycloakServer> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await launch(context);
    } catch (error) {
      // get-port's choice can be taken by another process before the JVM binds it: pick again.
      if (!(error instanceof PortConflict)) throw error;
      if (attempt >= 3) throw error.cause;
    }
  }
}

/** The line every start error carries: the per-server copy a log names is gone by then, the cached installation is not. */
function installationNote(installHome: string): string {
  return `Ran from the cached installation ${installHome}; if its files are damaged, delete that folder and kcbox builds it again.`;
}

function asStartError(
  error: unknown,
  version: KeycloakVersion,
  url: string,
  logFile: string,
  logTail: string[],
  installHome: string,
): Error {
  const note = installationNote(installHome);
  if (error instanceof ReadinessTimeout) {
    return new KeycloakStartError(
      'ERR_KCBOX_START_TIMEOUT',
      `Keycloak ${version.text} at ${url} ${error.message}. Raise startupTimeoutMs if the machine is slow.\n${note}`,
      {
        logFile,
        logTail,
        cause: error,
      },
    );
  }
  if (error instanceof KeycloakStartError) {
    const said = keycloakErrors(logTail);
    const summary = said.length > 0 ? `${error.message} Keycloak said:\n  ${said.join('\n  ')}` : error.message;
    return new KeycloakStartError('ERR_KCBOX_START_FAILED', `${summary}\n${note}`, { logFile, logTail, cause: error });
  }
  if (error instanceof KcboxError) return error;
  return new KeycloakStartError('ERR_KCBOX_START_FAILED', `Keycloak ${version.text} failed to start.\n${note}`, {
    logFile,
    logTail,
    cause: error,
  });
}

interface LaunchContext {
  readonly options: StartKeycloakOptions;
  readonly version: KeycloakVersion;
  readonly java: JavaInstallation;
  readonly installHome: string;
  readonly realms: readonly LoadedRealm[];
  readonly logFolder: string;
  readonly onProgress: NonNullable<StartKeycloakOptions['onProgress']>;
  readonly admin: AdminCredentials;
  /** An initialised `data/h2` to start from; none starts on an empty database. */
  readonly seed: string | undefined;
  /** Leave the server's home in place after it stops (to take its database as the template). */
  readonly keepHome: boolean;
  readonly aot: AotPolicy;
  /** kcbox's JVM settings for this server's kind (the AOT plan's and the caller's `env` win). */
  readonly jvm?: Readonly<Record<string, string>>;
}

async function launchWithoutCache(context: LaunchContext, files: AotCacheFiles, failure: Error): Promise<KeycloakServer> {
  debug('start with the AOT cache %s failed (%s): trying without it', files.cache, failure.message);
  const server = await launch({ ...context, aot: 'off' });
  const why = failure.message.split('\n')[0] ?? 'the start failed';
  await refuseAotCache(files, context.java, why).catch((error: unknown) => debug('recording the refusal: %s', describeError(error)));
  context.onProgress({
    phase: 'start',
    message: `Keycloak ${context.version.text} does not start with the JVM's AOT cache (${why}): started without it, and it stays off for this installation`,
  });
  return server;
}

async function launch(context: LaunchContext): Promise<KeycloakServer> {
  const { options, version, java, realms } = context;
  const httpPort = await getPort({ host: '127.0.0.1' });
  const managementPort = await getPort({ host: '127.0.0.1', exclude: [httpPort] });
  const admin = context.admin;
  const home = await createServerHome(context.installHome, realms, context.seed);
  const logFile = join(context.logFolder, `keycloak-${version.text}-${new Date().toISOString().replace(/[:.]/g, '-')}-${httpPort}.log`);
  const tls = options.tls ? await ensureLocalTls({ cacheDir: options.cacheDir }) : undefined;
  const scheme = tls ? 'https' : 'http';
  const url = `${scheme}://127.0.0.1:${httpPort}`;
  const managementUrl = `${scheme}://127.0.0.1:${managementPort}`;
  // Readiness probes already go over https.
  trustCertificateAuthority(tls?.caFile);

  context.onProgress({ phase: 'start', message: `starting Keycloak ${version.text} on ${url} (Java ${java.version})` });
  const aot = await planAot(context.aot, context.installHome, java);
  if (aot.recording) {
    context.onProgress({
      phase: 'start',
      message:
        "recording the JVM's AOT cache during this run, once per build and Java: the stop takes about 20 s longer, later starts are faster",
    });
  }
  // What the training JVM wrote is kept only when it said the cache is complete; the claim is given back either way.
  const finishTraining = async () => {
    const why = await aot.recording?.finish((await tailLines(logFile, 50)).join('\n'));
    if (why) debug('no AOT cache kept from %s: %s', logFile, why);
  };
  // A start that failed trained nothing worth keeping.
  const dropTraining = async () => aot.recording?.discard();
  let supervised;
  try {
    supervised = await startSupervised({
      command: join(home, 'bin', 'kc.sh'),
      args: distributionStartArgs({
        version,
        httpPort,
        tls,
        managementPort,
        importRealms: realms.length > 0,
        serverOptions: options.serverOptions ?? {},
      }),
      env: distributionEnv(process.env, java, admin, { ...context.jvm, ...aot.env, ...options.env }),
      cwd: home,
      logFile,
      cleanup: context.keepHome ? [] : [home],
      graceMs: aot.recording ? TRAINING_STOP_GRACE_MS : STOP_GRACE_MS,
      // Nobody keeps what the JVM writes once this process is gone: no long wait then.
      orphanGraceMs: STOP_GRACE_MS,
    });
  } catch (error) {
    await dropTraining();
    await rm(home, { recursive: true, force: true });
    throw new KeycloakStartError(
      'ERR_KCBOX_START_FAILED',
      `Keycloak ${version.text} could not be started.\n${installationNote(context.installHome)}`,
      {
        logFile,
        logTail: await tailLines(logFile, 50),
        cause: error,
      },
    );
  }

  const exitedEarly = supervised.exited.then((exit): never => {
    throw new KeycloakStartError('ERR_KCBOX_START_FAILED', `Keycloak ${version.text} ${describeExit(exit)} before it was ready.`, {});
  });
  try {
    await waitForReadiness([healthReady(managementUrl), adminLoginAccepted(url, admin)], {
      timeoutMs: options.startupTimeoutMs ?? DEFAULT_STARTUP_TIMEOUT_MS,
      abort: exitedEarly,
    });
    await assertRealmsServed(url, realms);
  } catch (error) {
    await supervised.stop({ soon: true });
    await dropTraining();
    // The supervisor removes the home only when it owns the cleanup.
    if (context.keepHome) await rm(home, { recursive: true, force: true });
    const logTail = await tailLines(logFile, 50);
    const startError = asStartError(error, version, url, logFile, logTail, context.installHome);
    // The JVM died before Keycloak said anything: the cache may be what broke it (Keycloak 26.4's
    // launcher cannot start from one). Kept from then on only if the same start succeeds without it.
    if (aot.usedCache && !(error instanceof ReadinessTimeout) && keycloakErrors(logTail).length === 0) {
      return launchWithoutCache(context, aot.usedCache, startError);
    }
    if (logTail.some((line) => /already in use|seems to be in use/i.test(line))) {
      debug('port %d or %d was taken before Keycloak bound it', httpPort, managementPort);
      throw new PortConflict('port taken', { cause: startError });
    }
    throw startError;
  }

  if (options.detached) await supervised.detach();
  else supervised.unref();
  const record: ServerRecord = {
    runtime: 'dist',
    version: version.text,
    url,
    managementUrl,
    adminCredentials: admin,
    caFile: tls?.caFile,
    realms: realms.map((realm) => realm.name),
    realmFiles: realmFilesOf(realms),
    createdRealms: [],
    logFile,
    dataDir: home,
    pid: supervised.groupId,
    supervisorPid: supervised.supervisorPid,
    containerId: undefined,
    startedAt: new Date().toISOString(),
  };
  const running = supervised;
  return serverHandle(record, async () => {
    await running.stop();
    await finishTraining();
  });
}
