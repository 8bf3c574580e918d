/** Scope-matrix specs: loading and validating them, and the shapes of their cells. */
export { loadMatrixSpec, loadMatrixSpecSync, parseMatrixSpec } from './spec-load.js';
export type { ParseMatrixOptions } from './spec-load.js';
export { MatrixSpecError } from './spec-error.js';
export type { SpecProblem } from './spec-error.js';
export { ANONYMOUS } from './types.js';
export type {
  BackendImage,
  CellOutcome,
  CellResult,
  DenyStatuses,
  Expectation,
  MatrixBackend,
  MatrixEndpoint,
  MatrixKeycloak,
  MatrixSpec,
  Observation,
  RealmFinding,
  Requirement,
  SourceLocation,
  TokenSource,
} from './types.js';
