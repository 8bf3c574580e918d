/**
 * Reading the files users hand to kcbox (matrix files, realm files, drift inputs): bounded in size,
 * refused when they are not UTF-8 text, and located problems formatted as `FILE:LINE:COLUMN: …`.
 * This module knows no kind of file; its callers choose the limit and the error to throw.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { isUtf8 } from 'node:buffer';
import { describeError } from '../errors.js';

/** One thing wrong with an input file; line and column are 1-based. */
export interface InputProblem {
  readonly file: string;
  readonly line?: number;
  readonly column?: number;
  /** What is wrong, without the location. */
  readonly message: string;
  readonly cause?: unknown;
}

/** `FILE:LINE:COLUMN: message`, or `FILE: message` when the problem has no position. */
export function formatInputProblem(problem: InputProblem): string {
  return `${inputLocation(problem)}: ${problem.message}`;
}

/** `FILE:LINE:COLUMN`, `FILE:LINE` or `FILE`. */
export function inputLocation(problem: Pick<InputProblem, 'file' | 'line' | 'column'>): string {
  if (problem.line === undefined) return problem.file;
  return problem.column === undefined ? `${problem.file}:${problem.line}` : `${problem.file}:${problem.line}:${problem.column}`;
}

/** The longest value echoed in a message, in characters. */
export const ECHO_LIMIT = 80;

/**
 * Text for a message: control characters escaped (so a message stays one line) and cut at `max`
 * characters with an ellipsis (so a message cannot grow with its input).
 */
export function clip(text: string, max: number = ECHO_LIMIT): string {
  const oneLine = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (char) => {
    const escapes: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };
    return escapes[char] ?? `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
  if (oneLine.length <= max) return oneLine;
  let end = max - 1;
  // Never split a surrogate pair.
  if (/[\ud800-\udbff]/.test(oneLine.charAt(end - 1))) end -= 1;
  return `${oneLine.slice(0, end)}…`;
}

/** A value as it appears in a message: JSON (strings quoted), clipped. */
export function echo(value: unknown, max: number = ECHO_LIMIT): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch {
    json = undefined;
  }
  return clip(json ?? String(value), max);
}

/** A list for a message: at most `count` items, then how many more. */
export function echoList(items: readonly string[], count = 10): string {
  const shown = items.slice(0, count).map((item) => clip(item));
  return items.length > count ? `${shown.join(', ')} and ${items.length - count} more` : shown.join(', ');
}

/** `1.5 MiB (1572864 bytes)`. */
export function formatSize(bytes: number): string {
  const units: Array<[string, number]> = [
    ['GiB', 2 ** 30],
    ['MiB', 2 ** 20],
    ['KiB', 2 ** 10],
  ];
  const [unit, size] = units.find(([, size]) => bytes >= size) ?? ['bytes', 1];
  const amount = unit === 'bytes' ? String(bytes) : `${Number((bytes / size).toFixed(1))} ${unit}`;
  return unit === 'bytes' ? `${amount} bytes` : `${amount} (${bytes} bytes)`;
}

function formatLimit(bytes: number): string {
  return formatSize(bytes).replace(/ \(\d+ bytes\)$/, '');
}

export interface TextFileOptions {
  /** The most bytes kcbox reads from this file; checked with stat before reading, and while reading. */
  readonly maxBytes: number;
  /** What the file is, for messages: `matrix file`, `realm file`. */
  readonly what: string;
  /** The formats it may hold, for messages: `JSON`, `YAML/JSON`. */
  readonly format: string;
  /** Makes the error to throw for a problem (each caller throws its own code). */
  readonly fail: (problem: InputProblem) => Error;
}

function tooLarge(file: string, bytes: number, options: TextFileOptions, atLeast: boolean): Error {
  return options.fail({
    file,
    message:
      `${atLeast ? 'more than ' : ''}${formatSize(bytes)} is too large for a ${options.what}: ` +
      `the limit is ${formatLimit(options.maxBytes)}`,
  });
}

function cannotRead(file: string, error: unknown, options: TextFileOptions): Error {
  return options.fail({ file, message: `cannot read the ${options.what} (${describeError(error)})`, cause: error });
}

/** Offset of the first byte that is not UTF-8, once `isUtf8` said there is one. */
function firstInvalidUtf8(bytes: Buffer, decoded: string): { byte: number; index: number } {
  for (let index = decoded.indexOf('\ufffd'); index !== -1; index = decoded.indexOf('\ufffd', index + 1)) {
    // Everything before `index` decoded cleanly, so its UTF-8 length is its byte offset.
    const byte = Buffer.byteLength(decoded.slice(0, index));
    if (!(bytes[byte] === 0xef && bytes[byte + 1] === 0xbf && bytes[byte + 2] === 0xbd)) return { byte, index };
  }
  return { byte: 0, index: 0 };
}

/** 1-based line and column of a character offset in a text. */
export function lineAndColumnAt(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let at = text.indexOf('\n'); at !== -1 && at < offset; at = text.indexOf('\n', at + 1)) {
    line += 1;
    lineStart = at + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

/** The bytes as text: refused unless UTF-8 without NUL; a leading byte order mark is dropped. */
export function decodeText(file: string, bytes: Buffer, options: TextFileOptions): string {
  const notText = `not a text (${options.format}) file`;
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    throw options.fail({ file, message: `${notText}: it is UTF-16 text; save it as UTF-8` });
  }
  const nul = bytes.indexOf(0);
  if (nul !== -1) throw options.fail({ file, message: `${notText}: it holds a NUL byte (at byte ${nul})` });
  const decoded = bytes.toString('utf8');
  if (!isUtf8(bytes)) {
    const { byte, index } = firstInvalidUtf8(bytes, decoded);
    const value = `0x${(bytes[byte] ?? 0).toString(16).toUpperCase().padStart(2, '0')}`;
    throw options.fail({
      file,
      ...lineAndColumnAt(decoded, index),
      message: `${notText}: byte ${value} (at byte ${byte}) is not UTF-8; save the file as UTF-8`,
    });
  }
  return decoded.charCodeAt(0) === 0xfeff ? decoded.slice(1) : decoded;
}

const CHUNK = 256 * 1024;

/** Bytes read so far; refuses the file once they pass the limit (a pipe, or a file that grew). */
class Collected {
  private readonly chunks: Buffer[] = [];
  private total = 0;

  constructor(
    private readonly file: string,
    private readonly options: TextFileOptions,
  ) {}

  add(chunk: Buffer, bytesRead: number): void {
    this.total += bytesRead;
    if (this.total > this.options.maxBytes) throw tooLarge(this.file, this.total, this.options, true);
    this.chunks.push(chunk.subarray(0, bytesRead));
  }

  text(): string {
    return decodeText(this.file, Buffer.concat(this.chunks, this.total), this.options);
  }
}

/**
 * Reads a text file of at most `maxBytes`: the size is checked with stat before reading (and the
 * read stops past the limit, for pipes and files that grow), then the bytes must be UTF-8 text.
 */
export async function readTextFile(file: string, options: TextFileOptions): Promise<string> {
  const io = async <T>(run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      throw cannotRead(file, error, options);
    }
  };
  const { size } = await io(() => stat(file));
  if (size > options.maxBytes) throw tooLarge(file, size, options, false);
  const handle = await io(() => open(file, 'r'));
  const collected = new Collected(file, options);
  try {
    for (;;) {
      const chunk = Buffer.allocUnsafe(CHUNK);
      const { bytesRead } = await io(() => handle.read(chunk, 0, CHUNK, null));
      if (bytesRead === 0) break;
      collected.add(chunk, bytesRead);
    }
  } finally {
    await handle.close();
  }
  return collected.text();
}

/** {@link readTextFile}, synchronously. */
export function readTextFileSync(file: string, options: TextFileOptions): string {
  const io = <T>(run: () => T): T => {
    try {
      return run();
    } catch (error) {
      throw cannotRead(file, error, options);
    }
  };
  const { size } = io(() => statSync(file));
  if (size > options.maxBytes) throw tooLarge(file, size, options, false);
  const descriptor = io(() => openSync(file, 'r'));
  const collected = new Collected(file, options);
  try {
    for (;;) {
      const chunk = Buffer.allocUnsafe(CHUNK);
      const bytesRead = io(() => readSync(descriptor, chunk, 0, CHUNK, null));
      if (bytesRead === 0) break;
      collected.add(chunk, bytesRead);
    }
  } finally {
    closeSync(descriptor);
  }
  return collected.text();
}
