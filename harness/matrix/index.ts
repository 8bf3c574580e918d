/** Scope-matrix specs: loading and validating them, and the shapes of their cells. */
export { loadMatrixSpec, loadMatrixSpecSync, parseMatrixSpec } from './spec-load.js';
export type { ParseMatrixOptions } from './spec-load.js';
export { MatrixSpecError } from './spec-error.js';
export type { SpecProblem } from './spec-error.js';
export { ANONYMOUS } from './types.js';
export type {
  BackendImage,
  Caller,
  CellOutcome,
  CellResult,
  DenyStatuses,
  Expectation,
  FixtureUser,
  MatrixBackend,
  MatrixEndpoint,
  MatrixKeycloak,
  MatrixOpenApi,
  MatrixSetup,
  MatrixSpec,
  Observation,
  OpenApiSkip,
  OwnershipRule,
  RealmFinding,
  Requirement,
  SetupStep,
  SourceLocation,
  TenantRule,
  TokenSource,
} from './types.js';
