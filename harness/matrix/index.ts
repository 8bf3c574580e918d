/** Scope-matrix checks: the spec, the run, the result. */
export { checkMatrix, DEFAULT_CONCURRENCY } from './check-matrix.js';
export type { CheckMatrixOptions, MatrixServer } from './check-matrix.js';
export { loadMatrixSpec, loadMatrixSpecSync, parseMatrixSpec, parseRequirement } from './spec-load.js';
export type { ParseMatrixOptions } from './spec-load.js';
export { matrixSpecSchema } from './spec-schema.js';
export { MatrixSpecError } from './spec-error.js';
export type { SpecProblem } from './spec-error.js';
export { startBackend } from './backend-process.js';
export type { StartedBackend, BackendKeycloakEnv } from './backend-process.js';
export { runRequests } from './runner.js';
export type { RequestPlan, RunRequestsOptions } from './runner.js';
export * from './types.js';
