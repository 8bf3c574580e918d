/**
 * GitHub-flavoured markdown pieces that keep report text inert: plain text, code spans and table
 * rows that no character of an endpoint, a user or a response can break out of.
 */

/** Plain text with the characters that start emphasis, links, code or HTML backslash-escaped. */
export const plain = (text: string): string => text.replace(/[\\`*_[\]<>~]/g, '\\$&');

/** A code span that survives backticks in the text. */
export function code(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}

/** Table cells end at `|`, even inside code spans, unless escaped; a newline ends the row. */
const tableCell = (text: string): string => text.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|');

/** One table row. */
export const tableRow = (cells: readonly string[]): string => `| ${cells.map(tableCell).join(' | ')} |`;
