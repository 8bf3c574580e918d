import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { copyFile, cp, mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { homedir } from 'node:os';
import createDebug from 'debug';
import { KcboxError, KeycloakStartError, describeError } from '../../errors.js';
import type { ProgressListener } from '../progress.js';
import { type CacheLayout, temporarySibling, withCacheLock, writeAtomically } from './cache.js';
import { releaseDownloadUrl, downloadFile } from './download.js';
import type { JavaInstallation } from './java.js';
import { DIST_ARTIFACT_ID, DIST_GROUP_ID, copyWithMaven, findMaven } from './maven.js';
import {
  type FileManifest,
  type HashPolicy,
  collectManifest,
  describeProblems,
  readManifest,
  verifyManifest,
  writeManifest,
  zipLooksWhole,
} from './manifest.js';
import { keycloakProcessEnv } from './process-env.js';
import { inspectDistributionZip, unpackZip } from './zip.js';
import { tailLines } from '../log-tail.js';

const debug = createDebug('kcbox:install');
/** Written last into a finished build: a folder without it is half-built. */
export const INSTALL_MARKER = '.kcbox-install.json';
const MARKER = INSTALL_MARKER;
/** Size, time and SHA-256 of every file the build left, written next to the marker. */
const MANIFEST = '.kcbox-manifest.json';

/** Where the distribution comes from when the user names one (`KCBOX_DIST`). */
export interface DistributionOverride {
  /** A distribution zip or an unpacked distribution folder. */
  readonly path: string;
}

/** Reads the version a distribution zip or folder holds, so KCBOX_DIST needs no separate version. */
export async function versionOfDistribution(path: string): Promise<string> {
  const absolute = resolve(path);
  if (!existsSync(absolute)) {
    throw new KcboxError('ERR_KCBOX_DIST_INVALID', `KCBOX_DIST=${path}: no such file or folder.`);
  }
  if (statSync(absolute).isDirectory()) {
    const versionFile = join(absolute, 'version.txt');
    const text = existsSync(versionFile) ? await readFile(versionFile, 'utf8') : '';
    const version = /Version\s+(\d+\.\d+\.\d+)/.exec(text)?.[1];
    if (!version || !existsSync(join(absolute, 'bin', 'kc.sh'))) {
      throw new KcboxError(
        'ERR_KCBOX_DIST_INVALID',
        `KCBOX_DIST=${path} is not an unpacked Keycloak distribution: expected bin/kc.sh and a version.txt naming the version.`,
      );
    }
    return version;
  }
  const version = /(\d+\.\d+\.\d+)\.zip$/.exec(absolute)?.[1];
  if (!version) {
    throw new KcboxError(
      'ERR_KCBOX_DIST_INVALID',
      `KCBOX_DIST=${path}: expected a file named like keycloak-26.7.3.zip or keycloak-quarkus-dist-26.7.3.zip, or an unpacked folder.`,
    );
  }
  return version;
}

/** Where Maven keeps the distribution after a download, with its default local repository. */
export function localRepositoryZip(version: string, home = homedir()): string {
  return join(home, '.m2', 'repository', ...DIST_GROUP_ID.split('.'), DIST_ARTIFACT_ID, version, `${DIST_ARTIFACT_ID}-${version}.zip`);
}

/**
 * The cached zip of a version, fetched when missing or damaged: first with the user's Maven (their
 * settings and mirrors apply), then from Keycloak's official release download.
 */
export async function obtainDistributionZip(
  version: string,
  layout: CacheLayout,
  onProgress: ProgressListener,
  options: {
    discardCached?: boolean;
    /** The home whose `.m2/repository` is looked at first (default: the user's); `false` skips it. */
    mavenLocalHome?: string | false;
  } = {},
): Promise<string> {
  const target = join(layout.downloads, `keycloak-quarkus-dist-${version}.zip`);
  return withCacheLock(layout.downloads, `dist-${version}`, async () => {
    // Under the lock, so no other process is reading the zip being replaced.
    if (options.discardCached) await rm(target, { force: true });
    if (existsSync(target)) {
      try {
        await inspectDistributionZip(target, version);
        return target;
      } catch (error) {
        debug('cached %s is damaged (%s): fetching it again', target, describeError(error));
        await rm(target, { force: true });
      }
    }
    const attempts: string[] = [];
    // Already in Maven's local repository (a build that depends on it, an earlier fetch): a copy
    // saves starting Maven's own JVM; a damaged file there falls through to Maven.
    const local = options.mavenLocalHome === false ? undefined : localRepositoryZip(version, options.mavenLocalHome);
    if (local && existsSync(local)) {
      onProgress({ phase: 'download', source: `Maven's local repository ${version}`, receivedBytes: 0 });
      try {
        await writeAtomically(target, async (partial) => {
          await copyFile(local, partial);
          await inspectDistributionZip(partial, version);
        });
        return target;
      } catch (error) {
        debug('%s is not usable (%s): asking Maven', local, describeError(error));
      }
    }
    const mvn = findMaven();
    if (mvn) {
      onProgress({ phase: 'download', source: `mvn ${version}`, receivedBytes: 0 });
      try {
        await writeAtomically(target, async (partial) => {
          const fetched = await copyWithMaven(mvn, version, layout.downloads);
          try {
            await inspectDistributionZip(fetched, version);
            await rename(fetched, partial);
          } finally {
            await rm(dirname(fetched), { recursive: true, force: true });
          }
        });
        return target;
      } catch (error) {
        attempts.push(describeError(error));
      }
    } else {
      attempts.push('mvn: not on PATH (install Maven to use your Maven settings and mirrors)');
    }
    const url = releaseDownloadUrl(version);
    try {
      await writeAtomically(target, async (partial) => {
        await downloadFile(url, partial, onProgress);
        await inspectDistributionZip(partial, version);
      });
      return target;
    } catch (error) {
      attempts.push(describeError(error));
    }
    throw new KcboxError(
      'ERR_KCBOX_DIST_UNAVAILABLE',
      `Keycloak ${version} could not be obtained:\n${attempts.map((attempt) => `  - ${attempt}`).join('\n')}\n` +
        `Check that ${version} is a released Keycloak version, or set KCBOX_DIST to a downloaded keycloak-${version}.zip or unpacked folder.`,
    );
  });
}

export interface InstallationRequest {
  readonly version: string;
  readonly java: JavaInstallation;
  readonly layout: CacheLayout;
  /** Build-time options for `kc.sh build`, e.g. `--db=dev-mem`. */
  readonly buildArgs: readonly string[];
  readonly distribution?: DistributionOverride | undefined;
  readonly onProgress: ProgressListener;
}

async function distributionFingerprint(distribution: DistributionOverride | undefined): Promise<string> {
  if (!distribution) return 'cache';
  const path = resolve(distribution.path);
  const info = await stat(path);
  if (!info.isDirectory()) return `${path}:${info.size}:${info.mtimeMs}`;
  // A jar added under providers/ must lead to a new build: list every file, not just the folder.
  const entries = await readdir(path, { recursive: true, withFileTypes: true });
  const files = await Promise.all(
    entries
      .filter((entry) => entry.isFile() && !relative(path, join(entry.parentPath, entry.name)).startsWith('data'))
      .map(async (entry) => {
        const file = join(entry.parentPath, entry.name);
        const fileInfo = await stat(file);
        return `${relative(path, file)}:${fileInfo.size}:${fileInfo.mtimeMs}`;
      }),
  );
  return `${path}:${files.sort().join('|')}`;
}

/** One installation per version, distribution source and build options; built once, reused after. */
export async function installationKey(request: Omit<InstallationRequest, 'onProgress' | 'java' | 'layout'>): Promise<string> {
  const hash = createHash('sha256')
    .update(JSON.stringify([request.version, [...request.buildArgs].sort(), await distributionFingerprint(request.distribution)]))
    .digest('hex')
    .slice(0, 12);
  return `${request.version}-${hash}`;
}

/**
 * For a JVM that runs once and exits: C1 only. The build's output (generated bytecode) does not
 * depend on the JIT; the optimising compiler only costs CPU a short run never earns back:
 * `kc.sh build` took 12.1 s of CPU instead of 22.5 s (bench/README.md).
 */
export const SHORT_LIVED_JVM: Readonly<Record<string, string>> = { JAVA_OPTS_APPEND: '-XX:TieredStopAtLevel=1' };

function runBuild(home: string, java: JavaInstallation, buildArgs: readonly string[], logFile: string): Promise<void> {
  return new Promise((resolveBuild, reject) => {
    execFile(
      join(home, 'bin', 'kc.sh'),
      ['build', ...buildArgs],
      {
        cwd: home,
        env: { ...keycloakProcessEnv(process.env, java), ...SHORT_LIVED_JVM },
        timeout: 10 * 60_000,
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        void writeFile(logFile, `${stdout}${stderr}`).then(() => (error ? reject(error) : resolveBuild()), reject);
      },
    );
  });
}

/** kcbox's files in an installation, and what servers add later: not part of what the build made. */
function builtFile(path: string): boolean {
  const top = path.split('/', 1)[0] ?? '';
  return !top.startsWith('kcbox-') && !top.startsWith('.kcbox') && top !== 'data';
}

/** Files without which `kc.sh start` cannot run at all; checked when an older kcbox's installation is first verified. */
const ESSENTIAL_FILES = ['bin/kc.sh', 'lib/quarkus-run.jar', 'lib/quarkus/quarkus-application.dat', 'version.txt'];

export type InstallationCheck =
  | { readonly state: 'intact'; readonly manifest: FileManifest; readonly refreshed?: FileManifest }
  | { readonly state: 'damaged'; readonly problems: readonly string[] }
  /** Finished by a kcbox that wrote no manifest: nothing to compare with yet. */
  | { readonly state: 'unrecorded' };

/**
 * Compares a finished installation with the manifest written when it was built: sizes and times
 * of ~500 files (a few milliseconds), contents only of files whose time changed, or of all with `all`.
 */
export async function checkInstallation(home: string, policy: HashPolicy = 'changed'): Promise<InstallationCheck> {
  const manifest = await readManifest(join(home, MANIFEST));
  if (manifest === undefined) return { state: 'unrecorded' };
  if (manifest === 'unreadable') return { state: 'damaged', problems: [`${MANIFEST} is unreadable`] };
  const check = await verifyManifest(home, manifest, policy);
  if (!check.intact) return { state: 'damaged', problems: check.problems };
  return check.refreshed ? { state: 'intact', manifest, refreshed: check.refreshed } : { state: 'intact', manifest };
}

/**
 * Records a manifest for an installation an older kcbox built, after checking what can be checked
 * without one: the essential files exist and every jar ends like a whole zip. Returns the problems
 * found, or nothing when it was adopted. Call under the installation's lock.
 */
export async function adoptInstallation(home: string): Promise<readonly string[] | undefined> {
  const problems = ESSENTIAL_FILES.filter((path) => !existsSync(join(home, path))).map((path) => `${path} is missing`);
  const jars = (await readdir(home, { recursive: true, withFileTypes: true }))
    .filter((entry) => entry.isFile() && entry.name.endsWith('.jar'))
    .map((entry) => join(entry.parentPath, entry.name))
    .filter((file) => builtFile(relative(home, file).split(sep).join('/')));
  const whole = await Promise.all(jars.map((jar) => zipLooksWhole(jar)));
  for (const [index, jar] of jars.entries()) if (!whole[index]) problems.push(`${relative(home, jar)} is not a whole jar`);
  if (problems.length > 0) return problems;
  await writeManifest(join(home, MANIFEST), await collectManifest(home, builtFile, 'adopted'));
  debug('recorded a manifest for %s, built by an older kcbox', home);
  return undefined;
}

/**
 * Moves a damaged installation out of the way (one rename, so no process sees half of it) and
 * deletes it. The caller holds the installation's lock.
 */
async function removeInstallation(home: string, why: string): Promise<void> {
  const doomed = temporarySibling(home);
  try {
    await rename(home, doomed);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new KcboxError(
      'ERR_KCBOX_DIST_INVALID',
      `The cached Keycloak installation ${home} is damaged (${why}) and could not be removed (${describeError(error)}). Delete that folder; kcbox builds it again on the next start.`,
      { cause: error },
    );
  }
  // A leftover (the process killed mid-way) is named like an abandoned temporary and removed later.
  await rm(doomed, { recursive: true, force: true });
}

/**
 * A built installation folder for the request: unpacked from the cached zip (or copied from an
 * unpacked KCBOX_DIST), `kc.sh build` run once, then renamed into place so a crash mid-way never
 * leaves something that looks finished. Every use first compares it with the manifest written at
 * build time; a damaged one is removed and built again, once, under the lock.
 */
export async function ensureInstallation(request: InstallationRequest): Promise<string> {
  const key = await installationKey(request);
  const home = join(request.layout.installs, key);
  const ready = () => existsSync(join(home, MARKER));
  // The fast path, without the lock: only sizes and times are read.
  if (ready()) {
    const check = await checkInstallation(home);
    if (check.state === 'intact' && !check.refreshed) return home;
  }

  return withCacheLock(request.layout.installs, key, async () => {
    let damage: readonly string[] | undefined;
    if (ready()) {
      const check = await checkInstallation(home);
      if (check.state === 'intact') {
        // Times changed (a copied or restored cache) but every content matched: remember the new times.
        if (check.refreshed) await writeManifest(join(home, MANIFEST), check.refreshed);
        return home;
      }
      damage = check.state === 'damaged' ? check.problems : await adoptInstallation(home);
      if (!damage) return home;
      const why = describeProblems(damage);
      debug('installation %s is damaged: %s', home, damage.join('; '));
      request.onProgress({ phase: 'build', message: `the cached installation ${home} is damaged (${why}): building it again` });
      await removeInstallation(home, why);
    }
    await buildInstallation(request, key, home, damage);
    return home;
  });
}

/**
 * Called when a start from `home` failed in a way that points at its files (a class not found, a
 * jar not readable): hashes every file under the installation's lock and removes the installation
 * when one differs from its manifest, or when the manifest was only adopted from an older kcbox
 * and so proves nothing. Returns why it was removed, or nothing when its files are as built (the
 * failure has another cause).
 */
export async function discardDamagedInstallation(home: string, evidence: string): Promise<string | undefined> {
  return withCacheLock(dirname(home), basename(home), async () => {
    // Removed meanwhile by another process, which is building it again.
    if (!existsSync(join(home, MARKER))) return evidence;
    const check = await checkInstallation(home, 'all');
    let why: string | undefined;
    if (check.state === 'damaged') why = describeProblems(check.problems);
    else if (check.state === 'unrecorded' || check.manifest.origin === 'adopted')
      why = `${evidence}; its files were recorded after an older kcbox built them`;
    if (why === undefined) return undefined;
    debug('installation %s is damaged: %s', home, why);
    await removeInstallation(home, why);
    return why;
  });
}

async function buildInstallation(
  request: InstallationRequest,
  key: string,
  home: string,
  damage: readonly string[] | undefined,
): Promise<void> {
  await writeAtomically(home, async (temporary) => {
    await prepareFiles(request, temporary);
    const buildLog = join(temporary, 'kcbox-build.log');
    request.onProgress({ phase: 'build', message: `kc.sh build ${request.buildArgs.join(' ')} (once per version and options)` });
    try {
      await runBuild(temporary, request.java, request.buildArgs, buildLog);
    } catch (error) {
      const kept = join(request.layout.logs, `build-${key}-${Date.now()}.log`);
      await mkdir(request.layout.logs, { recursive: true });
      await cp(buildLog, kept).catch(() => {});
      const source = request.distribution
        ? resolve(request.distribution.path)
        : join(request.layout.downloads, `keycloak-quarkus-dist-${request.version}.zip`);
      const rebuilding = damage
        ? ` kcbox was building ${home} again because the cached one was damaged (${describeProblems(damage)}) and has removed it; if the distribution ${source} is at fault, replace it${request.distribution ? '' : ' (delete it: kcbox fetches it again)'}.`
        : '';
      throw new KeycloakStartError(
        'ERR_KCBOX_BUILD_FAILED',
        `kc.sh build failed for Keycloak ${request.version} with Java ${request.java.version}.${rebuilding}`,
        {
          logFile: kept,
          logTail: await tailLines(kept, 50),
          cause: error,
        },
      );
    }
    // Before the marker: a finished installation always has the manifest its checks compare with.
    await writeManifest(join(temporary, MANIFEST), await collectManifest(temporary, builtFile));
    // Written last: only a finished build carries it.
    await writeFile(
      join(temporary, MARKER),
      JSON.stringify({
        version: request.version,
        buildArgs: request.buildArgs,
        java: request.java.version,
        builtAt: new Date().toISOString(),
      }),
    );
  });
}

async function prepareFiles(request: InstallationRequest, target: string): Promise<void> {
  const { distribution, version, layout, onProgress } = request;
  if (distribution && statSync(distribution.path).isDirectory()) {
    await cp(resolve(distribution.path), target, { recursive: true });
    return;
  }
  const zip = distribution ? resolve(distribution.path) : await obtainDistributionZip(version, layout, onProgress);
  const unpacked = `${target}-unpack`;
  try {
    try {
      await inspectDistributionZip(zip, version);
      await unpackZip(zip, unpacked, (doneEntries, totalEntries) => onProgress({ phase: 'unpack', doneEntries, totalEntries }));
    } catch (error) {
      // A full disk or a permission problem is not the zip's fault: keep it and say so.
      if (distribution || isFileSystemError(error)) throw error;
      // The cached zip passed its directory check yet failed to unpack: fetch it again, once.
      debug('unpacking %s failed (%s): fetching it again', zip, describeError(error));
      await rm(unpacked, { recursive: true, force: true });
      const fresh = await obtainDistributionZip(version, layout, onProgress, { discardCached: true });
      await unpackZip(fresh, unpacked, (doneEntries, totalEntries) => onProgress({ phase: 'unpack', doneEntries, totalEntries }));
    }
    await rename(join(unpacked, `keycloak-${version}`), target);
  } finally {
    await rm(unpacked, { recursive: true, force: true });
  }
}

function isFileSystemError(error: unknown): boolean {
  for (let current: unknown = error; current instanceof Error; current = current.cause) {
    if (['ENOSPC', 'EACCES', 'EPERM', 'EROFS', 'EDQUOT', 'EMFILE'].includes((current as NodeJS.ErrnoException).code ?? '')) return true;
  }
  return false;
}
