import { join } from 'node:path';

export { cacheRoot, removeAbandonedTemporaries, temporarySibling, withCacheLock, writeAtomically } from '../../cache/cache-folder.js';

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
