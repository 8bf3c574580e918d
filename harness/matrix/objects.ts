/**
 * Object-level checks: `${owner.NAME}` references to values a setup step captured, the JSON
 * pointers that capture them, and the one place a cell on someone's object gets its expectation.
 */
import { callerOf } from './callers.js';
import { expectedFor } from './expectations.js';
import type { MatrixTokens } from './matrix-tokens.js';
import { describeRequirement, meets } from './requirements.js';
import { sameTenant } from './tenants.js';
export { claimValues, describeTenants, sameTenant, tenantsOf } from './tenants.js';
import { ANONYMOUS, type Expectation, type MatrixEndpoint, type MatrixSpec, type OwnershipRule, type TokenSource } from './types.js';

/** How reports name an ownership rule: `owner only`, `owner or role inventory-api/inventory-admin`, `any owner`. */
export function describeOwnership(rule: OwnershipRule): string {
  switch (rule.kind) {
    case 'owner-only':
      return 'owner only';
    case 'anyone':
      return "anyone's objects";
    case 'owner-or':
      return `owner or ${describeRequirement(rule.requirement)}`;
    case 'same-tenant':
      return "owner's tenant";
  }
}

/** `${owner.NAME}`: a value the owner's setup steps captured. */
export const OWNER_REFERENCE = /\$\{owner\.([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** The capture names a text refers to, in order, each once. */
export function ownerReferences(text: string): string[] {
  return [...new Set([...text.matchAll(OWNER_REFERENCE)].map((match) => match[1]!))];
}

/** Every capture name the request parts of an endpoint or step refer to. */
export function requestReferences(parts: {
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | undefined;
}): string[] {
  return [...new Set([parts.path, ...Object.values(parts.headers), parts.body ?? ''].flatMap(ownerReferences))];
}

/** Values one owner's setup steps captured (for one caller's copy of the objects). */
export type Captured = Readonly<Record<string, string>>;

/**
 * Fills `${owner.NAME}` in a request. Path values are percent-encoded (an id with `/` or `?` stays
 * one segment); header and body values go in as captured.
 */
export function fillRequest<T extends { path: string; headers: Readonly<Record<string, string>>; body: string | undefined }>(
  parts: T,
  captured: Captured,
): T {
  const fill = (text: string, encode: (value: string) => string) =>
    text.replace(OWNER_REFERENCE, (whole, name: string) => {
      const value = captured[name];
      return value === undefined ? whole : encode(value);
    });
  const raw = (value: string) => value;
  return {
    ...parts,
    path: fill(parts.path, encodeURIComponent),
    headers: Object.fromEntries(Object.entries(parts.headers).map(([name, value]) => [name, fill(value, raw)])),
    body: parts.body === undefined ? undefined : fill(parts.body, raw),
  };
}

/**
 * The value at a JSON pointer (RFC 6901) in a parsed JSON document, or undefined when the
 * pointer leads nowhere. `''` is the whole document.
 */
export function valueAtPointer(document: unknown, pointer: string): unknown {
  if (pointer === '') return document;
  if (!pointer.startsWith('/')) return undefined;
  let node: unknown = document;
  for (const token of pointer
    .slice(1)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))) {
    if (Array.isArray(node)) {
      if (!/^(0|[1-9][0-9]*)$/.test(token)) return undefined;
      node = node[Number(token)];
    } else if (node !== null && typeof node === 'object' && Object.hasOwn(node, token)) {
      node = (node as Record<string, unknown>)[token];
    } else {
      return undefined;
    }
  }
  return node;
}

/**
 * A capture from a setup step's answer: the string or number at the pointer, as text. Anything
 * else (no JSON, nothing there, an object, null) is why the step did not give what it should.
 */
export function captureValue(body: string, pointer: string): { value: string } | { problem: string } {
  let document: unknown;
  try {
    document = JSON.parse(body);
  } catch {
    return { problem: 'the answer is not JSON (or longer than kcbox reads)' };
  }
  const value = valueAtPointer(document, pointer);
  if (value === undefined) return { problem: `the answer has nothing at ${JSON.stringify(pointer)}` };
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return { value: String(value) };
  return { problem: `${JSON.stringify(pointer)} holds ${value === null ? 'null' : typeof value}, not a string or number` };
}

/**
 * Whether two grid columns are one Keycloak principal: a backend tells owners apart by who the
 * token is for, not by kcbox's column names (`alice` and `alice-ro` with another scope are one
 * user). The `sub` Keycloak put in both tokens decides when both have one; else the username or
 * the service account's client. Anonymous is nobody, not even itself.
 */
export function samePrincipal(
  spec: Pick<MatrixSpec, 'callers'>,
  tokens: Pick<MatrixTokens, 'caller'>,
  source: TokenSource,
  a: string,
  b: string,
): boolean {
  if (a === ANONYMOUS || b === ANONYMOUS) return false;
  if (a === b) return true;
  const sub = (column: string) => tokens.caller(column, source).claims['sub'];
  const [subA, subB] = [sub(a), sub(b)];
  if (typeof subA === 'string' && typeof subB === 'string') return subA === subB;
  const identity = (column: string) => {
    const caller = callerOf(spec, column);
    return caller.kind === 'user' ? `user:${caller.username}` : caller.kind === 'service-account' ? `client:${caller.clientId}` : undefined;
  };
  return identity(a) !== undefined && identity(a) === identity(b);
}

/**
 * Keycloak's verdict for `caller` acting on `owner`'s object: the endpoint's requirement as
 * Keycloak decides it for the caller, narrowed by the endpoint's ownership rule. The owner (any
 * column that is the same principal, see {@link samePrincipal}) is allowed what the requirement allows; another caller only under `anyone`, under `owner-or`
 * when Keycloak's decisions say the caller also meets its requirement, or under `same-tenant` when
 * Keycloak has the caller and the owner in one tenant.
 */
export function expectedOnObject(
  endpoint: MatrixEndpoint,
  caller: string,
  owner: string,
  tokens: MatrixTokens,
  spec: Pick<MatrixSpec, 'callers'> = { callers: {} },
): Expectation {
  const base = expectedFor(endpoint, caller, tokens);
  if (base === 'deny' || endpoint.owner === undefined || caller === owner || samePrincipal(spec, tokens, endpoint.token, caller, owner)) {
    return base;
  }
  switch (endpoint.owner.kind) {
    case 'anyone':
      return 'allow';
    case 'owner-only':
      return 'deny';
    case 'owner-or':
      if (endpoint.owner.requirement.kind === 'public') return 'allow';
      if (caller === ANONYMOUS) return 'deny';
      return meets(endpoint.owner.requirement, tokens.caller(caller, endpoint.token)) ? 'allow' : 'deny';
    case 'same-tenant':
      if (caller === ANONYMOUS) return 'deny';
      return sameTenant(tokens.caller(caller, endpoint.token).tenants, tokens.caller(owner, endpoint.token).tenants) ? 'allow' : 'deny';
  }
}
