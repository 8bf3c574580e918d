import type { MatrixResult } from '../check/result-types.js';
import { renderMatrixHtml } from './html-report.js';
import { renderMatrixJson } from './json-report.js';
import { renderMatrixJunit } from './junit-report.js';
import { renderMatrixMarkdown } from './markdown-report.js';
import { renderMatrixSarif } from './sarif-report.js';
import { renderMatrixSummary } from './summary-report.js';

/**
 * The file formats a report can be written in: JSON, JUnit XML, markdown, HTML, SARIF 2.1.0 (code
 * scanning) and a short markdown summary for a CI job page.
 */
export type ReportFormat = 'json' | 'junit' | 'md' | 'html' | 'sarif' | 'summary';

const renderers: Readonly<Record<ReportFormat, (result: MatrixResult) => string>> = {
  json: renderMatrixJson,
  junit: renderMatrixJunit,
  md: renderMatrixMarkdown,
  html: renderMatrixHtml,
  sarif: (result) => renderMatrixSarif(result),
  summary: (result) => renderMatrixSummary(result),
};

/** Every {@link ReportFormat}, in the order help texts list them. */
export const REPORT_FORMATS: readonly ReportFormat[] = Object.keys(renderers) as ReportFormat[];

export function isReportFormat(value: string): value is ReportFormat {
  return Object.hasOwn(renderers, value);
}

/**
 * The result rendered in one format, as the file's text.
 *
 * @example
 * const xml = renderReport(result, 'junit');
 */
export function renderReport(result: MatrixResult, format: ReportFormat): string {
  return renderers[format](result);
}
