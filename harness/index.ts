/**
 * kcbox: a real Keycloak in a box for integration and contract tests. This file names the whole
 * public API and every type it mentions; specs/unit/public-api.test.ts pins the list.
 * @packageDocumentation
 */

// Servers: start one (dist, container), use one (remote), or reach the one another process started.
export { startKeycloak, attachKeycloak, resolveRuntime } from './runtime/start-keycloak.js';
export { connectionOf } from './runtime/connection.js';
export type { KeycloakConnection } from './runtime/connection.js';
export type {
  AdminCredentials,
  KeycloakServer,
  RemoteServerOptions,
  RuntimeChoice,
  RuntimeKind,
  ServerRecord,
  StartKeycloakOptions,
} from './runtime/types.js';
export type { StartProgress, ProgressListener } from './runtime/progress.js';
export { DEFAULT_KEYCLOAK_VERSION } from './runtime/distribution/versions.js';
export { KEYCLOAK_IMAGE, keycloakContainer } from './runtime/container/keycloak-container.js';
export type { ContainerPlan } from './runtime/container/keycloak-container.js';
export type { AdminClient } from './runtime/admin-client.js';
export { readState, stateFilePath } from './runtime/state-file.js';

// Errors: a stable code each, and the CLI's exit code for it.
export { EXIT_CODES, KcboxError, KeycloakStartError, isKcboxError } from './errors.js';
export type { KcboxErrorCode, KcboxErrorOptions } from './errors.js';

// Realms.
export type { RealmInput, RealmRepresentation, LoadedRealm, LoadRealmOptions } from './realm/realm-input.js';
export { loadRealm, loadRealms } from './realm/realm-input.js';
export { validateRealm } from './realm/realm-validate.js';
export type { RealmProblem } from './realm/realm-validate.js';
export { importRealm, isolatedCopy, realmEndpoints } from './realm/realm-handle.js';
export type { RealmHandle, ImportRealmOptions, CreateUserOptions, CreatedUser } from './realm/realm-handle.js';
export { realmPublicKeyPem } from './realm/realm-key.js';
export { bundledRealmPath, bundledAuthzConfigPath } from './realm/bundled.js';
export { exportAuthorizationSettings } from './realm/live-settings.js';

// Tokens.
export * from './tokens/index.js';

// Drift between an exported config or realm file and the live realm.
export { authzDrift, realmDrift } from './drift/drift.js';
export type { AuthzDrift, AuthzDriftOptions, RealmDrift, DecisionChange, DiffEntry } from './drift/drift.js';

// The matrix check: spec in, result out, with the hostile-token suite.
export * from './matrix/index.js';
export * from './check/index.js';
export { HOSTILE_CASE_IDS, SEVERITY_ORDER } from './hostile/types.js';
export type { HostileCaseId, Severity } from './hostile/types.js';
export type { HostileAttemptResult, HostileFinding, HostileOptions, HostileResult } from './hostile/result-types.js';
export type { NoAnswerKind } from './http/observation.js';

// OpenAPI: a matrix written from a document, and the coverage gate.
export * from './openapi/index.js';

// Reports.
export * from './report/index.js';
