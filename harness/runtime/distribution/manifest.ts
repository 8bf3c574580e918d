import { createHash } from 'node:crypto';
import { createReadStream, lstatSync } from 'node:fs';
import { lstat, open, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { temporarySibling } from './cache.js';

/**
 * What a finished cache entry (a built installation, a database template) held when it was made:
 * every file's size, modification time and SHA-256. Checking sizes and times costs a few
 * milliseconds for the ~500 files of an installation, so it runs before every start; contents are
 * hashed only for files whose time changed (a copied or restored cache) or when a failure already
 * points at the cache.
 */
export interface FileManifest {
  readonly format: 1;
  /** `built`: written right after kcbox made the entry. `adopted`: recorded later from an entry an older kcbox made, so it proves less. */
  readonly origin: 'built' | 'adopted';
  readonly createdAt: string;
  /** Relative path (always with `/`) → what the file held. */
  readonly files: Readonly<Record<string, FileRecord>>;
}

export interface FileRecord {
  readonly size: number;
  readonly mtimeMs: number;
  readonly sha256: string;
}

export type ManifestCheck =
  | {
      readonly intact: true;
      /** Set when some modification times changed but every content matched: the manifest to write back, so the next check is fast again. */
      readonly refreshed?: FileManifest;
    }
  | { readonly intact: false; readonly problems: readonly string[] };

/** How much to read: `changed` hashes only files whose size matches but whose time does not; `all` hashes every file. */
export type HashPolicy = 'changed' | 'all';

/** Files up to this size are read in one call: a stream costs more than the hashing for the half-megabyte database template. */
const READ_WHOLE_BYTES = 4 * 1024 * 1024;

export async function sha256OfFile(file: string, size?: number): Promise<string> {
  const hash = createHash('sha256');
  if (size !== undefined && size <= READ_WHOLE_BYTES) return hash.update(await readFile(file)).digest('hex');
  for await (const chunk of createReadStream(file, { highWaterMark: 1024 * 1024 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

const toManifestPath = (folder: string, file: string) => relative(folder, file).split(sep).join('/');

/** Every regular file under `folder` whose relative path `include` accepts (links are not followed). */
async function listFiles(folder: string, include: (path: string) => boolean): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => toManifestPath(folder, join(entry.parentPath, entry.name)))
    .filter(include)
    .sort();
}

/** Records every file `include` accepts under `folder`, contents hashed. */
export async function collectManifest(
  folder: string,
  include: (path: string) => boolean,
  origin: FileManifest['origin'] = 'built',
): Promise<FileManifest> {
  const files: Record<string, FileRecord> = {};
  // One at a time: a build or a first start is not made faster by reading 200 MB in parallel on 2 cores.
  for (const path of await listFiles(folder, include)) {
    const file = join(folder, path);
    const info = await lstat(file);
    files[path] = { size: info.size, mtimeMs: info.mtimeMs, sha256: await sha256OfFile(file, info.size) };
  }
  return { format: 1, origin, createdAt: new Date().toISOString(), files };
}

/**
 * Compares `folder` with its manifest. Missing files and changed sizes are damage at once; a file
 * whose time changed is hashed and counts as intact when its content still matches.
 */
export async function verifyManifest(folder: string, manifest: FileManifest, policy: HashPolicy = 'changed'): Promise<ManifestCheck> {
  const problems: string[] = [];
  const retimed: Record<string, FileRecord> = {};
  const entries = Object.entries(manifest.files);
  for (const [path, expected] of entries) {
    // Synchronous on purpose: ~3 ms for an installation's 500 files, where 500 promises through
    // libuv's thread pool cost 5 ms warm and over 20 ms in a fresh process (the usual `kcbox up`).
    const info = lstatSync(join(folder, path), { throwIfNoEntry: false });
    if (!info?.isFile()) {
      problems.push(`${path} is missing`);
      continue;
    }
    if (info.size !== expected.size) {
      problems.push(`${path} has ${info.size} bytes instead of ${expected.size}`);
      continue;
    }
    const retimedFile = info.mtimeMs !== expected.mtimeMs;
    if (!retimedFile && policy === 'changed') continue;
    if ((await sha256OfFile(join(folder, path), info.size)) !== expected.sha256) {
      problems.push(`${path} has changed (its SHA-256 differs)`);
    } else if (retimedFile) {
      retimed[path] = { ...expected, mtimeMs: info.mtimeMs };
    }
  }
  if (problems.length > 0) return { intact: false, problems };
  if (Object.keys(retimed).length === 0) return { intact: true };
  return { intact: true, refreshed: { ...manifest, files: { ...manifest.files, ...retimed } } };
}

/** A one-line summary of a check's problems: the first few, and how many more. */
export function describeProblems(problems: readonly string[], shown = 3): string {
  const listed = problems.slice(0, shown).join('; ');
  return problems.length > shown ? `${listed}; and ${problems.length - shown} more` : listed;
}

/** The manifest stored at `file`; `undefined` when there is none; `'unreadable'` when it is torn or not one. */
export async function readManifest(file: string): Promise<FileManifest | 'unreadable' | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    return 'unreadable';
  }
  try {
    const parsed = JSON.parse(text) as Partial<FileManifest>;
    if (parsed.format === 1 && typeof parsed.files === 'object' && parsed.files !== null) return parsed as FileManifest;
  } catch {
    // Falls through: a torn write.
  }
  return 'unreadable';
}

/** Writes a manifest so that readers see the old one or the new one, never half of one. */
export async function writeManifest(file: string, manifest: FileManifest): Promise<void> {
  const temporary = temporarySibling(file);
  try {
    await writeFile(temporary, JSON.stringify(manifest));
    // rename() replaces the old file in one step; there is no moment without a manifest.
    await rename(temporary, file);
  } finally {
    await rm(temporary, { force: true });
  }
}

/**
 * True when `file` ends with a zip's end-of-central-directory record, as every whole jar does; a
 * jar cut short by a full disk or an interrupted copy does not. Reads at most 64 KiB.
 */
export async function zipLooksWhole(file: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(file, 'r');
    const { size } = await handle.stat();
    // The record is 22 bytes plus a comment of up to 65,535 bytes.
    const length = Math.min(size, 22 + 65_535);
    if (length < 22) return false;
    const buffer = Buffer.alloc(length);
    await handle.read(buffer, 0, length, size - length);
    for (let at = length - 22; at >= 0; at--) {
      if (buffer.readUInt32LE(at) === 0x06054b50 && at + 22 + buffer.readUInt16LE(at + 20) <= length) return true;
    }
    return false;
  } catch {
    return false;
  } finally {
    await handle?.close();
  }
}
