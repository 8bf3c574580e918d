/** `checkMatrix`: the check pipeline, its options and its result. */
export { checkMatrix, DEFAULT_CONCURRENCY } from './check-matrix.js';
export type { CheckMatrixOptions } from './check-matrix.js';
export { checkExitCode } from './exit-code.js';
export type { CheckTimings, EndpointSummary, IncompleteWork, MatrixResult } from './result-types.js';
export { checkMatrixVersions, parseKeycloakVersions } from './check-versions.js';
export type { CheckMatrixVersionsOptions, VersionResult } from './check-versions.js';
