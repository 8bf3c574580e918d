import { truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readJsonFile } from '../../harness/drift/drift.js';
import { clip, readTextFileSync } from '../../harness/input/text-file.js';
import { MatrixSpecError } from '../../harness/matrix/spec-error.js';
import { MATRIX_FILE_MAX_BYTES, loadMatrixSpec, parseMatrixSpec } from '../../harness/matrix/spec-load.js';
import { REALM_FILE_MAX_BYTES, loadRealm } from '../../harness/realm/realm-input.js';
import { useTempDir } from '../support/temp.js';

const tempDir = useTempDir();

function file(name: string, content: string | Buffer): string {
  const path = join(tempDir(), name);
  writeFileSync(path, content);
  return path;
}

/** A file of `size` bytes without writing them (sparse). */
function sized(name: string, size: number): string {
  const path = file(name, '');
  truncateSync(path, size);
  return path;
}

async function messageOf(run: () => Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await run();
  } catch (error) {
    return { code: (error as { code: string }).code, message: (error as Error).message };
  }
  throw new Error('expected an error');
}

/** Binary garbage with a NUL byte and bytes that are not UTF-8, 128 KB of it. */
const garbage = Buffer.from(Array.from({ length: 128 * 1024 }, (_, index) => (index * 7919 + 13) % 256));

describe('JSON syntax errors in input files: FILE:LINE:COLUMN', () => {
  const broken: Array<[string, string, string]> = [
    ['trailing comma', '{\n  "realm": "r",\n}\n', "3:1: malformed JSON: trailing comma before '}'"],
    ['missing comma', '{\n  "realm": "r"\n  "enabled": true\n}\n', "3:3: malformed JSON: expected ',' or '}' after the property value"],
    ['unterminated string', '{\n  "realm": "r\n}\n', `2:12: malformed JSON: unterminated string: no closing '"'`],
    ['truncated', '{\n  "realm": "r",\n  "users": [', "3:13: malformed JSON: expected ']' to close the list, found the end of the file"],
    ['bare word', '{\n  "realm": r\n}\n', "2:12: malformed JSON: unexpected 'r' (strings and property names need double quotes"],
  ];

  it.each(broken)('realm file, %s', async (_name, text, expected) => {
    const path = file('realm.json', text);
    const error = await messageOf(() => loadRealm(path));
    expect(error.code).toBe('ERR_KCBOX_REALM_FILE');
    expect(error.message.startsWith(`${path}:${expected}`)).toBe(true);
  });

  it.each(broken)('drift input, %s', async (_name, text, expected) => {
    const path = file('authz.json', text);
    const error = await messageOf(() => readJsonFile(path));
    expect(error.code).toBe('ERR_KCBOX_DRIFT_INPUT');
    expect(error.message.startsWith(`${path}:${expected}`)).toBe(true);
  });

  it.each(broken)('JSON matrix file, %s', async (_name, text, expected) => {
    const path = file('matrix.json', text);
    const error = await messageOf(() => loadMatrixSpec(path));
    expect(error.code).toBe('ERR_KCBOX_MATRIX_SPEC');
    expect(error.message).toContain(`\n  ${path}:${expected}`);
  });

  it('holds a .json matrix to JSON, though YAML would take it', () => {
    expect(() => parseMatrixSpec('{"users": [alice,],}', { file: 'm.json' })).toThrow("m.json:1:12: malformed JSON: unexpected 'alice'");
  });

  it('reads a file that starts with a UTF-8 byte order mark', async () => {
    const path = file('bom-realm.json', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"realm": "bom"}')]));
    expect((await loadRealm(path)).name).toBe('bom');
    expect(await readJsonFile(path)).toEqual({ realm: 'bom' });
  });
});

describe('files that are not text', () => {
  it('refuses binary garbage as a matrix in one short line', async () => {
    const path = file('garbage.yaml', garbage);
    const error = await messageOf(() => loadMatrixSpec(path));
    expect(error.message).toBe(`The matrix spec has a problem:\n  ${path}: not a text (YAML/JSON) file: it holds a NUL byte (at byte 61)`);
  });

  it('refuses a realm file in another encoding, naming the byte and where it is', async () => {
    const path = file('latin1.json', Buffer.from('{\n  "realm": "caf\xe9"\n}\n', 'latin1'));
    const error = await messageOf(() => loadRealm(path));
    expect(error).toEqual({
      code: 'ERR_KCBOX_REALM_FILE',
      message: `${path}:2:16: not a text (JSON) file: byte 0xE9 (at byte 17) is not UTF-8; save the file as UTF-8.`,
    });
  });

  it('refuses UTF-16 and binary drift inputs', async () => {
    const utf16 = file('authz.json', Buffer.from('\ufeff{"a": 1}', 'utf16le'));
    expect(await messageOf(() => readJsonFile(utf16))).toEqual({
      code: 'ERR_KCBOX_DRIFT_INPUT',
      message: `${utf16}: not a text (JSON) file: it is UTF-16 text; save it as UTF-8.`,
    });
    const binary = file('binary.json', garbage);
    const error = await messageOf(() => readJsonFile(binary));
    expect(error.message).toBe(`${binary}: not a text (JSON) file: it holds a NUL byte (at byte 61).`);
  });
});

describe('size limits, checked before reading', () => {
  it('refuses a matrix file over 1 MiB', async () => {
    expect(MATRIX_FILE_MAX_BYTES).toBe(1024 * 1024);
    const path = sized('big.yaml', 10 * 1024 * 1024);
    const error = await messageOf(() => loadMatrixSpec(path));
    expect(error).toEqual({
      code: 'ERR_KCBOX_MATRIX_SPEC',
      message: `The matrix spec has a problem:\n  ${path}: 10 MiB (10485760 bytes) is too large for a matrix file: the limit is 1 MiB`,
    });
  });

  it('refuses realm files and drift inputs over 50 MiB', async () => {
    expect(REALM_FILE_MAX_BYTES).toBe(50 * 1024 * 1024);
    const path = sized('huge-realm.json', REALM_FILE_MAX_BYTES + 1);
    expect(await messageOf(() => loadRealm(path))).toEqual({
      code: 'ERR_KCBOX_REALM_FILE',
      message: `${path}: 50 MiB (52428801 bytes) is too large for a realm file: the limit is 50 MiB.`,
    });
    expect(await messageOf(() => readJsonFile(path))).toMatchObject({
      code: 'ERR_KCBOX_DRIFT_INPUT',
      message: `${path}: 50 MiB (52428801 bytes) is too large for a file: the limit is 50 MiB.`,
    });
  });

  it('takes a file at the limit', async () => {
    const path = file('edge.yaml', '');
    truncateSync(path, MATRIX_FILE_MAX_BYTES);
    // Reaches the text check (zeros are NUL bytes), so the size was accepted.
    await expect(loadMatrixSpec(path)).rejects.toThrow('not a text (YAML/JSON) file');
  });

  it.skipIf(process.platform === 'win32')('stops reading a stream that passes the limit', () => {
    const options = {
      maxBytes: 1024,
      what: 'matrix file',
      format: 'YAML/JSON',
      fail: (problem: { message: string }) => new Error(problem.message),
    };
    expect(() => readTextFileSync('/dev/zero', options)).toThrow(/^more than .* is too large for a matrix file: the limit is 1 KiB$/);
  });
});

describe('values echoed in messages are clipped', () => {
  const header = 'keycloak: {realm: r.json, client: c}\nbackend: {url: "http://127.0.0.1:1"}\nusers: [alice]\n';

  it('clips a long value in a matrix problem', () => {
    let error: unknown;
    try {
      parseMatrixSpec(`${header}status: ${'z'.repeat(100_000)}\nendpoints: [{method: GET, path: /, scope: public}]\n`, {
        file: 'm.yaml',
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(MatrixSpecError);
    const message = (error as MatrixSpecError).message;
    expect(message).toMatch(/m\.yaml:4: status: must be one of "lenient", "strict"; got "z{78}…$/);
    expect(message.length).toBeLessThan(200);
  });

  it('clips a long field name and a long unset placeholder', async () => {
    expect(() =>
      parseMatrixSpec(`${header}${'k'.repeat(1000)}: 1\nendpoints: [{method: GET, path: /, scope: public}]\n`, { file: 'm.yaml' }),
    ).toThrow(/unknown field "k{78}… \(expected one of/);
    const name = `X${'Y'.repeat(10_000)}`;
    const path = file('placeholder-realm.json', JSON.stringify({ realm: 'r', displayName: `\${${name}}` }));
    const error = await messageOf(() => loadRealm(path, { env: {} }));
    expect(error.message).toContain('$.displayName: ${XYYY');
    expect(error.message.length).toBeLessThan(400);
  });

  it('names ten unset placeholders and counts the rest', async () => {
    const attributes = Object.fromEntries(Array.from({ length: 500 }, (_, index) => [`a${index}`, `\${UNSET_${index}}`]));
    const path = file('many-placeholders.json', JSON.stringify({ realm: 'r', attributes }));
    const error = await messageOf(() => loadRealm(path, { env: {} }));
    expect(error.message).toMatch(/UNSET_9\b.*; and 490 more unset placeholders\.$/);
  });

  it('keeps a clipped value on one line and whole surrogate pairs', () => {
    expect(clip('a\nb\u0000c')).toBe('a\\nb\\u0000c');
    expect(clip(`${'x'.repeat(78)}😀tail`)).toBe(`${'x'.repeat(78)}…`);
    expect(clip('short')).toBe('short');
  });
});
