/**
 * The shapes of the hostile-token suite: the catalog of cases, the material forging needs and the
 * attempts it produces. Nothing here sends a request; the orchestration does.
 */
import type { KeyObject, webcrypto } from 'node:crypto';
import type { JWK } from 'jose';

/** How bad it is when a backend fails a case. */
export type Severity = 'critical' | 'high' | 'policy' | 'advisory';

/** Severities in ascending order: `SEVERITY_ORDER.indexOf(a) > SEVERITY_ORDER.indexOf(b)` means a is worse. */
export const SEVERITY_ORDER: readonly Severity[] = ['advisory', 'policy', 'high', 'critical'];

/** Every case id, in catalog order. Stable: reports and `--case` filters name them. */
export const HOSTILE_CASE_IDS = [
  'none',
  'sig-strip',
  'sig-corrupt',
  'payload-tamper',
  'hs-confusion',
  'hs-empty',
  'foreign-key',
  'unknown-kid',
  'jwk-embed',
  'jku',
  'x5u',
  'kid-traversal',
  'kid-inject',
  'crit-unknown',
  'jwe',
  'format',
  'oversized',
  'expired',
  'not-yet-valid',
  'iat-future',
  'exp-missing',
  'iss-other-realm',
  'iss-missing',
  'aud-other-client',
  'typ-id',
  'typ-refresh',
  'other-realm',
  'other-client',
  'id-token',
  'refresh-token',
  'revoked-session',
  'disabled-user',
  'query-token',
  'header-and-query',
  'dup-header',
  'scheme-case',
] as const;

export type HostileCaseId = (typeof HOSTILE_CASE_IDS)[number];

/** The Keycloak-issued tokens the claim cases send unchanged. */
export type KeycloakTokenCaseId = 'other-realm' | 'other-client' | 'id-token' | 'refresh-token' | 'revoked-session' | 'disabled-user';

export type HostileCategory = 'signature' | 'claims' | 'transport';

/** One entry of the catalog: what is sent, what the backend must answer, and why. */
export interface HostileCase {
  readonly id: HostileCaseId;
  /** One line. */
  readonly title: string;
  readonly category: HostileCategory;
  /**
   * How bad a failure is, by who could exploit it: critical/high only for tokens someone without
   * the realm's private key can produce or obtain; policy for what only a key holder could make.
   */
  readonly severity: Severity;
  /** Who could produce or obtain such a token, in a few words: the reason for the severity. */
  readonly exploitableBy: string;
  /** True when the backend MUST ACCEPT the request (a control: a refusal is the failure). */
  readonly control: boolean;
  /**
   * Statuses that count as a correct refusal. Empty for controls: there any status other than
   * 401, 403 and 5xx passes.
   */
  readonly acceptedStatuses: readonly number[];
  /** RFC section, CVE, OWASP WSTG or PortSwigger lab the case comes from. */
  readonly reference: string;
  /** What the backend should do, one or two sentences. */
  readonly fix: string;
}

/** One request to send for a case. A case has one attempt per variant. */
export interface HostileAttempt {
  readonly caseId: HostileCaseId;
  /** What this variant does, e.g. `alg "nOnE", trailing dot`. Unique within a case. */
  readonly variant: string;
  /** Authorization header: one value, or several lines (sent as separate header lines with node:http). Absent = none. */
  readonly authorization?: string | readonly string[];
  /** Query parameters to add to the endpoint's URL. */
  readonly query?: Readonly<Record<string, string>>;
  /** The bearer token this attempt is about (the first one when it sends several), for reports with `showTokens`. */
  readonly token?: string;
  /** A caveat for the report, e.g. that a refusal proves less than usual because material was missing. */
  readonly note?: string;
  /** The most this variant's failure can weigh, when less than the case's (e.g. two identical Authorization lines). */
  readonly severityCap?: Severity;
}

/**
 * kcbox's own RSA key pair for forgeries signed by "someone else": foreign-key, unknown-kid,
 * jwk-embed, jku and x5u. Its public half is what the loopback listener serves.
 */
export interface ForeignKey {
  /** Random, never a kid the realm publishes. */
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** Public JWK with `kid`, `alg` RS256, `use` sig and `x5c` (the certificate). */
  readonly publicJwk: JWK;
  /** Self-signed X.509 certificate of the public key, PEM with trailing newline. */
  readonly certificatePem: string;
}

/** What forging needs; tokens are real Keycloak tokens. */
export interface ForgeMaterial {
  /** A real RS256 access token of a user who IS allowed on the endpoint. */
  readonly validToken: string;
  /** kid of the realm's active RS256 key. */
  readonly realmKid: string;
  /** SPKI PEM of the realm's active RS256 key (with or without trailing newline: both variants are forged). */
  readonly realmPublicKeyPem: string;
  /**
   * A private key whose public half the realm publishes in its JWKS under `kid` (kcbox provisions
   * it in realms it imports). Absent for realms kcbox did not import: the claim cases that need
   * re-signing are then not forged (see `unforgeableCases`), and crit-unknown is signed with the
   * foreign key instead (its attempt carries a note).
   */
  readonly realmSigningKey?: { readonly privateKey: webcrypto.CryptoKey | KeyObject; readonly kid: string };
  /** Base URL of kcbox's loopback listener; jku → `${listenerUrl}${JKU_PATH}`, x5u → `${listenerUrl}${X5U_PATH}`. */
  readonly listenerUrl: string;
  /** Keycloak-issued tokens sent unchanged; a missing one skips its case. */
  readonly keycloakTokens: Partial<Record<KeycloakTokenCaseId, string>>;
  /**
   * The foreign key the listener serves (`listenerDocuments().foreignKey`). Pass it whenever the
   * listener runs: jku and x5u forgeries must be signed by the key the listener hands out, or a
   * backend that fetches and trusts it would refuse for the wrong reason. Default: a fresh key
   * per `forgeAttempts` call.
   */
  readonly foreignKey?: ForeignKey;
  /** Clock, epoch milliseconds. Default `Date.now`. */
  readonly now?: () => number;
}

/** A case `forgeAttempts` produced no attempt for, and why. */
export interface UnforgeableCase {
  readonly id: HostileCaseId;
  readonly reason: string;
}

/** What the loopback listener serves. */
export interface ListenerDocuments {
  /** The key both documents describe; pass it to `forgeAttempts` as `material.foreignKey`. */
  readonly foreignKey: ForeignKey;
  /** Served at `JKU_PATH` as `application/json`. */
  readonly jwks: { readonly keys: readonly JWK[] };
  /** Served at `X5U_PATH` as `application/pem-certificate-chain`. */
  readonly certificatePem: string;
}
