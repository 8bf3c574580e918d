import { KcboxError } from '../errors.js';

/**
 * Authorization settings keyed by name, with ids dropped, JSON-inside-strings parsed, lists sorted
 * and role references as `client/role` names: the form both drift checks work on.
 */
export interface AuthzModel {
  readonly settings: { policyEnforcementMode: string; decisionStrategy: string; allowRemoteResourceManagement: boolean };
  readonly scopes: Record<string, Record<string, never>>;
  readonly resources: Record<string, ResourceModel>;
  readonly policies: Record<string, PolicyModel>;
}

export interface ResourceModel {
  readonly type: string | null;
  readonly uris: string[];
  readonly scopes: string[];
  readonly attributes: Record<string, string[]>;
}

export interface PolicyModel {
  readonly type: string;
  readonly logic: 'POSITIVE' | 'NEGATIVE';
  readonly decisionStrategy: 'UNANIMOUS' | 'AFFIRMATIVE' | 'CONSENSUS';
  readonly config: Record<string, unknown>;
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const sortedStrings = (values: unknown): string[] => (Array.isArray(values) ? values.map(String).sort() : []);

function listOf(value: unknown): unknown[] | undefined {
  if (Array.isArray(value)) return value;
  if (typeof value === 'string' && value.trim().startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(value);
      if (Array.isArray(parsed)) return parsed;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** Role references by name: `{ id, required }` with `id` as `client/role` or `role`, UUIDs resolved. */
function roleEntries(value: unknown, roleNames: ReadonlyMap<string, string>): Array<{ role: string; required: boolean }> {
  return (listOf(value) ?? [])
    .map((entry) => {
      const id = String(isObject(entry) ? entry.id : entry);
      return { role: roleNames.get(id) ?? id, required: isObject(entry) && (entry.required === true || entry.required === 'true') };
    })
    .sort((a, b) => a.role.localeCompare(b.role));
}

/** Values Keycloak writes on one side only (the admin console sets them, exports omit them). */
const CONFIG_DEFAULTS: Record<string, Record<string, string>> = { role: { fetchRoles: 'false' }, group: { groupsClaim: '' } };

function normalizeConfig(
  type: string,
  config: Json,
  roleNames: ReadonlyMap<string, string>,
  names: ReadonlyMap<string, string>,
): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  const withDefaults: Json = { ...CONFIG_DEFAULTS[type], ...config };
  for (const [key, raw] of Object.entries(withDefaults).sort(([a], [b]) => a.localeCompare(b))) {
    // Booleans and numbers arrive as strings from exports and as JSON values from hand-written files.
    const value = typeof raw === 'boolean' || typeof raw === 'number' ? String(raw) : raw;
    if (value === '') continue;
    if (type === 'group' && key === 'groups') {
      result[key] = (listOf(value) ?? [])
        .map((entry) =>
          isObject(entry)
            ? { path: String(entry.path ?? entry.id), extendChildren: entry.extendChildren === true || entry.extendChildren === 'true' }
            : { path: String(entry), extendChildren: false },
        )
        .map((entry) => JSON.stringify(entry))
        .sort();
      continue;
    }
    if (type === 'role' && key === 'roles') {
      result[key] = roleEntries(value, roleNames);
      continue;
    }
    const list = listOf(value);
    if (list) {
      // Lists of names (or, in non-export files, ids of resources, scopes and policies).
      result[key] = list
        .map((item) =>
          isObject(item) ? JSON.stringify(Object.fromEntries(Object.entries(item).sort())) : (names.get(String(item)) ?? String(item)),
        )
        .sort();
    } else {
      result[key] = value;
    }
  }
  return result;
}

/**
 * Builds the model from a ResourceServerRepresentation (an export, or a file with ids). `roleNames`
 * maps role UUIDs to `client/role` names for files that carry ids.
 */
export function authzModel(settings: unknown, source: string, roleNames: ReadonlyMap<string, string> = new Map()): AuthzModel {
  const hasLists = isObject(settings) && ['resources', 'policies', 'scopes'].some((key) => Array.isArray(settings[key]));
  if (!isObject(settings) || !hasLists) {
    const hint =
      isObject(settings) && ('realm' in settings || 'clients' in settings) ? ' This looks like a realm file: use --realm-file.' : '';
    throw new KcboxError(
      'ERR_KCBOX_DRIFT_INPUT',
      `${source}: expected authorization settings (a JSON object with "resources", "policies" and "scopes" arrays, as kcbox export writes).${hint}`,
    );
  }
  const resources = (Array.isArray(settings.resources) ? settings.resources : []).filter(isObject);
  const scopes = (Array.isArray(settings.scopes) ? settings.scopes : []).filter(isObject);
  const policies = (Array.isArray(settings.policies) ? settings.policies : []).filter(isObject);
  // Files with ids may reference resources, scopes and policies by id: map those to names.
  const names = new Map<string, string>();
  for (const item of [...resources, ...scopes, ...policies]) {
    const id = item._id ?? item.id;
    if (typeof id === 'string' && typeof item.name === 'string') names.set(id, item.name);
  }
  const model: AuthzModel = {
    settings: {
      policyEnforcementMode: String(settings.policyEnforcementMode ?? 'ENFORCING'),
      decisionStrategy: String(settings.decisionStrategy ?? 'UNANIMOUS'),
      allowRemoteResourceManagement: settings.allowRemoteResourceManagement === true,
    },
    scopes: Object.fromEntries(scopes.map((scope) => [String(scope.name), {}])),
    resources: Object.fromEntries(
      resources.map((resource) => [
        String(resource.name),
        {
          type: typeof resource.type === 'string' && resource.type ? resource.type : null,
          uris: sortedStrings(resource.uris),
          scopes: (Array.isArray(resource.scopes) ? resource.scopes : [])
            .map((scope) => String(isObject(scope) ? scope.name : scope))
            .sort(),
          attributes: Object.fromEntries(
            Object.entries(isObject(resource.attributes) ? resource.attributes : {})
              .sort()
              .map(([key, value]) => [key, sortedStrings(value)]),
          ),
        },
      ]),
    ),
    policies: {},
  };
  for (const [position, policy] of policies.entries()) {
    if (typeof policy.name !== 'string' || typeof policy.type !== 'string') {
      throw new KcboxError('ERR_KCBOX_DRIFT_INPUT', `${source}: $.policies[${position}] needs a "name" and a "type".`);
    }
    model.policies[policy.name] = {
      type: policy.type,
      logic: policy.logic === 'NEGATIVE' ? 'NEGATIVE' : 'POSITIVE',
      decisionStrategy:
        policy.decisionStrategy === 'AFFIRMATIVE' || policy.decisionStrategy === 'CONSENSUS' ? policy.decisionStrategy : 'UNANIMOUS',
      config: normalizeConfig(policy.type, isObject(policy.config) ? policy.config : {}, roleNames, names),
    };
  }
  return model;
}
