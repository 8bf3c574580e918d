/**
 * A minimal ustar writer: enough for the few folders and realm files copied into a container
 * before it starts (the engine's archive API takes a tar), with no dependency.
 */

export interface TarEntry {
  /** Relative path, `/`-separated; a folder's ends with `/`. */
  readonly path: string;
  /** A file's content; none for a folder. */
  readonly content?: string | Buffer;
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
}

const BLOCK = 512;

function octal(value: number, width: number): string {
  // width - 1 digits and a NUL, as ustar wants.
  return `${value.toString(8).padStart(width - 1, '0')}\0`;
}

/** Name and prefix fields: up to 100 bytes of name, the rest (up to 155 bytes) in the prefix, split at a `/`. */
function splitPath(path: string): { name: string; prefix: string } {
  if (Buffer.byteLength(path) <= 100) return { name: path, prefix: '' };
  for (let slash = path.indexOf('/'); slash >= 0; slash = path.indexOf('/', slash + 1)) {
    const prefix = path.slice(0, slash);
    const name = path.slice(slash + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(name) <= 100 && name !== '') return { name, prefix };
  }
  throw new Error(`path too long for a tar header: ${path}`);
}

function header(entry: TarEntry, size: number, mtime: number): Buffer {
  const block = Buffer.alloc(BLOCK);
  const { name, prefix } = splitPath(entry.path);
  const folder = entry.path.endsWith('/');
  block.write(name, 0, 100, 'utf8');
  block.write(octal(entry.mode, 8), 100, 8, 'ascii');
  block.write(octal(entry.uid, 8), 108, 8, 'ascii');
  block.write(octal(entry.gid, 8), 116, 8, 'ascii');
  block.write(octal(size, 12), 124, 12, 'ascii');
  block.write(octal(mtime, 12), 136, 12, 'ascii');
  block.write(' '.repeat(8), 148, 8, 'ascii');
  block.write(folder ? '5' : '0', 156, 1, 'ascii');
  block.write('ustar\0', 257, 6, 'ascii');
  block.write('00', 263, 2, 'ascii');
  block.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'ascii');
  return block;
}

/** The archive: each entry's header and padded content, then the two empty end blocks. */
export function tarArchive(entries: readonly TarEntry[], mtime = Math.floor(Date.now() / 1000)): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    const content = entry.path.endsWith('/') ? Buffer.alloc(0) : Buffer.from(entry.content ?? '');
    parts.push(header(entry, content.length, mtime), content);
    const padding = (BLOCK - (content.length % BLOCK)) % BLOCK;
    if (padding > 0) parts.push(Buffer.alloc(padding));
  }
  parts.push(Buffer.alloc(BLOCK * 2));
  return Buffer.concat(parts);
}
