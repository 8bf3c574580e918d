import { createHash } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import createDebug from 'debug';
import lockfile from 'proper-lockfile';
import { describeError } from '../../errors.js';
import { removeAbandonedTemporaries, temporarySibling } from './cache.js';
import type { JavaInstallation } from './java.js';

const debug = createDebug('kcbox:aot');

/**
 * The JDK's ahead-of-time cache (JEP 483/514, Java 25+): classes loaded and linked, and method
 * profiles, recorded by one training run of the server and mapped by every later start. A warm
 * start is about a quarter faster with it (bench/README.md). One cache per installation and Java
 * build, in the installation's `kcbox-aot` folder: it is tied to the exact jar files and JDK.
 */
export const AOT_FOLDER = 'kcbox-aot';
/** `KCBOX_AOT_CACHE=0` neither uses nor records a cache. */
export const AOT_ENV = 'KCBOX_AOT_CACHE';
const FIRST_JAVA_WITH_ONE_STEP_TRAINING = 25;
/** What the training JVM prints once the cache file is complete; a JVM killed while writing never does. */
const COMPLETE_LINE = /AOTCache creation is complete/;
// The recording JVM warns about every class it cannot archive (hundreds of lines): keep the log readable.
const QUIET_AOT_LOGGING = ['-Xlog:aot*=error', '-Xlog:cds*=error'];

export interface AotCacheFiles {
  /** The cache every start maps. */
  readonly cache: string;
  /** Written next to it once the cache is complete: its size, so a cut file is never used. */
  readonly record: string;
  /** Held by the one server recording a cache, so concurrent starts do not all record. */
  readonly claim: string;
}

/** Where the cache for this installation and Java lives: the name carries the Java build, so a JDK upgrade trains a new one. */
export function aotCacheFiles(installHome: string, java: JavaInstallation): AotCacheFiles {
  let home = java.home;
  try {
    home = realpathSync(java.home);
  } catch {
    // A vanished JDK fails the start anyway, with its own message.
  }
  const key = `java-${java.version.replace(/[^0-9A-Za-z.+-]/g, '_')}-${createHash('sha256').update(home).digest('hex').slice(0, 10)}`;
  return filesOf(join(installHome, AOT_FOLDER, `${key}.aot`));
}

const filesOf = (cache: string): AotCacheFiles => ({ cache, record: `${cache}.json`, claim: `${cache}.training` });

export function aotCacheSupported(java: JavaInstallation, env: NodeJS.ProcessEnv = process.env): boolean {
  return java.feature >= FIRST_JAVA_WITH_ONE_STEP_TRAINING && env[AOT_ENV] !== '0';
}

interface AotRecord {
  readonly bytes?: number;
  readonly javaVersion: string;
  readonly createdAt: string;
  /**
   * The class path's jar as the training saw it: the JVM skips a cache whose jar's size or time
   * changed (a cache folder copied without times), silently, so such a cache must be trained again.
   */
  readonly runner: string | undefined;
  /**
   * Why this installation's JVM cannot start with the cache (e.g. Keycloak 26.4's Quarkus reads its
   * jar's location from a class the cache loaded without one): neither used nor trained again.
   */
  readonly refused?: string;
}

async function readRecord(files: AotCacheFiles): Promise<Partial<AotRecord> | undefined> {
  try {
    return JSON.parse(await readFile(files.record, 'utf8')) as Partial<AotRecord>;
  } catch {
    return undefined;
  }
}

async function runnerStamp(files: AotCacheFiles): Promise<string | undefined> {
  const info = await stat(join(dirname(dirname(files.cache)), 'lib', 'quarkus-run.jar')).catch(() => undefined);
  return info ? `${info.size}:${Math.round(info.mtimeMs)}` : undefined;
}

/**
 * What the installation holds for this Java, from one read of the record: a complete cache (its
 * size and class-path stamp as recorded), a refusal (the server was seen failing with it), or none.
 * A record for another `quarkus-run.jar` counts as none, so a changed installation is trained again.
 */
export type AotCacheState =
  { readonly state: 'ready'; readonly cache: string } | { readonly state: 'refused'; readonly why: string } | { readonly state: 'none' };

export async function aotCacheState(files: AotCacheFiles): Promise<AotCacheState> {
  const record = await readRecord(files);
  if (!record || record.runner !== (await runnerStamp(files))) return { state: 'none' };
  if (record.refused !== undefined) return { state: 'refused', why: record.refused };
  const size = (await stat(files.cache).catch(() => undefined))?.size;
  return size !== undefined && size === record.bytes ? { state: 'ready', cache: files.cache } : { state: 'none' };
}

/** The complete cache, or undefined when there is none (or its size is not the recorded one). */
export async function readyAotCache(files: AotCacheFiles): Promise<string | undefined> {
  const found = await aotCacheState(files);
  return found.state === 'ready' ? found.cache : undefined;
}

/** A training run in progress: the server that holds the claim writes its cache when it stops. */
export interface AotRecording {
  /** JVM options for the training run. */
  readonly jvmOptions: readonly string[];
  /**
   * After the JVM exited: keeps the cache when the JVM said it is complete (its log), else drops the
   * partial file. Always gives the claim back. Returns why nothing was kept, if nothing was.
   */
  finish(logText: string): Promise<string | undefined>;
  /** Drops whatever the JVM wrote and gives the claim back: for a start that failed. */
  discard(): Promise<void>;
}

const CLAIM_OPTIONS = {
  realpath: false,
  // The holder refreshes the claim while its server lives; a claim left by a killed process goes stale.
  stale: 60_000,
  update: 15_000,
} as const;

/** Whether a live process holds the training claim (its server writes the cache when it stops). */
export async function aotTrainingUnderWay(files: AotCacheFiles): Promise<boolean> {
  return lockfile.check(files.cache, { ...CLAIM_OPTIONS, lockfilePath: files.claim }).catch(() => false);
}

/**
 * Claims the training of the cache: only one server per installation and Java records at a time
 * (proper-lockfile, as the cache lock). Undefined when another live process holds it, or when the
 * cache folder cannot be written: the cache is a speed-up, never a reason for a start to fail.
 */
export async function claimAotTraining(files: AotCacheFiles, java: JavaInstallation): Promise<AotRecording | undefined> {
  const folder = dirname(files.cache);
  let release: () => Promise<void>;
  try {
    await mkdir(folder, { recursive: true });
    release = await lockfile.lock(files.cache, {
      ...CLAIM_OPTIONS,
      lockfilePath: files.claim,
      retries: 0,
      onCompromised: (error) => debug('training claim %s compromised: %s', files.claim, error.message),
    });
  } catch (error) {
    debug('not recording an AOT cache: %s', describeError(error));
    return undefined;
  }
  // Holding the claim: what a killed training left (a cut cache, its configuration) can go.
  await removeAbandonedTemporaries(folder).catch(() => []);
  return recording(files, java, release);
}

function recording(files: AotCacheFiles, java: JavaInstallation, release: () => Promise<void>): AotRecording {
  const partial = temporarySibling(files.cache);
  const cleanUp = async () => {
    // The one-step training keeps its configuration beside the output while it assembles the cache.
    await Promise.all([rm(partial, { force: true }), rm(`${partial}.config`, { force: true })]).catch(() => {});
    await release().catch((error: unknown) => debug('releasing %s: %s', files.claim, describeError(error)));
  };
  return {
    jvmOptions: [`-XX:AOTCacheOutput=${partial}`, ...QUIET_AOT_LOGGING],
    async finish(logText) {
      try {
        if (!COMPLETE_LINE.test(logText)) return 'the JVM did not finish writing it (stopped early or killed)';
        const bytes = (await stat(partial)).size;
        const record: AotRecord = {
          bytes,
          javaVersion: java.version,
          createdAt: new Date().toISOString(),
          runner: await runnerStamp(files),
        };
        await rename(partial, files.cache);
        await writeFile(files.record, JSON.stringify(record));
        debug('AOT cache %s written (%d bytes)', files.cache, bytes);
        return undefined;
      } catch (error) {
        return `it could not be kept (${describeError(error)})`;
      } finally {
        await cleanUp();
      }
    },
    discard: cleanUp,
  };
}

/** Whether this installation's server was seen failing with the cache and starting without it. */
export async function aotCacheRefused(files: AotCacheFiles): Promise<boolean> {
  return (await aotCacheState(files)).state === 'refused';
}

/**
 * One line per Java build the installation has a cache record for (`kcbox doctor`), e.g.
 * "java-25.0.3 (ready)" or "java-25.0.3 (refused: …)".
 */
export async function describeAotCaches(installHome: string): Promise<string[]> {
  const folder = join(installHome, AOT_FOLDER);
  const records = (await readdir(folder).catch(() => [] as string[])).filter((name) => name.endsWith('.aot.json'));
  return Promise.all(
    records.map(async (name) => {
      const cache = join(folder, name.slice(0, -'.json'.length));
      const found = await aotCacheState(filesOf(cache));
      const java = name.replace(/-[0-9a-f]+\.aot\.json$/, '');
      return `${java} (${found.state === 'refused' ? `refused: ${found.why.replace(/\.$/, '')}` : found.state === 'ready' ? 'ready' : 'stale: trained again on the next run'})`;
    }),
  );
}

/** Records that the server cannot start with the cache, and removes the cache (~180 MB). */
export async function refuseAotCache(files: AotCacheFiles, java: JavaInstallation, why: string): Promise<void> {
  const record: AotRecord = {
    javaVersion: java.version,
    createdAt: new Date().toISOString(),
    runner: await runnerStamp(files),
    refused: why,
  };
  await writeFile(files.record, JSON.stringify(record));
  await rm(files.cache, { force: true });
}

/** JVM options for a start that maps the cache. */
export function aotCacheUseOptions(cache: string): string[] {
  // The default mode (auto) skips a cache this JVM cannot use (another JDK build, other GC flags)
  // instead of failing the start: such a start is as slow as one without it, no slower.
  return [`-XX:AOTCache=${cache}`, ...QUIET_AOT_LOGGING];
}
