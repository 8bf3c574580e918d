import type { MatrixResult } from './result-types.js';

/**
 * The one place a finished check becomes an exit code: 2 when something could not be checked
 * (Keycloak, the backend or the machine failed: the run is evidence of nothing), 1 when the
 * backend or the realm disagrees with what was expected, 0 when it passed.
 */
export function checkExitCode(result: Pick<MatrixResult, 'incomplete' | 'passed'>): 0 | 1 | 2 {
  if (result.incomplete.length > 0) return 2;
  return result.passed ? 0 : 1;
}
