import { dirname, resolve } from 'node:path';
import { createRequire } from 'node:module';
import type { Ajv, ErrorObject, ValidateFunction } from 'ajv';
import { type Document, LineCounter, isMap, parseDocument } from 'yaml';
import { jsonSyntaxError } from '../input/json-text.js';
import { type InputProblem, clip, echo, echoList, readTextFileSync } from '../input/text-file.js';
import type { LoginFlow } from '../tokens/user-login.js';
import { requestReferences } from './objects.js';
import { flattenRequirement } from './requirements.js';
import { substituteEnvironment } from './spec-variables.js';
import { MatrixSpecError, type SpecProblem } from './spec-error.js';
import { MATRIX_SPEC_AJV_OPTIONS, matrixSpecSchema } from './spec-schema.js';
import {
  ANONYMOUS,
  type Caller,
  type DenyStatuses,
  type FixtureUser,
  type Expectation,
  type MatrixEndpoint,
  type MatrixOpenApi,
  type MatrixSetup,
  type MatrixSpec,
  type OwnershipRule,
  type Requirement,
  type SourceLocation,
  type TenantRule,
  type TokenSource,
} from './types.js';

/** Raw shapes as the schema admits them. A `requires:` value as a matrix file writes it. */
export type RawRequirement =
  | 'public'
  | 'authenticated'
  | { permission: string }
  | { role: string }
  | { realmRole: string }
  | { oauthScope: string }
  | { group: string }
  | { anyOf: RawRequirement[] }
  | { allOf: RawRequirement[] };
type RawScopes = string | string[];
type RawToken = 'access' | 'rpt' | { client?: string; secret?: string; scope?: RawScopes };
type RawCaller =
  | string
  | { name?: string; user: string; scope?: RawScopes }
  | { name?: string; serviceAccount: string; secret?: string; scope?: RawScopes };
interface RawFixtureUser {
  password?: string;
  enabled?: boolean;
  email?: string;
  firstName?: string;
  lastName?: string;
  realmRoles?: string[];
  clientRoles?: Record<string, string[]>;
  groups?: string[];
  attributes?: Record<string, string | string[]>;
}
type RawStatuses = number | number[];
interface RawEndpoint {
  name?: string;
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: unknown;
  scope?: string;
  requires?: RawRequirement;
  token?: RawToken;
  deny?: { anonymous?: RawStatuses; authenticated?: RawStatuses };
  expect?: Record<string, Expectation>;
  owner?: 'only' | 'any' | 'tenant' | { or: RawRequirement };
}
interface RawSetupStep {
  name?: string;
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: unknown;
  token?: RawToken;
  capture: Record<string, string>;
}
interface RawSpec {
  keycloak: {
    realm?: string;
    realmName?: string;
    client: string;
    loginClient?: string;
    loginFlow?: LoginFlow;
    passwords?: Record<string, string>;
    users?: Record<string, RawFixtureUser | null>;
    tls?: boolean;
  };
  backend: {
    url?: string;
    command?: string;
    cwd?: string;
    env?: Record<string, string | number | boolean>;
    image?: { name: string; port: number; command?: string[]; env?: Record<string, string | number | boolean> };
    ready?: string;
    readyTimeout?: number;
  };
  openapi?: string | { file: string; basePath?: string; skip?: Array<{ operation: string; reason: string }> };
  token?: RawToken;
  status?: 'lenient' | 'strict';
  deny?: { anonymous?: RawStatuses; authenticated?: RawStatuses };
  timeout?: number;
  users: RawCaller[];
  endpoints: RawEndpoint[];
  setup?: { owners?: string[]; tenants?: { groups?: string[]; attribute?: string }; steps: RawSetupStep[] };
}

export interface ParseMatrixOptions {
  /** Named in messages; relative paths in the spec resolve against its folder. */
  readonly file?: string;
  /** Folder for relative paths when there is no file. Default: the current directory. */
  readonly baseDir?: string;
  /** Values for `${VAR}` / `${VAR:default}` placeholders. Default: process.env. */
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * The largest matrix file kcbox reads: 1 MiB. An endpoint takes about 100 bytes (the examples are
 * under 2 KB), so 1 MiB is some 10,000 endpoints. Parsing YAML takes about 180 times the file's
 * size in memory (a 1 MiB matrix peaks near 180 MB, measured with Node 20): without a limit, a wrong
 * or generated file could exhaust it.
 */
export const MATRIX_FILE_MAX_BYTES = 1024 * 1024;
/** Syntax errors listed from one matrix file; the rest are counted. */
const SYNTAX_ERRORS_SHOWN = 10;

const DEFAULT_BACKEND_URL = 'http://127.0.0.1:${PORT}';
const DEFAULT_REQUEST_TIMEOUT_S = 10;
const DEFAULT_READY_TIMEOUT_S = 30;
const CONVENTIONS: Record<'lenient' | 'strict', DenyStatuses> = {
  lenient: { anonymous: [401, 403], authenticated: [401, 403] },
  strict: { anonymous: [401], authenticated: [403] },
};

/** Messages for the places where the schema offers alternatives, so users see one line, not each branch. */
const ALTERNATIVES: ReadonlyArray<[RegExp, string]> = [
  [/^\/keycloak$/, 'name either "realm" (a realm file) or "realmName" (a realm on the server), not both'],
  [
    /^\/backend$/,
    'needs "url" (a running backend), "command" (kcbox starts it) or "image" (kcbox runs it in a container), not both "command" and "image"',
  ],
  [/(^|\/)token$/, 'must be "access", "rpt", or {client?: CLIENT_ID, secret?: SECRET, scope?: SCOPES} (secret only with client)'],
  [
    /^\/users\/\d+$/,
    'must be a username, anonymous, {user: USERNAME, scope?: SCOPES, name?: COLUMN} or {serviceAccount: CLIENT_ID, secret?: SECRET, scope?: SCOPES, name?: COLUMN}',
  ],
  [/\/scope$/, 'must be OAuth scopes: "a b" or [a, b]'],
  [/^\/openapi$/, 'must be a file name, or {file: FILE, basePath?: /PATH, skip?: [{operation: "METHOD /path", reason: WHY}]}'],
  [
    /\/endpoints\/\d+$/,
    'needs exactly one of "scope" (public, scope or Resource#scope) and "requires" (public, authenticated, {permission}, {role}, {realmRole}, {oauthScope}, {group}, {anyOf}, {allOf})',
  ],
  [
    /\/requires(\/(anyOf|allOf)\/\d+)*$/,
    'must be public, authenticated, or one of {permission: Resource#scope}, {role: client/role or realm role}, {realmRole: R}, {oauthScope: S}, {group: /path}, {anyOf: [...]}, {allOf: [...]}',
  ],
  [
    /\/deny\/(anonymous|authenticated)$/,
    'must be a deny status from 300 to 499 (a 2xx cannot tell a refusal from access, a 5xx is a failure), or a list of them',
  ],
  [
    /\/endpoints\/\d+\/owner$/,
    'must be "only" (the owner alone), "any" (anyone meeting the requirement), "tenant" (anyone in the owner\'s tenant, see setup.tenants) or {or: REQUIREMENT} (the owner, or whoever also meets it)',
  ],
];

/** What a failed `pattern` keyword means, by pattern. */
const PATTERN_MESSAGES: Readonly<Record<string, string>> = {
  '^/': 'must start with "/"',
  '^https?://': 'must start with http:// or https://',
  '^(/.*)?$': 'must be a JSON pointer (RFC 6901): "" for the whole answer, or "/" and a path such as /id or /items/0/id',
  '^[A-Za-z_][A-Za-z0-9_]*$': 'must be a name of letters, digits and "_" (it is used as ${owner.NAME})',
  '\\S': 'must name at least one scope, not be blank',
  '^\\S+$': 'must be a scope name without spaces',
};
const stringValues = (env: Record<string, string | number | boolean> | undefined): Record<string, string> =>
  Object.fromEntries(Object.entries(env ?? {}).map(([name, value]) => [name, String(value)]));

const require = createRequire(import.meta.url);
/** Next to this module in dist/: the build's standalone validator (scripts/build-spec-validator.mjs). */
const GENERATED_VALIDATOR = './spec-validator.generated.cjs';

/** The build's validator when there is one: compiling the schema cost every check ~100 ms before it read its spec. */
function generatedValidator(): ValidateFunction | undefined {
  try {
    return require(GENERATED_VALIDATOR) as ValidateFunction;
  } catch (error) {
    // Run from the sources (vitest): the schema is compiled instead.
    if ((error as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND') return undefined;
    throw error;
  }
}

let compiled: ValidateFunction | undefined;
function validator(): ValidateFunction {
  compiled ??= generatedValidator() ?? new (require('ajv') as { Ajv: typeof Ajv }).Ajv(MATRIX_SPEC_AJV_OPTIONS).compile(matrixSpecSchema);
  return compiled;
}

function pathLabel(segments: readonly (string | number)[]): string {
  return segments.reduce<string>(
    (label, segment) => (typeof segment === 'number' ? `${label}[${segment}]` : label ? `${label}.${segment}` : segment),
    '',
  );
}

function segmentsOf(instancePath: string): (string | number)[] {
  if (!instancePath) return [];
  return instancePath
    .slice(1)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

/** Locates nodes of the parsed document, for line numbers; absent for specs given as objects. */
class Locator {
  constructor(
    private readonly document: Document | undefined,
    private readonly lines: LineCounter | undefined,
  ) {}

  private nodeAt(segments: readonly (string | number)[]): unknown {
    return segments.length === 0 ? this.document?.contents : this.document?.getIn(segments, true);
  }

  private keyLine(map: unknown, key: string | number): number | undefined {
    if (!isMap(map) || !this.lines) return undefined;
    const pair = map.items.find((item) => (item.key as { value?: unknown } | null)?.value === key);
    const range = (pair?.key as { range?: [number, number, number] } | null)?.range;
    return range ? this.lines.linePos(range[0]).line : undefined;
  }

  /**
   * Line of `key` inside the node at the path; else of the path's own key (a map's value starts on
   * the line after its key); else of the deepest node that exists.
   */
  line(segments: readonly (string | number)[], key?: string): number | undefined {
    if (!this.document || !this.lines) return undefined;
    const inside = key === undefined ? undefined : this.keyLine(this.nodeAt(segments), key);
    if (inside !== undefined) return inside;
    for (let depth = segments.length; depth >= 0; depth--) {
      const last = segments[depth - 1];
      if (depth > 0 && typeof last === 'string') {
        const line = this.keyLine(this.nodeAt(segments.slice(0, depth - 1)), last);
        if (line !== undefined) return line;
      }
      const range = (this.nodeAt(segments.slice(0, depth)) as { range?: [number, number, number] } | null | undefined)?.range;
      if (range) return this.lines.linePos(range[0]).line;
    }
    return undefined;
  }
}

function schemaProblems(errors: readonly ErrorObject[], file: string, locator: Locator): SpecProblem[] {
  const problems = new Map<string, SpecProblem>();
  const add = (segments: (string | number)[], message: string, key?: string) => {
    const path = pathLabel(key === undefined ? segments : [...segments, key]);
    const id = `${path}\0${message}`;
    if (!problems.has(id)) problems.set(id, { file, line: locator.line(segments, key), path, message });
  };
  // A path with alternatives gets one summary line instead of every failing branch.
  const summarised = new Set<string>();
  const alternatives = errors.filter(
    (error) =>
      (error.keyword === 'oneOf' || error.keyword === 'anyOf' || error.keyword === 'not') &&
      ALTERNATIVES.some(([pattern]) => pattern.test(error.instancePath)),
  );
  for (const error of alternatives) {
    summarised.add(error.instancePath);
    // The innermost alternative says what is wrong (a caller's scope), not the whole caller.
    if (alternatives.some((other) => other.instancePath.startsWith(`${error.instancePath}/`))) continue;
    const alternative = ALTERNATIVES.find(([pattern]) => pattern.test(error.instancePath)) as [RegExp, string];
    add(segmentsOf(error.instancePath), alternative[1]);
  }
  for (const error of errors) {
    const segments = segmentsOf(error.instancePath);
    if (error.keyword === 'oneOf' || error.keyword === 'anyOf' || error.keyword === 'not') continue;
    // A bad capture name fails its pattern inside propertyNames too: one line says it.
    if (error.propertyName !== undefined && error.keyword !== 'propertyNames') continue;
    const inBranch = /\/(oneOf|anyOf)\//.test(error.schemaPath);
    if (inBranch && [...summarised].some((prefix) => error.instancePath === prefix || error.instancePath.startsWith(`${prefix}/`)))
      continue;
    const params = error.params as Record<string, unknown>;
    switch (error.keyword) {
      case 'additionalProperties': {
        const allowed = Object.keys((error.parentSchema as { properties?: object } | undefined)?.properties ?? {}).filter(
          (name) => name !== '$schema',
        );
        add(
          segments,
          `unknown field ${echo(String(params.additionalProperty))} (expected one of: ${allowed.join(', ')})`,
          String(params.additionalProperty),
        );
        break;
      }
      case 'required':
        add(segments, `missing required field "${String(params.missingProperty)}"`);
        break;
      case 'enum':
        add(
          segments,
          `must be one of ${(params.allowedValues as unknown[]).map((value) => JSON.stringify(value)).join(', ')}; got ${echo(error.data)}`,
        );
        break;
      case 'pattern':
        add(segments, PATTERN_MESSAGES[String(params.pattern)] ?? `must match ${String(params.pattern)}`);
        break;
      case 'propertyNames':
        add(segments, `capture name ${echo(String(params.propertyName))} must be letters, digits and "_" (it is used as \${owner.NAME})`);
        break;
      case 'uniqueItems':
        add(
          segments,
          `lists an entry twice (items ${Math.min(Number(params.i), Number(params.j))} and ${Math.max(Number(params.i), Number(params.j))})`,
        );
        break;
      default:
        add(segments, error.message ?? 'is invalid');
    }
  }
  return [...problems.values()].sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
}

function statuses(value: RawStatuses | undefined, fallback: readonly number[]): readonly number[] {
  if (value === undefined) return fallback;
  return typeof value === 'number' ? [value] : value;
}

/** `"a b"` or `[a, b]` as a list without repeats. */
export function scopeList(raw: RawScopes | undefined): string[] {
  if (raw === undefined) return [];
  return [...new Set((typeof raw === 'string' ? raw.split(/\s+/) : raw).filter(Boolean))];
}

function tokenSource(raw: RawToken | undefined, fallback: TokenSource): TokenSource {
  if (raw === undefined) return fallback;
  if (raw === 'access' || raw === 'rpt') return { kind: raw };
  const scopes = scopeList(raw.scope);
  const withScopes = scopes.length > 0 ? { scopes } : {};
  if (raw.client === undefined) return { kind: 'access', ...withScopes };
  return { kind: 'client', clientId: raw.client, clientSecret: raw.secret, ...withScopes };
}

function callerOf(raw: RawCaller): { name: string; caller: Caller } {
  if (typeof raw === 'string')
    return { name: raw, caller: raw === ANONYMOUS ? { kind: 'anonymous' } : { kind: 'user', username: raw, scopes: [] } };
  if ('user' in raw) return { name: raw.name ?? raw.user, caller: { kind: 'user', username: raw.user, scopes: scopeList(raw.scope) } };
  return {
    name: raw.name ?? raw.serviceAccount,
    caller: { kind: 'service-account', clientId: raw.serviceAccount, secret: raw.secret, scopes: scopeList(raw.scope) },
  };
}

function fixtureUsers(
  raw: Record<string, RawFixtureUser | null>,
  location: (segments: (string | number)[]) => SourceLocation | undefined,
): FixtureUser[] {
  return Object.entries(raw).map(([username, definition]) => {
    const user = definition ?? {};
    const at = (field: 'realmRoles' | 'clientRoles' | 'groups') =>
      user[field] === undefined ? [] : [[field, location(['keycloak', 'users', username, field])] as const];
    return {
      username,
      password: user.password,
      enabled: user.enabled ?? true,
      email: user.email,
      firstName: user.firstName,
      lastName: user.lastName,
      realmRoles: [...new Set(user.realmRoles ?? [])],
      clientRoles: Object.fromEntries(Object.entries(user.clientRoles ?? {}).map(([client, roles]) => [client, [...new Set(roles)]])),
      groups: [...new Set(user.groups ?? [])],
      attributes: Object.fromEntries(
        Object.entries(user.attributes ?? {}).map(([name, value]) => [name, typeof value === 'string' ? [value] : value]),
      ),
      source: location(['keycloak', 'users', username]),
      fieldSources: Object.fromEntries([...at('realmRoles'), ...at('clientRoles'), ...at('groups')].filter(([, source]) => source)),
    };
  });
}

/** A `requires:` value as the schema admits it, as a requirement. */
function requirementOf(raw: RawRequirement): Requirement {
  if (raw === 'public' || raw === 'authenticated') return { kind: raw };
  if ('permission' in raw) {
    const parsed = parseRequirement(raw.permission);
    return parsed.kind === 'public' ? { kind: 'scope', resource: undefined, scope: 'public', permission: '#public' } : parsed;
  }
  if ('role' in raw) {
    const slash = raw.role.indexOf('/');
    return slash === -1
      ? { kind: 'realm-role', role: raw.role }
      : { kind: 'client-role', client: raw.role.slice(0, slash), role: raw.role.slice(slash + 1) };
  }
  if ('realmRole' in raw) return { kind: 'realm-role', role: raw.realmRole };
  if ('oauthScope' in raw) return { kind: 'oauth-scope', scope: raw.oauthScope };
  if ('group' in raw) return { kind: 'group', path: raw.group };
  if ('anyOf' in raw) return { kind: 'any-of', of: raw.anyOf.map(requirementOf) };
  return { kind: 'all-of', of: raw.allOf.map(requirementOf) };
}

/** `public`, `scope` or `Resource#scope`. */
export function parseRequirement(scope: string): Requirement {
  if (scope === 'public') return { kind: 'public' };
  const hash = scope.indexOf('#');
  if (hash === -1) return { kind: 'scope', resource: undefined, scope, permission: `#${scope}` };
  const resource = scope.slice(0, hash);
  const name = scope.slice(hash + 1);
  return { kind: 'scope', resource: resource || undefined, scope: name, permission: resource ? `${resource}#${name}` : `#${name}` };
}

function bodyAndHeaders(raw: { headers?: Record<string, string>; body?: unknown }): {
  body: string | undefined;
  headers: Record<string, string>;
} {
  const headers = Object.fromEntries(Object.entries(raw.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]));
  if (raw.body === undefined || raw.body === null) return { body: undefined, headers };
  if (typeof raw.body === 'string') return { body: raw.body, headers };
  headers['content-type'] ??= 'application/json';
  return { body: JSON.stringify(raw.body), headers };
}

function ownershipOf(raw: RawEndpoint['owner']): OwnershipRule | undefined {
  if (raw === undefined) return undefined;
  if (raw === 'only') return { kind: 'owner-only' };
  if (raw === 'any') return { kind: 'anyone' };
  if (raw === 'tenant') return { kind: 'same-tenant' };
  return { kind: 'owner-or', requirement: requirementOf(raw.or) };
}

/**
 * The setup section: owners default to every user with a token; a step may use only what an
 * earlier step captured.
 */
function normaliseSetup(
  raw: NonNullable<RawSpec['setup']>,
  users: readonly string[],
  defaultToken: TokenSource,
  problem: (segments: (string | number)[], message: string) => void,
  location: (segments: (string | number)[]) => SourceLocation | undefined,
): MatrixSetup {
  const owners = raw.owners ?? users.filter((user) => user !== ANONYMOUS);
  raw.owners?.forEach((owner, index) => {
    if (owner === ANONYMOUS) problem(['setup', 'owners', index], `${echo(ANONYMOUS)} sends no token, so it cannot own an object`);
    else if (!users.includes(owner)) problem(['setup', 'owners', index], `${echo(owner)} is not in "users" (${echoList(users)})`);
  });
  if (owners.length === 0) problem(['setup'], 'no owners: list users with a token under "users" or "setup.owners"');
  const captured = new Set<string>();
  const steps = raw.steps.map((step, index) => {
    const { body, headers } = bodyAndHeaders(step);
    for (const name of requestReferences({ path: step.path, headers, body })) {
      if (!captured.has(name))
        problem(
          ['setup', 'steps', index],
          `\${owner.${name}} is not captured by an earlier step (steps run in order; captured so far: ${[...captured].map((known) => echo(known)).join(', ') || 'none'})`,
        );
    }
    for (const name of Object.keys(step.capture)) {
      if (captured.has(name)) problem(['setup', 'steps', index, 'capture', name], `${echo(name)} is captured by an earlier step too`);
      captured.add(name);
    }
    return {
      name: step.name ?? `${step.method} ${step.path}`,
      method: step.method,
      path: step.path,
      headers,
      body,
      token: tokenSource(step.token, defaultToken),
      capture: { ...step.capture },
      source: location(['setup', 'steps', index]),
    };
  });
  const tenants: TenantRule | undefined =
    raw.tenants?.groups !== undefined
      ? {
          kind: 'groups',
          groups: raw.tenants.groups.map((group) => group.replace(/\/+$/, '')),
          source: location(['setup', 'tenants', 'groups']),
        }
      : raw.tenants?.attribute !== undefined
        ? { kind: 'attribute', attribute: raw.tenants.attribute }
        : undefined;
  if (tenants?.kind === 'groups')
    tenants.groups.forEach((group, index) => {
      const outer = tenants.groups.find((other) => other !== group && group.startsWith(`${other}/`));
      if (outer)
        problem(
          ['setup', 'tenants', 'groups', index],
          `${echo(group)} is a subgroup of tenant ${echo(outer)}, whose members it already is: a tenant cannot be inside another`,
        );
    });
  return { owners, steps, ...(tenants ? { tenants } : {}) };
}

function openApiOf(
  raw: NonNullable<RawSpec['openapi']>,
  baseDir: string,
  location: (segments: (string | number)[]) => SourceLocation | undefined,
): MatrixOpenApi {
  const given = typeof raw === 'string' ? { file: raw } : raw;
  return {
    file: resolve(baseDir, given.file),
    basePath: given.basePath,
    skip: (given.skip ?? []).map((entry, index) => ({ ...entry, source: location(['openapi', 'skip', index]) })),
    source: location(['openapi']),
  };
}

function normalise(raw: RawSpec, file: string, baseDir: string, locator: Locator): MatrixSpec {
  const problems: SpecProblem[] = [];
  const problem = (segments: (string | number)[], message: string) =>
    problems.push({ file, line: locator.line(segments), path: pathLabel(segments), message });
  const location = (segments: (string | number)[]): SourceLocation | undefined => {
    const line = locator.line(segments);
    return line === undefined ? undefined : { file, line };
  };

  const convention = CONVENTIONS[raw.status ?? 'lenient'];
  // A top-level deny: refines the convention for every endpoint; an endpoint's own deny: wins.
  const defaultDeny: DenyStatuses = {
    anonymous: statuses(raw.deny?.anonymous, convention.anonymous),
    authenticated: statuses(raw.deny?.authenticated, convention.authenticated),
  };
  const defaultToken = tokenSource(raw.token, { kind: 'access' });
  const callers: Record<string, Caller> = {};
  const users: string[] = [];
  const userSources: Record<string, SourceLocation> = {};
  raw.users.forEach((entry, index) => {
    const { name, caller } = callerOf(entry);
    const first = users.indexOf(name);
    if (first !== -1) {
      // Identical entries are the schema's "listed twice"; different ones with one column name are this.
      if (typeof entry !== 'string')
        problem(['users', index], `column ${echo(name)} is listed twice (also users[${first}]); give one a "name"`);
      return;
    }
    if (typeof entry !== 'string' && name === ANONYMOUS)
      problem(['users', index, 'name'], `"${ANONYMOUS}" is the column that sends no token; name this caller otherwise`);
    users.push(name);
    callers[name] = caller;
    const source = location(['users', index]);
    if (source) userSources[name] = source;
  });
  const fixtures = fixtureUsers(raw.keycloak.users ?? {}, location);
  if (fixtures.length > 0 && raw.keycloak.realmName !== undefined)
    problem(
      ['keycloak', 'users'],
      `kcbox creates users only in the isolated copy of a realm file it imports, never in realm ${echo(raw.keycloak.realmName)} that it did not create: name the realm file with "realm" instead of "realmName", or create the users in that realm yourself and give their passwords under keycloak.passwords`,
    );
  for (const fixture of fixtures) {
    if (fixture.username === ANONYMOUS)
      problem(['keycloak', 'users', fixture.username], `"${ANONYMOUS}" is the column that sends no token; give the user another name`);
  }
  const setup = raw.setup ? normaliseSetup(raw.setup, users, defaultToken, problem, location) : undefined;
  const captured = new Set(setup?.steps.flatMap((step) => Object.keys(step.capture)) ?? []);
  const ids = new Map<string, number>();
  const endpoints: MatrixEndpoint[] = raw.endpoints.map((endpoint, index) => {
    const id = endpoint.name ?? `${endpoint.method} ${endpoint.path}`;
    const first = ids.get(id);
    if (first !== undefined)
      problem(['endpoints', index], `endpoint ${echo(id)} is listed twice (also endpoints[${first}]); give one a "name"`);
    else ids.set(id, index);
    const requirement = endpoint.requires !== undefined ? requirementOf(endpoint.requires) : parseRequirement(endpoint.scope ?? 'public');
    for (const part of flattenRequirement(requirement)) {
      if (part.kind === 'scope' && !part.scope)
        problem(
          ['endpoints', index, endpoint.requires !== undefined ? 'requires' : 'scope'],
          `${echo(part.permission)} names no scope after "#"`,
        );
    }
    for (const user of Object.keys(endpoint.expect ?? {})) {
      if (!users.includes(user))
        problem(['endpoints', index, 'expect', user], `expectation for ${echo(user)}, who is not in "users" (${echoList(users)})`);
    }
    const { body, headers } = bodyAndHeaders(endpoint);
    const owner = ownershipOf(endpoint.owner);
    const references = requestReferences({ path: endpoint.path, headers, body });
    if (owner && references.length === 0)
      problem(
        ['endpoints', index, 'owner'],
        'an object endpoint must name the object in its path, headers or body with ${owner.NAME} (a value a setup step captures)',
      );
    if (owner && !raw.setup) problem(['endpoints', index, 'owner'], 'needs a top-level "setup" that creates the objects');
    else if (owner?.kind === 'same-tenant' && !raw.setup?.tenants)
      problem(
        ['endpoints', index, 'owner'],
        'owner: tenant needs "setup.tenants": {groups: [/acme, /globex]} (a group per tenant) or {attribute: ATTRIBUTE} (a user attribute naming the tenant)',
      );
    if (!owner && references.length > 0)
      problem(
        ['endpoints', index],
        `uses \${owner.${references[0]!}} but has no "owner" rule: add owner: only, owner: any, owner: tenant or owner: {or: REQUIREMENT}`,
      );
    for (const name of references) {
      if (raw.setup && !captured.has(name))
        problem(
          ['endpoints', index],
          `\${owner.${name}} is captured by no setup step (captured: ${[...captured].map((known) => echo(known)).join(', ') || 'none'})`,
        );
    }
    return {
      id,
      method: endpoint.method,
      path: endpoint.path,
      headers,
      body,
      requirement,
      token: tokenSource(endpoint.token, defaultToken),
      deny: {
        anonymous: statuses(endpoint.deny?.anonymous, defaultDeny.anonymous),
        authenticated: statuses(endpoint.deny?.authenticated, defaultDeny.authenticated),
      },
      expect: { ...endpoint.expect },
      source: location(['endpoints', index]),
      ...(owner ? { owner } : {}),
    };
  });

  const backend = raw.backend;
  const url = (backend.url ?? DEFAULT_BACKEND_URL).replace(/\/+$/, '');
  // The relay a container backend reaches Keycloak through has an address the local CA's certificate does not name.
  if (backend.image && raw.keycloak.tls)
    problem(
      ['backend', 'image'],
      'a backend in a container cannot use Keycloak over https (keycloak.tls): kcbox\'s certificate names only localhost and 127.0.0.1. Run the backend with "command", or drop keycloak.tls',
    );
  if (!backend.command && !backend.image && url.includes('${PORT}'))
    problem(['backend', 'url'], 'uses ${PORT} but kcbox starts no backend: add "command" or "image", or give a fixed port');
  if (problems.length > 0) throw new MatrixSpecError(problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0)));

  return {
    file: file === '<spec>' ? undefined : file,
    keycloak: {
      realmFile: raw.keycloak.realm === undefined ? undefined : resolve(baseDir, raw.keycloak.realm),
      realm: raw.keycloak.realmName,
      client: raw.keycloak.client,
      loginClient: raw.keycloak.loginClient,
      loginFlow: raw.keycloak.loginFlow ?? 'auto',
      passwords: { ...raw.keycloak.passwords },
      fixtureUsers: fixtures,
      tls: raw.keycloak.tls ?? false,
    },
    backend: {
      url,
      command: backend.command,
      image: backend.image && {
        name: backend.image.name,
        port: backend.image.port,
        command: backend.image.command,
        env: stringValues(backend.image.env),
      },
      cwd: resolve(baseDir, backend.cwd ?? '.'),
      env: stringValues(backend.env),
      readyPath: backend.ready ?? '/',
      readyTimeoutMs: (backend.readyTimeout ?? DEFAULT_READY_TIMEOUT_S) * 1000,
    },
    users,
    callers,
    endpoints,
    ...(setup ? { setup } : {}),
    ...(raw.openapi === undefined ? {} : { openapi: openApiOf(raw.openapi, baseDir, location) }),
    requestTimeoutMs: (raw.timeout ?? DEFAULT_REQUEST_TIMEOUT_S) * 1000,
    userSources,
  };
}

function validated(raw: unknown, file: string, baseDir: string, locator: Locator, env: NodeJS.ProcessEnv): MatrixSpec {
  const { value, unset } = substituteEnvironment(raw, env);
  if (unset.length > 0) {
    throw new MatrixSpecError(
      unset.map(({ path, message }) => ({ file, line: locator.line(path), path: pathLabel(path), message: clip(message, 200) })),
    );
  }
  const validate = validator();
  if (!validate(value)) throw new MatrixSpecError(schemaProblems(validate.errors ?? [], file, locator));
  return normalise(value as RawSpec, file, baseDir, locator);
}

/**
 * Validates a matrix given as text (YAML or JSON) or as an object, and returns it normalised:
 * defaults applied, statuses per convention, bodies serialised, paths resolved.
 * @throws MatrixSpecError listing every problem with file, line and JSON path.
 */
export function parseMatrixSpec(input: string | object, options: ParseMatrixOptions = {}): MatrixSpec {
  const file = options.file ?? '<spec>';
  const baseDir = options.baseDir ?? (options.file ? dirname(resolve(options.file)) : process.cwd());
  const env = options.env ?? process.env;
  if (typeof input !== 'string') return validated(input, file, baseDir, new Locator(undefined, undefined), env);
  // YAML takes JSON and more (bare words, trailing commas): a .json file is held to JSON first.
  if (/\.json$/i.test(file)) assertJson(input, file);
  const lines = new LineCounter();
  const document = parseDocument(input, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
  if (document.errors.length > 0) {
    const problems: SpecProblem[] = document.errors.slice(0, SYNTAX_ERRORS_SHOWN).map((error) => ({
      file,
      line: error.linePos?.[0].line,
      path: '',
      message: `malformed YAML/JSON: ${clip(error.message.split('\n')[0] ?? '', 200)}`,
    }));
    const more = document.errors.length - problems.length;
    if (more > 0) problems.push({ file, line: undefined, path: '', message: `and ${more} more syntax errors` });
    throw new MatrixSpecError(problems);
  }
  return validated(document.toJS(), file, baseDir, new Locator(document, lines), env);
}

/** A problem of the file as a whole, or at a line and column: it reads like every other located input error. */
function fileProblem(problem: InputProblem): SpecProblem {
  return { file: problem.file, line: problem.line, column: problem.column, path: '', message: problem.message };
}

function assertJson(text: string, file: string): void {
  try {
    JSON.parse(text);
  } catch (error) {
    const { line, column, message } = jsonSyntaxError(text, error);
    throw new MatrixSpecError([fileProblem({ file, line, column, message: `malformed JSON: ${message}` })]);
  }
}

/** Reads and validates a matrix file (`.yaml`, `.yml` or `.json`) synchronously, for test collection. */
export function loadMatrixSpecSync(file: string): MatrixSpec {
  const text = readTextFileSync(file, {
    maxBytes: MATRIX_FILE_MAX_BYTES,
    what: 'matrix file',
    format: 'YAML/JSON',
    fail: (problem) => new MatrixSpecError([fileProblem(problem)]),
  });
  return parseMatrixSpec(text, { file });
}

/** Reads and validates a matrix file (`.yaml`, `.yml` or `.json`). */
export async function loadMatrixSpec(file: string): Promise<MatrixSpec> {
  return loadMatrixSpecSync(file);
}
