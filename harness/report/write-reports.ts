import { randomBytes } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { KcboxError, describeError } from '../errors.js';
import type { MatrixResult } from '../check/result-types.js';
import { makeFolders } from './report-folders.js';
import { REPORT_FORMATS, type ReportFormat, isReportFormat, renderReport } from './report-format.js';
import { appendSummaryText, stepSummaryFile } from './step-summary.js';

/** A report to write: which format, to which file. */
export interface ReportTarget {
  readonly format: ReportFormat;
  /** The file; missing parent directories are created. */
  readonly path: string;
}

const EXPECTED_FORM = `expected FORMAT=PATH with FORMAT one of ${REPORT_FORMATS.join(', ')}, e.g. --report junit=reports/kcbox.xml`;

/**
 * Parses the values of repeatable `--report FORMAT=PATH` flags (the same shape a spec or
 * library caller gives).
 *
 * @throws KcboxError `ERR_KCBOX_USAGE` naming the flag and the value when a value is not
 *   `FORMAT=PATH`, names an unknown format, or repeats another report's file.
 * @example
 * parseReportTargets(['junit=reports/kcbox.xml', 'html=reports/kcbox.html']);
 * // [{ format: 'junit', path: 'reports/kcbox.xml' }, { format: 'html', path: 'reports/kcbox.html' }]
 */
export function parseReportTargets(values: readonly string[]): ReportTarget[] {
  const targets: ReportTarget[] = [];
  const seen = new Map<string, string>();
  for (const value of values) {
    const separator = value.indexOf('=');
    const format = separator < 0 ? '' : value.slice(0, separator).trim();
    const path = separator < 0 ? '' : value.slice(separator + 1).trim();
    if (!format || !path) throw new KcboxError('ERR_KCBOX_USAGE', `--report "${value}": ${EXPECTED_FORM}.`);
    if (!isReportFormat(format))
      throw new KcboxError('ERR_KCBOX_USAGE', `--report "${value}": unknown format "${format}"; ${EXPECTED_FORM}.`);
    const earlier = seen.get(resolve(path));
    if (earlier !== undefined) {
      throw new KcboxError(
        'ERR_KCBOX_USAGE',
        `--report "${value}": ${path} is already the file of --report "${earlier}"; give each report its own file.`,
      );
    }
    seen.set(resolve(path), value);
    targets.push({ format, path });
  }
  return targets;
}

/** Writes next to the file, then renames, so a reader never sees half a report. */
async function writeAtomically(path: string, text: string): Promise<void> {
  await makeFolders(dirname(path));
  const temporary = `${path}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temporary, text, 'utf8');
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/**
 * Renders the result in each target's format and writes the files, creating parent directories;
 * each file is replaced atomically, except a `summary` into `GITHUB_STEP_SUMMARY`'s file, which is
 * appended to as GitHub expects. One that cannot be written does not stop the others.
 * Resolves to the paths written, in target order.
 *
 * @throws KcboxError `ERR_KCBOX_REPORT_WRITE` naming each report and file that could not be written
 * (after writing every other one).
 * @example
 * const written = await writeReports(result, parseReportTargets(options.report));
 */
export async function writeReports(result: MatrixResult, targets: readonly ReportTarget[]): Promise<string[]> {
  return writeRendered(targets.map((target) => ({ ...target, render: () => renderReport(result, target.format) })));
}

/** A report file and how to render its text. */
export interface RenderedReport extends ReportTarget {
  readonly render: () => string;
}

/** {@link writeReports} for texts already chosen: each written (a job summary appended), failures collected. */
export async function writeRendered(reports: readonly RenderedReport[]): Promise<string[]> {
  const written: string[] = [];
  const failed: Array<{ target: ReportTarget; error: unknown }> = [];
  for (const target of reports) {
    try {
      const text = target.render();
      // GitHub's job summary file collects what every command of the step writes: append to it.
      if (target.format === 'summary' && resolve(target.path) === stepSummaryFile()) await appendSummaryText(target.path, text);
      else await writeAtomically(target.path, text);
      written.push(target.path);
    } catch (error) {
      failed.push({ target, error });
    }
  }
  if (failed.length > 0) {
    const lines = failed.map(({ target, error }) => `the ${target.format} report to ${target.path}: ${describeError(error)}`);
    throw new KcboxError(
      'ERR_KCBOX_REPORT_WRITE',
      `Could not write ${lines.join('; ')}. Check that the directory is writable, or choose another file with --report FORMAT=PATH.` +
        (written.length > 0 ? ` Written: ${written.join(', ')}.` : ''),
      { cause: failed[0]!.error },
    );
  }
  return written;
}
