import type { MatrixEndpoint, Requirement } from './types.js';

/** What Keycloak is asked about for an endpoint: its requirement, and its ownership rule's when it has one. */
export function endpointRequirements(endpoint: Pick<MatrixEndpoint, 'requirement' | 'owner'>): Requirement[] {
  return [endpoint.requirement, ...(endpoint.owner?.kind === 'owner-or' ? [endpoint.owner.requirement] : [])];
}

/** Every requirement inside one, itself included, depth first. */
export function flattenRequirement(requirement: Requirement): Requirement[] {
  return requirement.kind === 'any-of' || requirement.kind === 'all-of'
    ? [requirement, ...requirement.of.flatMap(flattenRequirement)]
    : [requirement];
}

/** The UMA permissions a requirement asks Keycloak about. */
export function permissionsOf(requirement: Requirement): string[] {
  return flattenRequirement(requirement).flatMap((part) => (part.kind === 'scope' ? [part.permission] : []));
}

/** How reports name it: `public`, `authenticated`, `Inventory#inventory:view`, `role inventory-api/inventory-admin`, `any of (…)`. */
export function describeRequirement(requirement: Requirement): string {
  switch (requirement.kind) {
    case 'public':
    case 'authenticated':
      return requirement.kind;
    case 'scope':
      return requirement.permission.startsWith('#') ? requirement.scope : requirement.permission;
    case 'client-role':
      return `role ${requirement.client}/${requirement.role}`;
    case 'realm-role':
      return `realm role ${requirement.role}`;
    case 'oauth-scope':
      return `OAuth scope ${requirement.scope}`;
    case 'group':
      return `group ${requirement.path}`;
    case 'any-of':
      return `any of (${requirement.of.map(describeRequirement).join('; ')})`;
    case 'all-of':
      return `all of (${requirement.of.map(describeRequirement).join('; ')})`;
  }
}

/** What Keycloak says about one caller, for the requirements to be judged on. */
export interface CallerFacts {
  /** Claims of the access token Keycloak issued the caller. */
  readonly claims: Readonly<Record<string, unknown>>;
  /** Keycloak's UMA decision for a permission, asked with that token. */
  decision(permission: string): boolean;
  /** The caller's group paths in Keycloak (its admin API: what Keycloak holds, whatever token mappers say). */
  readonly groups: readonly string[];
  /** The caller's tenants (`setup.tenants`): tenant groups it is in, or its tenant attribute's values; none without tenants. */
  readonly tenants: readonly string[];
}

const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
const objectAt = (value: unknown, key: string): unknown =>
  value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;

/** Whether one of a caller's group paths is `path` or a subgroup of it. */
export function inGroup(groups: readonly string[], path: string): boolean {
  const wanted = path.replace(/\/+$/, '');
  return groups.some((group) => {
    const normalised = group.startsWith('/') ? group : `/${group}`;
    return normalised === wanted || normalised.startsWith(`${wanted}/`);
  });
}

/** Whether a caller with a token meets the requirement. */
export function meets(requirement: Requirement, caller: CallerFacts): boolean {
  switch (requirement.kind) {
    case 'public':
    case 'authenticated':
      return true;
    case 'scope':
      return caller.decision(requirement.permission);
    case 'client-role':
      return strings(objectAt(objectAt(caller.claims.resource_access, requirement.client), 'roles')).includes(requirement.role);
    case 'realm-role':
      return strings(objectAt(caller.claims.realm_access, 'roles')).includes(requirement.role);
    case 'oauth-scope':
      return typeof caller.claims.scope === 'string' && caller.claims.scope.split(' ').includes(requirement.scope);
    case 'group':
      return inGroup(caller.groups, requirement.path);
    case 'any-of':
      return requirement.of.some((part) => meets(part, caller));
    case 'all-of':
      return requirement.of.every((part) => meets(part, caller));
  }
}
