/**
 * The coverage gate in every report: the operations of the OpenAPI document that no matrix entry
 * calls (findings) and the ones skipped with a reason, worded once here for the terminal,
 * markdown and HTML (the summary line, in every report, comes from `summaryLine`).
 */
import escapeHtml from 'escape-html';
import type pc from 'picocolors';
import type { OpenApiCoverage } from '../openapi/coverage.js';
import { code, plain } from './markdown-text.js';
import { UNCOVERED_NOTE, UNCOVERED_TITLE, countCoverage, coverageLabel } from './matrix-facts.js';

type Colors = ReturnType<typeof pc.createColors>;

/** `OpenAPI coverage (api.yaml): 5 of 7 operations (…)`. */
const headline = (coverage: OpenApiCoverage): string =>
  coverageLabel(countCoverage(coverage)).replace('OpenAPI coverage', `OpenAPI coverage (${coverage.file})`);

export function coverageText(coverage: OpenApiCoverage | undefined, c: Colors): string | undefined {
  if (!coverage) return undefined;
  const lines = [c.bold(headline(coverage))];
  if (coverage.uncovered.length > 0) {
    lines.push(`${c.red(c.bold(`${UNCOVERED_TITLE} (${coverage.uncovered.length})`))} ${c.dim(UNCOVERED_NOTE)}`);
    lines.push(...coverage.uncovered.map((operation) => `${c.red('✗')} ${operation}`));
  }
  lines.push(...coverage.skipped.map((skip) => `${c.dim('-')} ${skip.operation} ${c.dim(`skipped: ${skip.reason}`)}`));
  return lines.join('\n');
}

export function coverageMarkdown(coverage: OpenApiCoverage | undefined): string | undefined {
  if (!coverage) return undefined;
  const parts = [`### ${plain(headline(coverage))}`];
  if (coverage.uncovered.length > 0)
    parts.push(
      `**${UNCOVERED_TITLE} (${coverage.uncovered.length})**: ${plain(UNCOVERED_NOTE)}\n\n${coverage.uncovered.map((operation) => `- ❌ ${code(operation)}`).join('\n')}`,
    );
  if (coverage.skipped.length > 0)
    parts.push(coverage.skipped.map((skip) => `- ⏭️ ${code(skip.operation)} skipped: ${plain(skip.reason)}`).join('\n'));
  return parts.join('\n\n');
}

export function coverageHtml(coverage: OpenApiCoverage | undefined): string | undefined {
  if (!coverage) return undefined;
  const rows = [
    ...coverage.uncovered.map((operation) => `<tr><td>${escapeHtml(operation)}</td><td>✗ no matrix entry</td></tr>`),
    ...coverage.skipped.map((skip) => `<tr><td>${escapeHtml(skip.operation)}</td><td>skipped: ${escapeHtml(skip.reason)}</td></tr>`),
  ];
  const table =
    rows.length === 0
      ? ''
      : `\n<p>${escapeHtml(UNCOVERED_NOTE)}</p>\n<table class="findings"><thead><tr><th>Operation</th><th>Status</th></tr></thead><tbody>\n${rows.join('\n')}\n</tbody></table>`;
  return `<section id="openapi-coverage">\n<h2>${escapeHtml(headline(coverage))}</h2>${table}\n</section>`;
}
