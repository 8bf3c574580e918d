import type { LoginFlow } from '../tokens/user-login.js';
import type { Observation } from '../http/observation.js';

export type { Observation };

/**
 * The shapes of a scope-matrix check: the validated spec going in, the result coming out.
 * Reports and renderers read only {@link MatrixResult}; nothing in it holds a token unless the
 * caller asked for `showTokens`.
 */

/** The pseudo-user that sends no token at all. */
export const ANONYMOUS = 'anonymous';

/**
 * Where a cell's bearer token comes from. `scopes` are OAuth scopes requested with it (`scope=`), on
 * top of the caller's own: Keycloak adds a client's optional client scopes only when asked.
 */
export type TokenSource =
  /** The caller's access token from the login client (password grant; a service account's own client). */
  | { readonly kind: 'access'; readonly scopes?: readonly string[] | undefined }
  /** A requesting party token for the resource server (the access token when Keycloak grants nothing). */
  | { readonly kind: 'rpt' }
  /** The user's access token from another client, e.g. a public frontend client. */
  | {
      readonly kind: 'client';
      readonly clientId: string;
      readonly clientSecret?: string | undefined;
      readonly scopes?: readonly string[] | undefined;
    };

/**
 * Who a grid column is. A user logs in with the password grant; a service account is a
 * confidential client's own client-credentials token; anonymous sends no token. `scopes` are
 * requested with every token of this caller.
 */
export type Caller =
  | { readonly kind: 'anonymous' }
  | { readonly kind: 'user'; readonly username: string; readonly scopes: readonly string[] }
  | {
      readonly kind: 'service-account';
      readonly clientId: string;
      /** From the matrix; none: read from Keycloak (the realm file's secret, or the one Keycloak generated). */
      readonly secret: string | undefined;
      readonly scopes: readonly string[];
    };

/** A user the matrix declares, created in the isolated realm copy before any token is minted. */
export interface FixtureUser {
  readonly username: string;
  /** None: kcbox makes one up; the matrix never needs to know it. */
  readonly password: string | undefined;
  readonly enabled: boolean;
  readonly email: string | undefined;
  readonly firstName: string | undefined;
  readonly lastName: string | undefined;
  readonly realmRoles: readonly string[];
  /** Client id → role names. */
  readonly clientRoles: Readonly<Record<string, readonly string[]>>;
  /** Group paths, e.g. `/staff/backend`. */
  readonly groups: readonly string[];
  readonly attributes: Readonly<Record<string, readonly string[]>>;
  readonly source: SourceLocation | undefined;
  /** Lines of `realmRoles`, `clientRoles` and `groups`, for problems with what they name. */
  readonly fieldSources: Readonly<Partial<Record<'realmRoles' | 'clientRoles' | 'groups', SourceLocation>>>;
}

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
  /**
   * Set on an object endpoint: its path, headers or body name `${owner.NAME}` (a value a setup step
   * captured), and it is called by every caller on every owner's objects.
   */
  readonly owner?: OwnershipRule | undefined;
}

/**
 * Who may act on an object besides its owner. The endpoint's own requirement applies to everyone
 * (as Keycloak decides it); the rule narrows it: `owner-only` (and no one else), `owner-or` (the
 * owner, or a caller who also meets `requirement`, e.g. an admin role), `anyone` (every caller
 * who meets the endpoint's requirement: shared objects).
 */
export type OwnershipRule =
  | { readonly kind: 'owner-only' }
  | { readonly kind: 'owner-or'; readonly requirement: Requirement }
  | { readonly kind: 'anyone' }
  | { readonly kind: 'same-tenant' };

/**
 * What makes two users one tenant (`setup.tenants`), as Keycloak has it: membership of the same
 * group of `groups` (subgroups count), or the same value of a user attribute (the token's claim of
 * that name when a mapper puts it there, else the user's attribute over the admin API).
 */
export type TenantRule =
  | { readonly kind: 'groups'; readonly groups: readonly string[]; readonly source: SourceLocation | undefined }
  | { readonly kind: 'attribute'; readonly attribute: string };

/**
 * A request each owner sends to create an object, before any object endpoint is called; the
 * values it captures from the JSON answer fill `${owner.NAME}` in later steps and endpoints.
 */
export interface SetupStep {
  /** Names the step in messages, e.g. `create item`; default `METHOD path`. */
  readonly name: string;
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | undefined;
  readonly token: TokenSource;
  /** Capture name → JSON pointer (RFC 6901) into the answer's body, e.g. `itemId: /id`. */
  readonly capture: Readonly<Record<string, string>>;
  readonly source: SourceLocation | undefined;
}

/** The object-level section of a spec: who owns objects and how each creates them. */
export interface MatrixSetup {
  /** Users who each create their own objects (never anonymous). */
  readonly owners: readonly string[];
  readonly steps: readonly SetupStep[];
  /** How callers are grouped into tenants, for `owner: tenant`; absent: no tenants. */
  readonly tenants?: TenantRule | undefined;
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
  /**
   * The client users log in with; default: the realm file's public client with direct access grants,
   * else one with the standard flow and a redirect URI.
   */
  readonly loginClient: string | undefined;
  /**
   * How users log in: `auto` (default) uses the password grant where the client allows direct
   * access grants and Keycloak's login form (authorization code + PKCE) where it does not.
   */
  readonly loginFlow: LoginFlow;
  /** Passwords of users the realm file does not give one (or all, for `realm`). */
  readonly passwords: Readonly<Record<string, string>>;
  /** Users created in the isolated copy (`keycloak.users`); only with {@link realmFile}. */
  readonly fixtureUsers: readonly FixtureUser[];
  /** The backend needs Keycloak over https (`keycloak.tls`): an ephemeral server is started with kcbox's local CA. */
  readonly tls: boolean;
}

/** An operation of the OpenAPI document the matrix leaves out on purpose. */
export interface OpenApiSkip {
  /** `METHOD /path/{template}` as in the document, or an operationId. */
  readonly operation: string;
  readonly reason: string;
  readonly source: SourceLocation | undefined;
}

/** The OpenAPI document whose every operation needs a matrix entry or a skip (the coverage gate). */
export interface MatrixOpenApi {
  /** Absolute path. */
  readonly file: string;
  /** Overrides the base path the document's servers give; undefined: from the servers. */
  readonly basePath: string | undefined;
  readonly skip: readonly OpenApiSkip[];
  readonly source: SourceLocation | undefined;
}

/** A validated matrix spec. Build one with `loadMatrixSpec` or `parseMatrixSpec`. */
export interface MatrixSpec {
  readonly file: string | undefined;
  readonly keycloak: MatrixKeycloak;
  readonly backend: MatrixBackend;
  /** The grid's columns: usernames, service accounts and named callers, plus {@link ANONYMOUS} when listed. */
  readonly users: readonly string[];
  /** Who each column of {@link users} is. */
  readonly callers: Readonly<Record<string, Caller>>;
  readonly endpoints: readonly MatrixEndpoint[];
  /** The coverage gate's OpenAPI document; absent when the matrix names none. */
  readonly openapi?: MatrixOpenApi | undefined;
  /** Per request, milliseconds. */
  readonly requestTimeoutMs: number;
  readonly userSources: Readonly<Record<string, SourceLocation>>;
  /** The object-level section; absent when the spec has none. */
  readonly setup?: MatrixSetup | undefined;
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
  /**
   * On an object endpoint: whose object the caller acted on. The same as `user` for the role cell
   * (a caller on its own object); another user for a peer cell (see `MatrixResult.peerCells`).
   */
  readonly owner?: string | undefined;
  /** A peer cell whose caller is in none of the owner's tenants (`setup.tenants`). */
  readonly otherTenant?: boolean | undefined;
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
