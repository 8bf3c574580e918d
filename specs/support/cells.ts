import type { MatrixResult } from '../../harness/check/result-types.js';

/** `endpoint × user` of every cell that did not pass, in result order. */
export const failedCells = (result: MatrixResult): string[] =>
  result.cells.filter((cell) => !cell.pass).map((cell) => `${cell.endpoint} × ${cell.user}`);

/** `endpoint × user` → status (or the kind of no-answer), for compact assertions. */
export function statusGrid(result: MatrixResult): Record<string, number | string | undefined> {
  return Object.fromEntries(result.cells.map((cell) => [`${cell.endpoint} × ${cell.user}`, cell.observed.status ?? cell.observed.kind]));
}

/** Each failed cell with what the backend said, and the backend's last output: a failure that explains itself. */
export function whyCellsFailed(result: MatrixResult): string {
  const cells = result.cells
    .filter((cell) => !cell.pass)
    .map((cell) => `${cell.endpoint} × ${cell.user}: ${cell.reason} (${cell.observed.excerpt.slice(0, 200)})`);
  return [...cells, '--- the backend’s last output:', result.backendOutput ?? '(none)'].join('\n');
}
