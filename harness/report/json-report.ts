import type { MatrixResult } from '../check/result-types.js';
import { kcboxVersion } from '../package-info.js';

/** The JSON report: the {@link MatrixResult} itself plus what wrote it. */
export interface MatrixJsonReport extends MatrixResult {
  readonly kcbox: {
    readonly version: string;
    /** Bumped when a field changes meaning or disappears; new fields keep it. */
    /** 2: cells carry `outcome`, and `observed.kind` is `answered`, `timeout` or `network-error`. */
    readonly reportFormat: 2;
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
  const report: MatrixJsonReport = { kcbox: { version: kcboxVersion(), reportFormat: 2 }, ...result };
  return `${JSON.stringify(report, null, 2)}\n`;
}
