import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KcboxError } from '../../harness/errors.js';
import { parseReportTargets, renderMatrixMarkdown, writeReports } from '../../harness/report/index.js';
import { matrixResult } from '../support/matrix-result.js';
import { useTempDir } from '../support/temp.js';

const tempDir = useTempDir();

function usageError(values: string[]): KcboxError {
  try {
    parseReportTargets(values);
  } catch (error) {
    if (error instanceof KcboxError) return error;
    throw error;
  }
  throw new Error(`parseReportTargets(${JSON.stringify(values)}) did not throw`);
}

describe('parseReportTargets', () => {
  it('reads repeatable FORMAT=PATH values', () => {
    expect(parseReportTargets(['junit=reports/kcbox.xml', 'html=out/a=b.html', 'md=summary.md', 'json=r.json'])).toEqual([
      { format: 'junit', path: 'reports/kcbox.xml' },
      { format: 'html', path: 'out/a=b.html' },
      { format: 'md', path: 'summary.md' },
      { format: 'json', path: 'r.json' },
    ]);
    expect(parseReportTargets([])).toEqual([]);
  });

  it('rejects a value that is not FORMAT=PATH, naming the flag, the value and the form', () => {
    for (const value of ['junit', 'junit=', '=out.xml']) {
      const error = usageError([value]);
      expect(error.code).toBe('ERR_KCBOX_USAGE');
      expect(error.message).toBe(
        `--report "${value}": expected FORMAT=PATH with FORMAT one of json, junit, md, html, sarif, summary, e.g. --report junit=reports/kcbox.xml.`,
      );
    }
  });

  it('rejects an unknown format and two reports into one file', () => {
    expect(usageError(['xml=out.xml']).message).toBe(
      '--report "xml=out.xml": unknown format "xml"; expected FORMAT=PATH with FORMAT one of json, junit, md, html, sarif, summary, e.g. --report junit=reports/kcbox.xml.',
    );
    expect(usageError(['json=out/r.txt', 'md=./out/r.txt']).message).toBe(
      '--report "md=./out/r.txt": ./out/r.txt is already the file of --report "json=out/r.txt"; give each report its own file.',
    );
  });
});

describe('writeReports', () => {
  it('creates missing directories and writes every report, leaving no temporary files', async () => {
    const folder = tempDir();
    const targets = parseReportTargets([
      `md=${join(folder, 'a/b/c/summary.md')}`,
      `junit=${join(folder, 'x/kcbox.xml')}`,
      `json=${join(folder, 'kcbox.json')}`,
      `html=${join(folder, 'a/kcbox.html')}`,
    ]);
    const written = await writeReports(matrixResult(), targets);
    expect(written).toEqual(targets.map((target) => target.path));
    expect(readFileSync(join(folder, 'a/b/c/summary.md'), 'utf8')).toBe(renderMatrixMarkdown(matrixResult()));
    expect(readFileSync(join(folder, 'x/kcbox.xml'), 'utf8')).toMatch(/^<\?xml/);
    expect(readFileSync(join(folder, 'a/kcbox.html'), 'utf8')).toMatch(/^<!doctype html>/);
    expect(readdirSync(join(folder, 'a/b/c'))).toEqual(['summary.md']);
  });

  it('replaces an existing report', async () => {
    const file = join(tempDir(), 'kcbox.json');
    writeFileSync(file, 'old');
    await writeReports(matrixResult(), [{ format: 'json', path: file }]);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ kcbox: { reportFormat: 2 } });
  });

  it('says which report it could not write, and where, after writing the others', async () => {
    const folder = tempDir();
    const blocker = join(folder, 'file');
    writeFileSync(blocker, '');
    const path = join(blocker, 'kcbox.xml');
    const json = join(folder, 'kcbox.json');
    const failure = writeReports(matrixResult(), [
      { format: 'junit', path },
      { format: 'json', path: json },
    ]);
    await expect(failure).rejects.toMatchObject({
      code: 'ERR_KCBOX_REPORT_WRITE',
      exitCode: 2,
      message: expect.stringContaining(`Could not write the junit report to ${path}:`),
    });
    await expect(failure).rejects.toThrow(`Written: ${json}.`);
    expect(JSON.parse(readFileSync(json, 'utf8'))).toMatchObject({ kcbox: { reportFormat: 2 } });
  });
});
