import { open } from 'node:fs/promises';

/** The last `count` lines of a (possibly large) log file; empty when it cannot be read. */
export async function tailLines(file: string, count: number): Promise<string[]> {
  let handle;
  try {
    handle = await open(file, 'r');
    const { size } = await handle.stat();
    const length = Math.min(size, 256 * 1024);
    const buffer = Buffer.alloc(length);
    await handle.read(buffer, 0, length, size - length);
    const lines = buffer.toString('utf8').split('\n');
    if (lines.at(-1) === '') lines.pop();
    return lines.slice(-count);
  } catch {
    return [];
  } finally {
    await handle?.close();
  }
}
