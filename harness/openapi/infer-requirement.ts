import type { RawRequirement } from '../matrix/spec-load.js';
import type { OpenApiDocument, OpenApiOperation } from './load-openapi.js';
import { joinPaths } from './path-match.js';
import type { EnforcerPath } from './policy-enforcer.js';
import type { RealmHints, RealmResource } from './realm-hints.js';

/** A `requires:` value as the matrix file writes it: the shape the matrix loader reads. */
export type RequiresValue = RawRequirement;

export interface InferredRequirement {
  readonly requires: RequiresValue;
  /** Where it came from, for the YAML comment a reviewer reads. */
  readonly note: string;
}

/**
 * Operation extensions read as the roles an operation needs. Found in public OpenAPI documents and
 * generators: `x-required-roles` (a list, or a comma-separated string) and `x-roles`. Both are read
 * as "any of these roles", as `@RolesAllowed` and most role guards mean a list. (`X-Keycloak-Roles`
 * occurs only as a gateway's request header, never as an OpenAPI extension, so it is not read.)
 */
export const ROLE_EXTENSIONS = ['x-required-roles', 'x-roles'] as const;

/** Words in scope names that say which methods they are for. */
const METHOD_WORDS: Readonly<Record<string, readonly string[]>> = {
  GET: ['view', 'read', 'get', 'list', 'query', 'search'],
  HEAD: ['view', 'read', 'get', 'list'],
  OPTIONS: ['view', 'read'],
  POST: ['add', 'create', 'write', 'post', 'insert', 'new'],
  PUT: ['edit', 'update', 'write', 'put', 'modify', 'replace'],
  PATCH: ['edit', 'update', 'write', 'patch', 'modify'],
  DELETE: ['delete', 'remove', 'destroy', 'write'],
};

const escapeRegex = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Keycloak's uri patterns: `{x}` one segment, a trailing `/*` the path and anything below it, `*` anything. */
export function uriPatternRegex(pattern: string): RegExp {
  const wildTail = pattern.endsWith('/*');
  const body = wildTail ? pattern.slice(0, -2) : pattern;
  const regex = body
    .split(/(\{[^{}/]+\}|\*)/)
    .map((part) => (part === '*' ? '.*' : /^\{[^{}/]+\}$/.test(part) ? '[^/]+' : escapeRegex(part)))
    .join('');
  return new RegExp(`^${regex}${wildTail ? '(?:/.*)?' : ''}$`);
}

/** A literal pattern before any with a wildcard or parameter, then the longest literal part. */
const rankOf = (pattern: string): number => (/[{*]/.test(pattern) ? 0 : 1_000_000) + pattern.replace(/\{[^{}/]+\}|\*/g, '').length;

/** The most literal pattern of `patterns` that matches the path (a template with `{id}` segments), if any. */
function bestMatch<T>(
  items: readonly T[],
  patternsOf: (item: T) => readonly string[],
  path: string,
): { item: T; pattern: string } | undefined {
  let best: { item: T; pattern: string } | undefined;
  for (const item of items) {
    for (const pattern of patternsOf(item)) {
      if (!uriPatternRegex(pattern).test(path)) continue;
      if (!best || rankOf(pattern) > rankOf(best.pattern)) best = { item, pattern };
    }
  }
  return best;
}

/** The scope of a resource an operation's method most likely needs, and whether that is a guess from its name. */
function scopeForMethod(scopes: readonly string[], method: string): { scope: string; byName: boolean } | undefined {
  if (scopes.length === 0) return undefined;
  const words = METHOD_WORDS[method] ?? [];
  for (const word of words) {
    const scope = scopes.find((name) =>
      name
        .toLowerCase()
        .split(/[^a-z0-9]+/)
        .includes(word),
    );
    if (scope) return { scope, byName: true };
  }
  return { scope: scopes[0]!, byName: false };
}

/** A role name as the realm knows it: `client/role` for a client role, else a realm role. */
function roleValue(role: string, hints: RealmHints | undefined): RequiresValue {
  if (role.includes('/')) {
    const [client] = role.split('/');
    if (hints && client && hints.clientRoles[client]?.includes(role.slice(client.length + 1))) return { role };
    return hints?.realmRoles.includes(role) ? { realmRole: role } : { role };
  }
  if (hints && !hints.realmRoles.includes(role)) {
    const client =
      hints.resourceServer && hints.clientRoles[hints.resourceServer]?.includes(role)
        ? hints.resourceServer
        : Object.keys(hints.clientRoles).find((name) => hints.clientRoles[name]?.includes(role));
    if (client) return { role: `${client}/${role}` };
  }
  return { role };
}

const oneOrMany = (kind: 'anyOf' | 'allOf', values: RequiresValue[]): RequiresValue =>
  values.length === 1 ? values[0]! : kind === 'anyOf' ? { anyOf: values } : { allOf: values };

function fromEnforcer(
  operation: OpenApiOperation,
  full: string,
  paths: readonly EnforcerPath[],
  hints: RealmHints | undefined,
): InferredRequirement | undefined {
  const match = bestMatch(paths, (entry) => [entry.path], full);
  if (!match) return undefined;
  const entry = match.item;
  const where = `policy enforcer path ${entry.path}`;
  if (entry.enforcementMode === 'DISABLED') return { requires: 'public', note: `${where} has enforcement-mode DISABLED` };
  const resource = entry.name ?? (hints ? bestMatch(hints.resources, (candidate) => candidate.uris, full)?.item.name : undefined);
  const method = entry.methods.find((candidate) => candidate.method === operation.method);
  if (method && method.mode !== 'DISABLED' && method.scopes.length > 0) {
    const permissions = method.scopes.map((scope): RequiresValue => ({ permission: resource ? `${resource}#${scope}` : scope }));
    return { requires: oneOrMany(method.mode === 'ANY' ? 'anyOf' : 'allOf', permissions), note: `${where}, method ${operation.method}` };
  }
  if (method?.mode === 'DISABLED') return { requires: 'authenticated', note: `${where}: scopes not enforced for ${operation.method}` };
  return undefined;
}

function fromRoleExtension(operation: OpenApiOperation, hints: RealmHints | undefined): InferredRequirement | undefined {
  for (const extension of ROLE_EXTENSIONS) {
    const raw = (operation.operation as Record<string, unknown>)[extension];
    if (raw === undefined) continue;
    const roles = (Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(',') : [])
      .filter((role): role is string => typeof role === 'string')
      .map((role) => role.trim())
      .filter(Boolean);
    if (roles.length === 0) return undefined; // an empty list says no role: the security requirements decide
    return {
      requires: oneOrMany(
        'anyOf',
        roles.map((role) => roleValue(role, hints)),
      ),
      note: `${extension}: ${roles.join(', ')} (any of them)`,
    };
  }
  return undefined;
}

function fromRealmResource(operation: OpenApiOperation, full: string, hints: RealmHints | undefined): InferredRequirement | undefined {
  if (!hints) return undefined;
  const match = bestMatch<RealmResource>(hints.resources, (resource) => resource.uris, full);
  if (!match) return undefined;
  const chosen = scopeForMethod(match.item.scopes, operation.method);
  if (!chosen) return { requires: 'authenticated', note: `guess: realm resource ${match.item.name} (uri ${match.pattern}) has no scopes` };
  const how = chosen.byName ? `scope named for ${operation.method}` : `no scope is named for ${operation.method}, so the first one`;
  return {
    requires: { permission: `${match.item.name}#${chosen.scope}` },
    note: `guess: realm resource ${match.item.name} (uri ${match.pattern}); ${how}`,
  };
}

/** OAuth 2 / OpenID Connect scopes from the security requirements: alternatives any-of, one requirement's schemes all-of. */
function fromSecurity(operation: OpenApiOperation, document: OpenApiDocument): InferredRequirement {
  const security = operation.security;
  const own = operation.operation.security !== undefined ? 'the operation' : 'the document';
  if (security === undefined)
    return { requires: 'authenticated', note: 'guess: no security requirement says anything; assumed any valid token' };
  if (security.length === 0) return { requires: 'public', note: `security: [] on ${own}` };
  const schemes = (document.components?.securitySchemes ?? {}) as Record<string, { type?: string }>;
  const alternatives: RequiresValue[] = [];
  for (const requirement of security) {
    const names = Object.keys(requirement);
    if (names.length === 0) return { requires: 'public', note: `an empty security requirement ({}) on ${own} makes the token optional` };
    const scopes = names.flatMap((name) =>
      ['oauth2', 'openIdConnect'].includes(schemes[name]?.type ?? '') ? (requirement[name] ?? []) : [],
    );
    alternatives.push(
      scopes.length === 0
        ? 'authenticated'
        : oneOrMany(
            'allOf',
            scopes.map((scope) => ({ oauthScope: scope })),
          ),
    );
  }
  // An alternative that needs only a token makes the scopes of the others moot.
  if (alternatives.includes('authenticated'))
    return {
      requires: 'authenticated',
      note: `security of ${own} accepts a token without OAuth scopes (${security.map((r) => Object.keys(r).join('+')).join(' or ')})`,
    };
  return {
    requires: oneOrMany('anyOf', alternatives),
    note: `OAuth scopes from the security requirements of ${own}; Keycloak puts a client scope in "scope"`,
  };
}

/**
 * What an operation requires, from the most specific source that says anything: a policy
 * enforcer's path, a role extension, the realm's Authorization Services resources (their uris and
 * scopes), the OpenAPI security requirements (OAuth scopes), else any valid token. A `security: []`
 * operation is public whatever else says.
 */
export function inferRequirement(
  operation: OpenApiOperation,
  document: OpenApiDocument,
  hints: RealmHints | undefined,
  enforcer: readonly EnforcerPath[],
): InferredRequirement {
  if (operation.security?.length === 0) return fromSecurity(operation, document);
  const full = joinPaths(operation.basePath, operation.path);
  return (
    fromEnforcer(operation, full, enforcer, hints) ??
    fromRoleExtension(operation, hints) ??
    fromRealmResource(operation, full, hints) ??
    fromSecurity(operation, document)
  );
}
