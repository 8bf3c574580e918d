import type { Observation } from '../http/observation.js';

export type { Observation };

/**
 * The shapes of a scope-matrix check: the validated spec going in, the result coming out.
 * Reports and renderers read only {@link MatrixResult}; nothing in it holds a token unless the
 * caller asked for `showTokens`.
 */

/** The pseudo-user that sends no token at all. */
export const ANONYMOUS = 'anonymous';

/** Where a cell's bearer token comes from. */
export type TokenSource =
  /** The user's access token from the login client (password grant). */
  | { readonly kind: 'access' }
  /** A requesting party token for the resource server (the access token when Keycloak grants nothing). */
  | { readonly kind: 'rpt' }
  /** The user's access token from another client, e.g. a public frontend client. */
  | { readonly kind: 'client'; readonly clientId: string; readonly clientSecret?: string | undefined };

/**
 * What an endpoint needs. Whether a caller has it is read from Keycloak, never from the realm
 * file: the claims of the token Keycloak issued that caller (roles, `scope`, `groups`), Keycloak's
 * own group memberships, and Keycloak's UMA decisions.
 */
export type Requirement =
  | { readonly kind: 'public' }
  /** Any valid token. */
  | { readonly kind: 'authenticated' }
  /** A UMA permission; `permission` is what Keycloak is asked: `Resource#scope` or `#scope`. */
  | { readonly kind: 'scope'; readonly resource: string | undefined; readonly scope: string; readonly permission: string }
  /** A client role in the token's `resource_access`. */
  | { readonly kind: 'client-role'; readonly client: string; readonly role: string }
  /** A realm role in the token's `realm_access`. */
  | { readonly kind: 'realm-role'; readonly role: string }
  /** An OAuth scope in the token's `scope` claim. */
  | { readonly kind: 'oauth-scope'; readonly scope: string }
  /** Membership of a group (or one of its subgroups), by path, e.g. `/staff`. */
  | { readonly kind: 'group'; readonly path: string }
  | { readonly kind: 'any-of'; readonly of: readonly Requirement[] }
  | { readonly kind: 'all-of'; readonly of: readonly Requirement[] };

export type Expectation = 'allow' | 'deny';

/** Where something was written, for error messages and reports. */
export interface SourceLocation {
  readonly file: string;
  readonly line: number;
}

/** Statuses that count as a correct denial. */
export interface DenyStatuses {
  /** For `anonymous` (no token). */
  readonly anonymous: readonly number[];
  /** For a user with a token but without the scope. */
  readonly authenticated: readonly number[];
}

export interface MatrixEndpoint {
  /** `METHOD path`, or the name the spec gives; unique within a spec. */
  readonly id: string;
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  /** Sent as is; objects were serialised to JSON (with a content-type) by the loader. */
  readonly body: string | undefined;
  readonly requirement: Requirement;
  readonly token: TokenSource;
  readonly deny: DenyStatuses;
  /** Explicit expectations per user, checked against Keycloak's decisions. */
  readonly expect: Readonly<Record<string, Expectation>>;
  readonly source: SourceLocation | undefined;
}

/** A backend kcbox runs from a container image instead of a command. */
export interface BackendImage {
  /** Image reference; it must be in the engine already (kcbox never pulls a backend image). */
  readonly name: string;
  /** The port the backend listens on inside the container; published on 127.0.0.1 as `${PORT}`. */
  readonly port: number;
  /** Replaces the image's CMD; undefined keeps it. */
  readonly command: readonly string[] | undefined;
  /** Added to the backend's `env`. */
  readonly env: Readonly<Record<string, string>>;
}

export interface MatrixBackend {
  /** Base URL; `${PORT}` is replaced by the port kcbox gives a backend it starts. */
  readonly url: string;
  /** Shell command that starts the backend; none means it is already running at `url`. */
  readonly command: string | undefined;
  /** Or a container image kcbox runs (never both). */
  readonly image: BackendImage | undefined;
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  /** Path polled until it answers below 500. */
  readonly readyPath: string;
  readonly readyTimeoutMs: number;
}

export interface MatrixKeycloak {
  /** A realm file, imported as an isolated copy for the run. */
  readonly realmFile: string | undefined;
  /** Or a realm that already exists on the server. */
  readonly realm: string | undefined;
  /** The resource server client, e.g. `inventory-api`. */
  readonly client: string;
  /** The client users log in with; default: the realm's public client with direct access grants. */
  readonly loginClient: string | undefined;
  /** Passwords of users the realm file does not give one (or all, for `realm`). */
  readonly passwords: Readonly<Record<string, string>>;
}

/** A validated matrix spec. Build one with `loadMatrixSpec` or `parseMatrixSpec`. */
export interface MatrixSpec {
  readonly file: string | undefined;
  readonly keycloak: MatrixKeycloak;
  readonly backend: MatrixBackend;
  /** Fixture usernames, plus {@link ANONYMOUS} when listed. */
  readonly users: readonly string[];
  readonly endpoints: readonly MatrixEndpoint[];
  /** Per request, milliseconds. */
  readonly requestTimeoutMs: number;
  readonly userSources: Readonly<Record<string, SourceLocation>>;
}

/** What a backend did with a matrix request, read with the endpoint's deny statuses by the judge. */
export type CellOutcome = 'allowed' | 'denied' | 'server-error' | 'network-error' | 'timeout';

export interface CellResult {
  readonly endpoint: string;
  readonly user: string;
  /** Keycloak's verdict (public endpoints: allow; anonymous on protected ones: deny). */
  readonly expected: Expectation;
  /** Statuses that count as the expected denial. */
  readonly acceptedDenyStatuses: readonly number[];
  readonly observed: Observation;
  /** The judge's reading of the observation. */
  readonly outcome: CellOutcome;
  readonly pass: boolean;
  /** Why it failed, in one sentence; empty when it passed. */
  readonly reason: string;
  /** The bearer token sent, only with `showTokens`. */
  readonly token?: string | undefined;
}

/** The spec's explicit expectation disagrees with Keycloak's decision. */
export interface RealmFinding {
  readonly endpoint: string;
  readonly user: string;
  readonly permission: string;
  readonly declared: Expectation;
  readonly keycloak: Expectation;
  readonly source: SourceLocation | undefined;
}

/**
 * Something the check could not do because Keycloak, the backend or the machine failed. Such a
 * run is evidence of nothing either way: it never passes, and the CLI exits 2.
 */
export interface IncompleteWork {
  /** What could not be checked, e.g. `GET /api/inventory × bob`, `hostile other-realm`, `the backend`. */
  readonly what: string;
  /** Why, in one sentence, e.g. `no answer, twice (timeout)`. */
  readonly why: string;
}
