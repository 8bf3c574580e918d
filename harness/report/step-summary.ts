import { appendFile, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { KcboxError, describeError } from '../errors.js';
import type { MatrixResult } from '../check/result-types.js';
import { makeFolders } from './report-folders.js';
import { renderMatrixSummary } from './summary-report.js';

/** The variable GitHub Actions sets to the file whose markdown it shows on the job page. */
export const STEP_SUMMARY_VARIABLE = 'GITHUB_STEP_SUMMARY';

/** The job summary file (absolute), or undefined when not running in a GitHub Actions step. */
export function stepSummaryFile(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const file = env[STEP_SUMMARY_VARIABLE]?.trim();
  return file ? resolve(file) : undefined;
}

/**
 * Appends text to a file as GitHub expects of a job summary: what earlier commands of the step
 * wrote stays, separated by a blank line.
 */
export async function appendSummaryText(path: string, text: string): Promise<void> {
  await makeFolders(dirname(path));
  const size = await stat(path).then(
    (stats) => stats.size,
    () => 0,
  );
  await appendFile(path, size > 0 ? `\n${text}` : text, 'utf8');
}

/**
 * Appends the {@link renderMatrixSummary} of the result (or the text a function renders, e.g. one
 * summary across Keycloak versions) to `GITHUB_STEP_SUMMARY` when that variable
 * is set, unless a `summary` report already goes to that file (it is appended there too). Resolves
 * to the file appended to, or undefined when there was none to append to.
 *
 * @throws KcboxError `ERR_KCBOX_REPORT_WRITE` when the file cannot be written.
 * @example
 * await appendStepSummary(result, parseReportTargets(options.report));
 */
export async function appendStepSummary(
  result: MatrixResult | (() => string),
  targets: ReadonlyArray<{ readonly format: string; readonly path: string }> = [],
  env: NodeJS.ProcessEnv = process.env,
): Promise<string | undefined> {
  const file = stepSummaryFile(env);
  if (!file) return undefined;
  if (targets.some((target) => target.format === 'summary' && resolve(target.path) === file)) return undefined;
  try {
    await appendSummaryText(file, typeof result === 'function' ? result() : renderMatrixSummary(result));
  } catch (error) {
    throw new KcboxError(
      'ERR_KCBOX_REPORT_WRITE',
      `Could not append the job summary to ${file} (${STEP_SUMMARY_VARIABLE}): ${describeError(error)}.`,
      { cause: error },
    );
  }
  return file;
}
