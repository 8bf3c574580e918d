import { mkdir, rename, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import envPaths from 'env-paths';
import lockfile from 'proper-lockfile';

/** The cache folder: `KCBOX_CACHE`, else the user's cache folder (e.g. ~/.cache/kcbox). */
export function cacheRoot(explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  return explicit ?? env.KCBOX_CACHE ?? envPaths('kcbox', { suffix: '' }).cache;
}

export interface CacheLayout {
  readonly root: string;
  /** Downloaded distribution zips. */
  readonly downloads: string;
  /** Unpacked and built installations, one per version and build options. */
  readonly installs: string;
  /** Server logs, kept after a server stops so failures can be read. */
  readonly logs: string;
}

export function cacheLayout(root: string): CacheLayout {
  return {
    root,
    downloads: join(root, 'downloads'),
    installs: join(root, 'installs'),
    logs: join(root, 'logs'),
  };
}

/** A sibling path that a rename can move into place atomically (same folder, same file system). */
export function temporarySibling(target: string): string {
  return `${target}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
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
  const release = await lockfile.lock(folder, {
    lockfilePath: join(folder, `${name}.lock`),
    // A build takes up to a minute on slow machines; wait for the holder rather than fail.
    retries: { retries: 600, minTimeout: 200, maxTimeout: 1000, factor: 1.2 },
    stale: 30_000,
    update: 5_000,
  });
  try {
    return await work();
  } finally {
    await release();
  }
}
