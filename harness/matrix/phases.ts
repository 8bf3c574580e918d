/**
 * The phases of a matrix check and what each hands to the next: spec → realm → tokens ∥ backend → cells →
 * further suites → result. Each phase's output is a plain, read-only object; a suite (the
 * hostile-token suite is one) plugs in through {@link CheckSuite}'s hooks instead of sharing state
 * with the pipeline.
 */
import type { MatrixRealm } from './matrix-realm.js';
import type { MatrixTokens } from './matrix-tokens.js';
import type { CellResult, Expectation, IncompleteWork, MatrixEndpoint, MatrixSpec } from './types.js';
import type { RealmRepresentation } from '../realm/realm-input.js';
import type { AdminClient } from '../runtime/admin-client.js';
import type { KeycloakConnection } from '../runtime/connection.js';
import type { TokenRealm } from '../tokens/token-client.js';

/** The realm's RS256 signing key, as a backend configured with a static key gets it. */
export interface RealmKey {
  readonly kid: string;
  readonly pem: string;
}

/** The realm the check runs in, read live and checked against the spec. */
export interface RealmPhase {
  readonly spec: MatrixSpec;
  readonly server: KeycloakConnection;
  readonly admin: AdminClient;
  /** The realm's name on the server (an isolated copy's generated name). */
  readonly name: string;
  readonly issuer: string;
  readonly tokenRealm: TokenRealm;
  /** The realm file it came from, when kcbox knows it. */
  readonly representation: RealmRepresentation | undefined;
  /** kcbox imported this realm for the check and deletes it after, so it may add keys, clients and users. */
  readonly ownRealm: boolean;
  readonly live: MatrixRealm;
}

/** Every user's tokens, and Keycloak's decisions with them. */
export interface TokensPhase extends RealmPhase {
  readonly tokens: MatrixTokens;
  /** Keycloak's verdict for a cell (public endpoints: allow; anonymous on protected ones: deny). */
  expected(endpoint: MatrixEndpoint, user: string): Expectation;
}

/** The matrix cells, judged. */
export interface CellsPhase extends TokensPhase {
  readonly realmKey: RealmKey;
  readonly backendUrl: string;
  readonly cells: readonly CellResult[];
  /** Callers on other owners' objects (object endpoints only); empty without a setup section. */
  readonly peerCells?: readonly CellResult[] | undefined;
}

/** What every phase and suite may use of the run's options. */
export interface PhaseContext {
  readonly concurrency: number;
  readonly showTokens: boolean;
  readonly signal: AbortSignal | undefined;
  /** Reports progress; throws the abort reason once the run was interrupted. */
  step(message: string): void;
}

/** A suite's part of the result (merged into it as is, e.g. `{ hostile }`), and how many of its findings fail the check. */
export interface SuiteOutcome<Part extends object = object> {
  readonly result: Part;
  readonly blocking: number;
  /** What the suite could not do because Keycloak, the backend or the machine failed. */
  readonly incomplete: readonly IncompleteWork[];
}

/**
 * A further suite run after the matrix cells. Hooks run in pipeline order; `cleanup` always runs,
 * after the backend has stopped being called, whether the check passed, failed or threw.
 */
export interface CheckSuite<Part extends object = object> {
  /** Names its timing and progress lines, e.g. `hostile`. */
  readonly name: string;
  /** Before the realm is imported or read; may start Keycloak work that needs only the spec. */
  beforeRealm?(spec: MatrixSpec, server: KeycloakConnection, context: PhaseContext): void;
  /** When kcbox imports the realm: additions to the copy it sends, in the same call (a signing key). */
  addToImport?(representation: RealmRepresentation): RealmRepresentation | Promise<RealmRepresentation>;
  /** Before any token is minted; may return the signing key the realm now uses. */
  realmReady?(realm: RealmPhase, context: PhaseContext): Promise<RealmKey | undefined>;
  /** Once tokens and decisions exist; may start work that overlaps the backend start and the cells. */
  tokensReady?(tokens: TokensPhase, context: PhaseContext): void;
  run(cells: CellsPhase, context: PhaseContext): Promise<SuiteOutcome<Part>>;
  cleanup(): Promise<void>;
}
