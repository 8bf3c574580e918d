import type { MatrixResult } from './result-types.js';

/**
 * The one place a finished check becomes an exit code: 2 when something could not be checked
 * (Keycloak, the backend or the machine failed: the run is evidence of nothing), 1 when the
 * backend or the realm disagrees with what was expected, 0 when it passed. Given the results of
 * several Keycloak versions, the worst of them: one version's failure fails the check.
 */
export function checkExitCode(
  result: Pick<MatrixResult, 'incomplete' | 'passed'> | ReadonlyArray<Pick<MatrixResult, 'incomplete' | 'passed'>>,
): 0 | 1 | 2 {
  const results = 'passed' in result ? [result] : result;
  let code: 0 | 1 | 2 = 0;
  for (const each of results) {
    if (each.incomplete.length > 0) return 2;
    if (!each.passed) code = 1;
  }
  return code;
}
