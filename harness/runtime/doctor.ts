import { existsSync, lstatSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describeError } from '../errors.js';
import { type ContainerAvailability, containerAvailability } from './container/container-availability.js';
import { DockerEngine } from './container/docker-engine.js';
import { probeDocker } from './container/docker-probe.js';
import { keycloakImage } from './container/keycloak-container.js';
import { OPTIMIZE_ENV, judgeOptimizedImage, optimizedImageReference } from './container/optimized-image.js';
import { distributionBuildArgs } from './distribution/start-distribution.js';
import { cacheLayout, cacheRoot } from './distribution/cache.js';
import { INSTALL_MARKER, checkInstallation } from './distribution/install.js';
import { describeAotCaches } from './distribution/aot-cache.js';
import { type JavaInstallation, chooseJava, findJavaInstallations } from './distribution/java.js';
import { describeProblems } from './distribution/manifest.js';
import { findMaven } from './distribution/maven.js';
import { DEFAULT_KEYCLOAK_VERSION, javaRequirementFor, parseKeycloakVersion } from './distribution/versions.js';
import { serverAnswers } from './server-status.js';
import { decideRuntime } from './start-keycloak.js';
import { readState, stateFilePath } from './state-file.js';
import type { RuntimeKind, ServerRecord } from './types.js';

/** One thing `kcbox doctor` found out, with the fix when it is missing. */
export interface DoctorFact {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
  readonly fix?: string;
}

/** Everything `kcbox doctor` found, and what decides whether kcbox can run a check here. */
export interface DoctorReport {
  readonly facts: readonly DoctorFact[];
  /** The runtime `auto` would pick. */
  readonly runtime: RuntimeKind;
  /** A JDK fits the Keycloak version. */
  readonly javaFits: boolean;
  /** The container runtime can start Keycloak (an engine answers and holds or can get the image). */
  readonly containerUsable: boolean;
  /** KCBOX_URL, when set: checks run against that server. */
  readonly remoteUrl?: string;
}

/** Whether kcbox can run a check on this machine: a JDK fits, a container runtime is usable, or KCBOX_URL names a server. */
export function canRunHere(report: Pick<DoctorReport, 'javaFits' | 'containerUsable' | 'remoteUrl'>): boolean {
  return report.javaFits || report.containerUsable || Boolean(report.remoteUrl);
}

export interface DoctorOptions {
  readonly env?: NodeJS.ProcessEnv;
  /** Folders whose sub-folders are JDKs (default: java.ts's usual places). */
  readonly jdkRoots?: readonly string[];
  /** Stop counting the cache's size after this many files and folders. */
  readonly maxCacheEntries?: number;
}

const DEFAULT_CHROMIUM = '/usr/bin/chromium';

function describeJava(java: JavaInstallation): string {
  return `Java ${java.version} at ${java.home} (${java.source})`;
}

async function javaFact(
  env: NodeJS.ProcessEnv,
  keycloakVersion: string,
  jdkRoots: readonly string[] | undefined,
): Promise<{ fact: DoctorFact; fits: boolean }> {
  const explicitHome = env.KCBOX_JAVA_HOME;
  const requirement = javaRequirementFor(parseKeycloakVersion(keycloakVersion));
  const found = await findJavaInstallations({ explicitHome, env, ...(jdkRoots ? { jdkRoots } : {}) });
  const seen = found.length === 0 ? 'none found' : `found ${found.map(describeJava).join('; ')}`;
  try {
    const chosen = chooseJava(found, requirement, keycloakVersion, explicitHome);
    return {
      fits: true,
      fact: {
        name: 'java',
        ok: true,
        detail: `chose ${describeJava(chosen)} for Keycloak ${keycloakVersion} (needs ${requirement.min}–${requirement.max}); ${seen}`,
      },
    };
  } catch {
    return {
      fits: false,
      fact: {
        name: 'java',
        ok: false,
        detail: `no JDK from ${requirement.min} to ${requirement.max} for Keycloak ${keycloakVersion}; ${seen}${explicitHome ? ` (only KCBOX_JAVA_HOME=${explicitHome} was tried)` : ''}`,
        fix: `install a JDK from ${requirement.min} to ${requirement.max} and set KCBOX_JAVA_HOME to its folder, or use --runtime container`,
      },
    };
  }
}

function mavenFact(env: NodeJS.ProcessEnv): DoctorFact {
  const mvn = findMaven(env);
  if (mvn) return { name: 'maven', ok: true, detail: `${mvn}: downloads of the distribution use your Maven settings and mirrors` };
  return {
    name: 'maven',
    ok: false,
    detail: 'mvn is not on PATH (nor in MAVEN_HOME): the distribution is downloaded directly',
    fix: 'install Maven (or set MAVEN_HOME) to download through your Maven settings, mirrors and proxies',
  };
}

/** Whether container starts skip Keycloak's build: the optimized image for a start without features (optimized-image.ts). */
async function optimizedImageNote(env: NodeJS.ProcessEnv, engine: DockerEngine, keycloakVersion: string, baseId: string): Promise<string> {
  if (env[OPTIMIZE_ENV] === '0') return `${OPTIMIZE_ENV}=0: container starts build Keycloak every time`;
  const buildArgs = distributionBuildArgs({});
  const reference = optimizedImageReference(keycloakVersion, buildArgs);
  const verdict = judgeOptimizedImage(await engine.inspectImage(reference), baseId, buildArgs);
  return verdict.usable
    ? `container starts use the optimized image ${reference}`
    : `no usable optimized image ${reference} (${verdict.why}): the next container start derives it, once`;
}

async function dockerFact(env: NodeJS.ProcessEnv, keycloakVersion: string): Promise<DoctorFact> {
  const docker = await probeDocker(env);
  if (!docker.available || !docker.endpoint) {
    return {
      name: 'docker',
      ok: false,
      detail: `no Docker engine answers (${docker.tried.join('; ')})`,
      fix: 'start Docker or Podman, or set DOCKER_HOST (needed only for --runtime container)',
    };
  }
  const image = keycloakImage(keycloakVersion);
  try {
    const engine = new DockerEngine(docker.endpoint);
    const base = await engine.inspectImage(image);
    return base
      ? {
          name: 'docker',
          ok: true,
          detail: `the engine at ${docker.endpoint} answers and holds ${image}; ${await optimizedImageNote(env, engine, keycloakVersion, base.Id)}`,
        }
      : {
          name: 'docker',
          ok: true,
          detail: `the engine at ${docker.endpoint} answers; ${image} is not in it yet (the container runtime pulls it on first start)`,
        };
  } catch (error) {
    return {
      name: 'docker',
      ok: false,
      detail: `the engine at ${docker.endpoint} answers but could not say whether it holds ${image}: ${describeError(error)}`,
      fix: 'check the engine (docker info)',
    };
  }
}

function runtimeFact(runtime: RuntimeKind, reason: string, javaFits: boolean, asked: string | undefined): DoctorFact {
  const override = asked && asked !== 'auto' ? `; KCBOX_RUNTIME=${asked} overrides it` : '';
  const detail = `auto picks ${runtime}: ${reason}${override}`;
  if (runtime !== 'dist' || javaFits) return { name: 'runtime', ok: true, detail };
  return {
    name: 'runtime',
    ok: false,
    detail: `${detail}, but no JDK fits`,
    fix: 'install a fitting JDK, start a Docker engine, or set KCBOX_URL to a running Keycloak',
  };
}

/** Total bytes under `root`, counting at most `maxEntries` files and folders (links are not followed). */
function folderSize(root: string, maxEntries: number): { bytes: number; complete: boolean } {
  let bytes = 0;
  let entries = 0;
  const pending = [root];
  while (pending.length > 0) {
    const folder = pending.pop()!;
    let children;
    try {
      children = readdirSync(folder, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const child of children) {
      if (++entries > maxEntries) return { bytes, complete: false };
      const path = join(folder, child.name);
      if (child.isDirectory()) pending.push(path);
      else if (child.isFile()) bytes += lstatSync(path, { throwIfNoEntry: false })?.size ?? 0;
    }
  }
  return { bytes, complete: true };
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

function installationLabel(home: string, name: string): string {
  try {
    const marker = JSON.parse(readFileSync(join(home, INSTALL_MARKER), 'utf8')) as { version?: string; buildArgs?: string[] };
    return `${marker.version ?? name} (${name}${marker.buildArgs?.length ? `, ${marker.buildArgs.join(' ')}` : ''})`;
  } catch {
    return name;
  }
}

async function cacheFact(env: NodeJS.ProcessEnv, maxEntries: number): Promise<DoctorFact> {
  const layout = cacheLayout(cacheRoot(undefined, env));
  if (!existsSync(layout.root)) {
    return {
      name: 'cache',
      ok: true,
      detail: `${layout.root}: empty; the first dist start downloads and builds Keycloak (kcbox fetch warms it)`,
    };
  }
  const size = folderSize(layout.root, maxEntries);
  const sizeText = `${size.complete ? '' : 'at least '}${formatBytes(size.bytes)}`;
  const downloads = existsSync(layout.downloads) ? readdirSync(layout.downloads).filter((name) => name.endsWith('.zip')) : [];
  const builds: string[] = [];
  const damaged: string[] = [];
  const installs = existsSync(layout.installs)
    ? readdirSync(layout.installs, { withFileTypes: true }).filter((entry) => entry.isDirectory() && !entry.name.startsWith('.'))
    : [];
  for (const entry of installs) {
    const home = join(layout.installs, entry.name);
    // Only finished installations: a folder without the marker is a build under way or abandoned.
    if (!existsSync(join(home, INSTALL_MARKER))) continue;
    const check = await checkInstallation(home);
    const caches = await describeAotCaches(home);
    const label = installationLabel(home, entry.name) + (caches.length > 0 ? `, JVM AOT cache: ${caches.join(', ')}` : '');
    builds.push(check.state === 'unrecorded' ? `${label} (no manifest yet)` : label);
    if (check.state === 'damaged') damaged.push(`${home}: ${describeProblems(check.problems)}`);
  }
  const detail =
    `${layout.root}, ${sizeText}; ` +
    `builds: ${builds.length > 0 ? builds.join(', ') : 'none'}; ` +
    `downloads: ${downloads.length > 0 ? downloads.join(', ') : 'none'}`;
  if (damaged.length === 0) return { name: 'cache', ok: true, detail };
  return {
    name: 'cache',
    ok: false,
    detail: `${detail}; fails its manifest check: ${damaged.join('; ')}`,
    fix: 'the next start rebuilds a damaged installation; or delete its folder now and run kcbox fetch',
  };
}

async function serverFact(env: NodeJS.ProcessEnv): Promise<DoctorFact> {
  if (env.KCBOX_URL) {
    // serverAnswers reads only the URLs of a record: without a management URL it asks for the master realm.
    const answers = await serverAnswers({ url: env.KCBOX_URL.replace(/\/+$/, '') } as ServerRecord);
    return answers
      ? { name: 'server', ok: true, detail: `KCBOX_URL=${env.KCBOX_URL} answers` }
      : {
          name: 'server',
          ok: false,
          detail: `KCBOX_URL=${env.KCBOX_URL} does not answer`,
          fix: 'start that server, or unset KCBOX_URL to let kcbox start one',
        };
  }
  const stateFile = stateFilePath(env);
  const record = await readState(stateFile);
  if (!record) return { name: 'server', ok: true, detail: `none recorded (${stateFile}); checks start their own` };
  const where = `Keycloak ${record.version} (${record.runtime}) at ${record.url}`;
  if (await serverAnswers(record)) return { name: 'server', ok: true, detail: `${where} answers (${stateFile})` };
  return {
    name: 'server',
    ok: false,
    detail: `${where} is recorded but does not answer (${stateFile})`,
    fix: 'kcbox down clears the record',
  };
}

function chromiumFact(env: NodeJS.ProcessEnv): DoctorFact {
  const path = env.KCBOX_CHROMIUM ?? DEFAULT_CHROMIUM;
  if (existsSync(path)) return { name: 'chromium', ok: true, detail: `${path} (HTML report screenshots; optional)` };
  return {
    name: 'chromium',
    ok: false,
    detail: `not at ${path} (optional: only HTML report screenshots need it)`,
    fix: 'install chromium or set KCBOX_CHROMIUM',
  };
}

/**
 * What kcbox would do on this machine and why: JDKs, Maven, the Docker engine, the runtime `auto`
 * picks, the cache, the recorded server, Chromium. Reads only; pulls, downloads and builds nothing.
 */
export async function gatherDoctorReport(options: DoctorOptions = {}): Promise<DoctorReport> {
  const env = options.env ?? process.env;
  const keycloakVersion = env.KCBOX_KEYCLOAK_VERSION ?? DEFAULT_KEYCLOAK_VERSION;
  const java = await javaFact(env, keycloakVersion, options.jdkRoots);
  const docker = await dockerFact(env, keycloakVersion);
  let container: ContainerAvailability | undefined;
  const decision = await decideRuntime('auto', env, async () => {
    container = await containerAvailability({ env, version: keycloakVersion });
    return container;
  });
  const facts: DoctorFact[] = [
    java.fact,
    mavenFact(env),
    docker,
    runtimeFact(decision.runtime, decision.reason, java.fits, env.KCBOX_RUNTIME),
    await cacheFact(env, options.maxCacheEntries ?? 100_000),
    await serverFact(env),
    chromiumFact(env),
  ];
  return {
    facts,
    runtime: decision.runtime,
    javaFits: java.fits,
    containerUsable: container?.usable ?? false,
    ...(env.KCBOX_URL ? { remoteUrl: env.KCBOX_URL } : {}),
  };
}
