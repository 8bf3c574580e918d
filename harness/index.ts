/**
 * kcbox: a real Keycloak in a box for integration and contract tests.
 * @packageDocumentation
 */
export { startKeycloak, attachKeycloak, resolveRuntime } from './runtime/start-keycloak.js';
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
export { readState, stateFilePath } from './runtime/state-file.js';
export { KcboxError, KeycloakStartError, isKcboxError } from './errors.js';
export type { KcboxErrorCode } from './errors.js';
export type { RealmInput, RealmRepresentation } from './realm/realm-input.js';
export { loadRealm, loadRealms } from './realm/realm-input.js';
export type { LoadedRealm, LoadRealmOptions } from './realm/realm-input.js';
export { validateRealm } from './realm/realm-validate.js';
export type { RealmProblem } from './realm/realm-validate.js';
export { importRealm, isolatedCopy, realmEndpoints } from './realm/realm-handle.js';
export type { RealmHandle, ImportRealmOptions, CreateUserOptions, CreatedUser } from './realm/realm-handle.js';
export { realmPublicKeyPem } from './realm/realm-key.js';
export { bundledRealmPath, bundledAuthzConfigPath } from './realm/bundled.js';
export * from './tokens/index.js';
export { authzDrift, realmDrift } from './drift/drift.js';
export type { AuthzDrift, AuthzDriftOptions, RealmDrift, DecisionChange, DriftServer, DiffEntry } from './drift/drift.js';
export { exportAuthorizationSettings } from './drift/live.js';
export { evaluateLocally } from './drift/evaluator.js';
export type { UserFacts, LocalDecisions } from './drift/evaluator.js';
export { authzModel } from './drift/authz-model.js';
export type { AuthzModel } from './drift/authz-model.js';
export * from './matrix/index.js';
export * from './report/index.js';
