import type { AuthzModel, PolicyModel } from './authz-model.js';

/** What Keycloak knows about a user when it evaluates policies. */
export interface UserFacts {
  readonly username: string;
  /** Effective realm roles (composites expanded). */
  readonly realmRoles: readonly string[];
  /** Effective client roles by client id. */
  readonly clientRoles: Readonly<Record<string, readonly string[]>>;
  /** Group paths, e.g. `/staff/ops`. */
  readonly groups: readonly string[];
}

export interface LocalDecisions {
  /** `Resource#scope` → granted? */
  readonly decisions: Record<string, boolean>;
  /** Policy types that could not be evaluated, with the policy names: never silently treated as deny. */
  readonly unsupported: string[];
}

type Outcome = boolean | 'unknown';

const EVALUABLE = new Set(['role', 'user', 'group', 'client', 'aggregate', 'scope', 'resource']);

function combine(results: readonly Outcome[], strategy: string): Outcome {
  if (results.includes('unknown')) return 'unknown';
  const grants = results.filter((result) => result === true).length;
  const denies = results.length - grants;
  if (strategy === 'AFFIRMATIVE') return grants > 0;
  if (strategy === 'CONSENSUS') return grants > denies;
  return results.length > 0 && denies === 0;
}

function list(config: Record<string, unknown>, key: string): string[] {
  const value = config[key];
  return Array.isArray(value) ? value.map(String) : [];
}

function hasRole(user: UserFacts, role: string): boolean {
  const slash = role.indexOf('/');
  if (slash < 0) return user.realmRoles.includes(role);
  return user.clientRoles[role.slice(0, slash)]?.includes(role.slice(slash + 1)) ?? false;
}

/**
 * Evaluates authorization settings the way Keycloak's policy engine does for one user, for every
 * scope of every resource: policies (role, user, group, client, aggregate) with their logic,
 * permissions (scope, resource) with their decision strategy, permissions on the same scope with
 * the resource server's strategy, and the enforcement mode when no permission applies.
 */
export function evaluateLocally(model: AuthzModel, user: UserFacts, requestingClient: string): LocalDecisions {
  const unsupported = new Set<string>();
  const cache = new Map<string, Outcome>();

  const policy = (name: string, trail: readonly string[] = []): Outcome => {
    const cached = cache.get(name);
    if (cached !== undefined) return cached;
    const definition = model.policies[name];
    if (!definition || trail.includes(name)) {
      unsupported.add(definition ? `policy "${name}": refers to itself` : `policy "${name}": not defined`);
      return 'unknown';
    }
    const raw = evaluatePolicy(definition, name, [...trail, name]);
    const outcome = raw === 'unknown' ? raw : definition.logic === 'NEGATIVE' ? !raw : raw;
    cache.set(name, outcome);
    return outcome;
  };

  const evaluatePolicy = (definition: PolicyModel, name: string, trail: readonly string[]): Outcome => {
    const config = definition.config;
    switch (definition.type) {
      case 'role': {
        const roles = (config.roles as Array<{ role: string; required: boolean }> | undefined) ?? [];
        if (roles.some((entry) => entry.required && !hasRole(user, entry.role))) return false;
        return roles.some((entry) => hasRole(user, entry.role));
      }
      case 'user':
        return list(config, 'users').includes(user.username);
      case 'client':
        return list(config, 'clients').includes(requestingClient);
      case 'group': {
        const groups = list(config, 'groups').map((entry) => JSON.parse(entry) as { path?: string; extendChildren?: boolean });
        return groups.some((group) => user.groups.some((path) => path === group.path || (group.extendChildren === true && path.startsWith(`${group.path}/`))));
      }
      case 'aggregate':
      case 'scope':
      case 'resource':
        return combine(list(config, 'applyPolicies').map((applied) => policy(applied, trail)), definition.decisionStrategy);
      default:
        unsupported.add(`policy "${name}": type "${definition.type}" cannot be evaluated locally`);
        return 'unknown';
    }
  };

  const decisions: Record<string, boolean> = {};
  for (const [resourceName, resource] of Object.entries(model.resources)) {
    for (const scope of resource.scopes) {
      const applicable = Object.entries(model.policies).filter(([, permission]) => {
        const resources = list(permission.config, 'resources');
        const resourceType = typeof permission.config.resourceType === 'string' ? permission.config.resourceType : undefined;
        const onResource = resources.includes(resourceName) || (resources.length === 0 && resourceType !== undefined && resourceType === resource.type);
        if (permission.type === 'resource') return onResource;
        if (permission.type !== 'scope') return false;
        return list(permission.config, 'scopes').includes(scope) && (resources.length === 0 || onResource);
      });
      const key = `${resourceName}#${scope}`;
      if (model.settings.policyEnforcementMode === 'DISABLED') {
        decisions[key] = true;
        continue;
      }
      if (applicable.length === 0) {
        decisions[key] = model.settings.policyEnforcementMode !== 'ENFORCING';
        continue;
      }
      const outcome = combine(applicable.map(([name]) => policy(name)), model.settings.decisionStrategy);
      if (outcome !== 'unknown') decisions[key] = outcome;
    }
  }
  for (const [name, definition] of Object.entries(model.policies)) {
    if (!EVALUABLE.has(definition.type)) unsupported.add(`policy "${name}": type "${definition.type}" cannot be evaluated locally`);
  }
  return { decisions, unsupported: [...unsupported].sort() };
}
