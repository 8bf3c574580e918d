import type { MatrixResult } from '../matrix/types.js';
import { kcboxVersion } from '../package-info.js';

/** The JSON report: the {@link MatrixResult} itself plus what wrote it. */
export interface MatrixJsonReport extends MatrixResult {
  readonly kcbox: {
    readonly version: string;
    /** Bumped when a field changes meaning or disappears; new fields keep it. */
    readonly reportFormat: 1;
  };
}

/**
 * The result as pretty JSON, with `kcbox.version` and `kcbox.reportFormat` first.
 * Fields that are `undefined` are left out.
 *
 * @example
 * const report = JSON.parse(renderMatrixJson(result)) as MatrixJsonReport;
 */
export function renderMatrixJson(result: MatrixResult): string {
  const report: MatrixJsonReport = { kcbox: { version: kcboxVersion(), reportFormat: 1 }, ...result };
  return `${JSON.stringify(report, null, 2)}\n`;
}
