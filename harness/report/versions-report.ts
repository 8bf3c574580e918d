/**
 * Reports on one matrix check run against several Keycloak versions: each version's result rendered
 * as usual, under its version. JSON is keyed by version and JUnit has a suite per version; markdown
 * and the job summary put the versions' sections one after the other; HTML and SARIF, one file per
 * version (`kcbox.sarif` → `kcbox-26.4.7.sarif`), since a page or a code-scanning category is about
 * one run.
 */
import { extname } from 'node:path';
import pc from 'picocolors';
import type { VersionResult } from '../check/check-versions.js';
import { kcboxVersion } from '../package-info.js';
import { renderVersionsJunit } from './junit-report.js';
import { renderMatrixMarkdown } from './markdown-report.js';
import { VERDICT_LABEL, countMatrix, summaryLine, verdictOf } from './matrix-facts.js';
import { type ReportFormat, renderReport } from './report-format.js';
import { renderMatrixSummary } from './summary-report.js';
import { type MatrixTextOptions, renderMatrixText } from './terminal-grid.js';
import { type ReportTarget, writeRendered } from './write-reports.js';

/** The JSON report across versions: each version's result under its version, in run order. */
export interface VersionsJsonReport {
  readonly kcbox: { readonly version: string; readonly reportFormat: 2 };
  readonly passed: boolean;
  readonly versions: Readonly<Record<string, VersionResult['result']>>;
}

/** `Keycloak 26.4.7: PASS · 20 cells: 20 passed…`, one line per version. */
export function versionLines(runs: readonly VersionResult[]): string[] {
  return runs.map(
    ({ version, result }) => `Keycloak ${version}: ${VERDICT_LABEL[verdictOf(result)]} · ${summaryLine(countMatrix(result))}`,
  );
}

/** Each version's grid under a `Keycloak VERSION` heading, then one verdict line per version. */
export function renderVersionsText(runs: readonly VersionResult[], options: MatrixTextOptions): string {
  const c = pc.createColors(options.color);
  const grids = runs.map(({ version, result }) => `${c.bold(`━━ Keycloak ${version} ━━`)}\n${renderMatrixText(result, options)}`);
  return `${grids.join('\n\n')}\n\n${c.bold('Across Keycloak versions')}\n${versionLines(runs)
    .map((line) => `  ${line}`)
    .join('\n')}`;
}

export function renderVersionsJson(runs: readonly VersionResult[]): string {
  const report: VersionsJsonReport = {
    kcbox: { version: kcboxVersion(), reportFormat: 2 },
    passed: runs.every((run) => run.result.passed && run.result.incomplete.length === 0),
    versions: Object.fromEntries(runs.map((run) => [run.version, run.result])),
  };
  return `${JSON.stringify(report, null, 2)}\n`;
}

/** A version's markdown with its version in its first heading. */
const underVersion = (version: string, markdown: string) => markdown.replace(/^## kcbox/, `## Keycloak ${version} · kcbox`);

function versionsMarkdown(runs: readonly VersionResult[], render: (result: VersionResult['result']) => string): string {
  const overview = ['# kcbox across Keycloak versions', '', ...versionLines(runs).map((line) => `- ${line}`)].join('\n');
  return `${[overview, ...runs.map(({ version, result }) => underVersion(version, render(result)).trimEnd())].join('\n\n')}\n`;
}

export const renderVersionsMarkdown = (runs: readonly VersionResult[]) => versionsMarkdown(runs, renderMatrixMarkdown);
export const renderVersionsSummary = (runs: readonly VersionResult[]) => versionsMarkdown(runs, (result) => renderMatrixSummary(result));

/** `reports/kcbox.sarif` → `reports/kcbox-26.4.7.sarif`. */
export function versionPath(path: string, version: string): string {
  const extension = extname(path);
  return `${path.slice(0, path.length - extension.length)}-${version}${extension}`;
}

const combined: Partial<Record<ReportFormat, (runs: readonly VersionResult[]) => string>> = {
  json: renderVersionsJson,
  junit: renderVersionsJunit,
  md: renderVersionsMarkdown,
  summary: renderVersionsSummary,
};

/**
 * Writes each target across the versions: one file for json, junit, md and summary, one per
 * version for html and sarif (see {@link versionPath}). Resolves to the paths written.
 */
export async function writeVersionReports(runs: readonly VersionResult[], targets: readonly ReportTarget[]): Promise<string[]> {
  return writeRendered(
    targets.flatMap((target) => {
      const render = combined[target.format];
      if (render) return [{ ...target, render: () => render(runs) }];
      return runs.map(({ version, result }) => ({
        format: target.format,
        path: versionPath(target.path, version),
        render: () => renderReport(result, target.format),
      }));
    }),
  );
}
