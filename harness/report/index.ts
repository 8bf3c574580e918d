/**
 * Reports on scope-matrix results: a terminal grid, and JSON, JUnit XML, markdown, HTML, SARIF and
 * job-summary files (the last two through `renderReport(result, 'sarif' | 'summary')`).
 * Every renderer reads only a `MatrixResult` (with its hostile-token suite, when it ran) and
 * returns text; only `writeReports` touches disk.
 */
export { renderMatrixText } from './terminal-grid.js';
export type { MatrixTextOptions } from './terminal-grid.js';
export { renderMatrixJson } from './json-report.js';
export type { MatrixJsonReport } from './json-report.js';
export { renderMatrixJunit } from './junit-report.js';
export { renderMatrixMarkdown } from './markdown-report.js';
export { renderMatrixHtml } from './html-report.js';
export { REPORT_FORMATS, isReportFormat, renderReport } from './report-format.js';
export type { ReportFormat } from './report-format.js';
export { parseReportTargets, writeReports } from './write-reports.js';
export type { ReportTarget } from './write-reports.js';
export { countHostile, countMatrix, hostileSummary, summaryLine } from './matrix-facts.js';
export type { CoverageCounts, HostileCounts, MatrixCounts, PeerCounts } from './matrix-facts.js';
export { renderVersionsJunit } from './junit-report.js';
export { renderVersionsJson, renderVersionsMarkdown, renderVersionsText, writeVersionReports } from './versions-report.js';
export type { VersionsJsonReport } from './versions-report.js';
