/**
 * kcbox's cache folder and the two ways anything gets into it safely: atomic writes and a lock
 * across processes. Below the runtimes and the TLS material that both keep files there.
 */
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import envPaths from 'env-paths';
import lockfile from 'proper-lockfile';
import createDebug from 'debug';
import { KcboxError, describeError } from '../errors.js';
import { processAlive } from '../process/process-alive.js';

const debug = createDebug('kcbox:cache');

/** The cache folder: `KCBOX_CACHE`, else the user's cache folder (e.g. ~/.cache/kcbox). */
export function cacheRoot(explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  // Absolute, so unpacking and the links of server homes work whatever the working folder.
  return resolve(explicit ?? env.KCBOX_CACHE ?? envPaths('kcbox', { suffix: '' }).cache);
}

// `.config`: the JVM's AOT configuration beside a cache it was assembling (aot-cache.ts).
const TEMPORARY_MARK = /\.tmp-(\d+)-[0-9A-Za-z]{6,8}(?:-unpack|\.config)?$/;

/** A sibling path that a rename can move into place atomically (same folder, same file system). */
export function temporarySibling(target: string): string {
  return `${target}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
}

/**
 * Removes temporaries left by processes that died mid-download or mid-build (Ctrl-C, SIGKILL),
 * so an interrupted first run does not leave hundreds of megabytes behind.
 */
export async function removeAbandonedTemporaries(folder: string): Promise<string[]> {
  const entries = await readdir(folder).catch(() => [] as string[]);
  const abandoned = entries.filter((name) => {
    const owner = TEMPORARY_MARK.exec(name)?.[1];
    return owner !== undefined && Number(owner) !== process.pid && !processAlive(Number(owner));
  });
  await Promise.all(abandoned.map((name) => rm(join(folder, name), { recursive: true, force: true })));
  return abandoned;
}

/**
 * Produces `target` through `produce(temporaryPath)` and renames it into place, so a crash or a
 * failure never leaves a half-written file or folder under the final name.
 */
export async function writeAtomically(target: string, produce: (temporaryPath: string) => Promise<void>): Promise<void> {
  await mkdir(dirname(target), { recursive: true });
  const temporary = temporarySibling(target);
  try {
    await produce(temporary);
    await rm(target, { recursive: true, force: true });
    await rename(temporary, target);
  } finally {
    await rm(temporary, { recursive: true, force: true });
  }
}

/**
 * Runs `work` while holding a lock on `name` in `folder`, so two processes (parallel test runs,
 * two CI jobs on one machine) never download or build the same thing at once.
 */
export async function withCacheLock<T>(folder: string, name: string, work: () => Promise<T>): Promise<T> {
  await mkdir(folder, { recursive: true });
  const lockPath = join(folder, `${name}.lock`);
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(folder, {
      lockfilePath: lockPath,
      // Wait for the holder longer than its download (30 min at most) and build may take.
      retries: { retries: 2_400, minTimeout: 1_000, maxTimeout: 1_000 },
      stale: 30_000,
      update: 5_000,
      // The default throws from a timer and kills the process (e.g. after the machine slept).
      onCompromised: (error) => debug('lock %s compromised: %s', lockPath, error.message),
    });
  } catch (error) {
    throw new KcboxError(
      'ERR_KCBOX_STATE',
      `Could not take the cache lock ${lockPath} (${describeError(error)}). Another kcbox may still be downloading or building; if none runs, delete the lock folder.`,
      { cause: error },
    );
  }
  try {
    // Holding the lock means no live process of ours is writing here.
    await removeAbandonedTemporaries(folder);
    return await work();
  } finally {
    await release().catch((error: unknown) => debug('releasing %s: %s', lockPath, describeError(error)));
  }
}
