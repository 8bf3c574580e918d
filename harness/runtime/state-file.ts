import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { KcboxError, describeError } from '../errors.js';
import { cacheRoot } from './distribution/cache.js';
import type { ServerRecord } from './types.js';

/** Where `kcbox up` records the running server: `KCBOX_STATE_FILE`, else `<cache>/state.json`. */
export function stateFilePath(env: NodeJS.ProcessEnv = process.env): string {
  return env.KCBOX_STATE_FILE ?? join(cacheRoot(undefined, env), 'state.json');
}

/** Writes the record readable by its owner only (mode 0600): it holds the admin password. */
export async function writeState(record: ServerRecord, file = stateFilePath()): Promise<void> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.tmp-${process.pid}`;
  await writeFile(temporary, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
  await chmod(temporary, 0o600);
  await rename(temporary, file);
}

export async function readState(file = stateFilePath()): Promise<ServerRecord | undefined> {
  if (!existsSync(file)) return undefined;
  try {
    const record = JSON.parse(await readFile(file, 'utf8')) as Partial<ServerRecord>;
    if (typeof record.url !== 'string' || typeof record.runtime !== 'string' || !record.adminCredentials)
      throw new Error('fields url, runtime or adminCredentials missing');
    return record as ServerRecord;
  } catch (error) {
    throw new KcboxError(
      'ERR_KCBOX_STATE',
      `State file ${file} is damaged (${describeError(error)}). Delete it, then run kcbox up again.`,
      { cause: error },
    );
  }
}

export async function clearState(file = stateFilePath()): Promise<void> {
  await rm(file, { force: true });
}
