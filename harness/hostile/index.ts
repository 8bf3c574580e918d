/**
 * The forging layer of kcbox's hostile-token suite: the catalog, the attempts forged from a real
 * Keycloak token, and what the loopback listener serves. Sending and judging live elsewhere.
 */
export { hostileCatalog, hostileCase } from './catalog.js';
export { forgeAttempts, unforgeableCases } from './forge-attempts.js';
export { JKU_PATH, X5U_PATH, listenerAddress, listenerDocuments } from './listener-documents.js';
export { createForeignKey } from './foreign-key.js';
export { selfSignedCertificate } from './self-signed-certificate.js';
export type { SelfSignedCertificateOptions } from './self-signed-certificate.js';
export { ESCALATED_ROLE, INJECTED_KEY, INJECTED_KIDS, NONE_SPELLINGS, OVERSIZED_LENGTH, TRAVERSAL_KIDS } from './forge-signature.js';
export { GARBAGE_BEARER } from './forge-transport.js';
export { HOSTILE_CASE_IDS, SEVERITY_ORDER } from './types.js';
export type {
  ForeignKey,
  ForgeMaterial,
  HostileAttempt,
  HostileCase,
  HostileCaseId,
  HostileCategory,
  KeycloakTokenCaseId,
  ListenerDocuments,
  Severity,
  UnforgeableCase,
} from './types.js';
