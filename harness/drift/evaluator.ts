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
  /** Policies that left a decision open (a type the evaluator cannot evaluate): never silently treated as deny. */
  readonly unsupported: string[];
}

type Outcome = boolean | 'unknown';

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
        return groups.some((group) =>
          user.groups.some((path) => path === group.path || (group.extendChildren === true && path.startsWith(`${group.path}/`))),
        );
      }
      case 'aggregate':
        return combine(
          list(config, 'applyPolicies').map((applied) => policy(applied, trail)),
          definition.decisionStrategy,
        );
      default:
        unsupported.add(`policy "${name}": type "${definition.type}" cannot be evaluated locally`);
        return 'unknown';
    }
  };

  /** A permission's own vote: its policies combined by its strategy; undefined when it has none (Keycloak ignores it). */
  const permissionVote = (name: string): Outcome | undefined => {
    const definition = model.policies[name];
    const applied = definition ? list(definition.config, 'applyPolicies') : [];
    if (!definition || applied.length === 0) return undefined;
    // Keycloak applies logic to the associated policies, never to the permission itself.
    return combine(
      applied.map((policyName) => policy(policyName, [name])),
      definition.decisionStrategy,
    );
  };

  const decisions: Record<string, boolean> = {};
  for (const [resourceName, resource] of Object.entries(model.resources)) {
    const onResource = (permission: PolicyModel): boolean => {
      const resources = list(permission.config, 'resources');
      const type = permission.config.defaultResourceType ?? permission.config.resourceType;
      return (
        resources.includes(resourceName) || (resources.length === 0 && typeof type === 'string' && type !== '' && type === resource.type)
      );
    };
    const applies = (permission: PolicyModel, scope: string | undefined): boolean => {
      if (permission.type === 'resource') return onResource(permission);
      if (permission.type !== 'scope' || scope === undefined) return false;
      return (
        list(permission.config, 'scopes').includes(scope) && (list(permission.config, 'resources').length === 0 || onResource(permission))
      );
    };
    // A resource without scopes is decided as a whole, under its bare name.
    const cells: Array<string | undefined> = resource.scopes.length > 0 ? resource.scopes : [undefined];
    const permissionsOf = (scope: string | undefined) =>
      Object.entries(model.policies).filter(([, permission]) => applies(permission, scope));
    // Keycloak evaluates one permission request per resource: PERMISSIVE grants only when nothing at all applies to it.
    const anyApplies = cells.some((scope) => permissionsOf(scope).length > 0);
    for (const scope of cells) {
      const key = scope === undefined ? resourceName : `${resourceName}#${scope}`;
      if (model.settings.policyEnforcementMode === 'DISABLED' || (!anyApplies && model.settings.policyEnforcementMode === 'PERMISSIVE')) {
        decisions[key] = true;
        continue;
      }
      const votes = permissionsOf(scope)
        .map(([name]) => permissionVote(name))
        .filter((vote): vote is Outcome => vote !== undefined);
      if (votes.length === 0) {
        decisions[key] = false;
        continue;
      }
      // Between permissions Keycloak knows only AFFIRMATIVE; anything else acts as UNANIMOUS.
      const outcome = combine(votes, model.settings.decisionStrategy === 'AFFIRMATIVE' ? 'AFFIRMATIVE' : 'UNANIMOUS');
      if (outcome !== 'unknown') decisions[key] = outcome;
    }
  }
  return { decisions, unsupported: [...unsupported].sort() };
}
