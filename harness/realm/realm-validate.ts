import { KcboxError } from '../errors.js';
import { type JsonPath, formatJsonPath } from './json-path.js';
import type { RealmRepresentation } from './realm-input.js';

export interface RealmProblem {
  readonly path: string;
  readonly message: string;
}

/** Clients every new realm gets; files may map their roles without defining them. */
const BUILT_IN_CLIENTS = ['account', 'account-console', 'admin-cli', 'broker', 'realm-management', 'security-admin-console'];

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const asArray = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const namesOf = (items: unknown): string[] =>
  asArray(items)
    .map((item) => (isObject(item) ? item.name : undefined))
    .filter((name): name is string => typeof name === 'string');
const list = (names: Iterable<string>): string => [...names].join(', ') || 'none';

/** What a realm file defines, for checking its references. */
class RealmIndex {
  readonly clients: Set<string>;
  readonly realmRoles: Set<string>;
  readonly clientRoles = new Map<string, Set<string>>();
  readonly users: Set<string>;

  constructor(readonly realm: RealmRepresentation) {
    const clients = asArray(realm.clients).filter(isObject);
    this.clients = new Set([...BUILT_IN_CLIENTS, ...clients.map((client) => String(client.clientId))]);
    const roles = isObject(realm.roles) ? realm.roles : {};
    this.realmRoles = new Set([
      'offline_access',
      'uma_authorization',
      `default-roles-${realm.realm.toLowerCase()}`,
      ...namesOf(roles.realm),
    ]);
    const byClient = isObject(roles.client) ? roles.client : {};
    for (const [clientId, clientRoles] of Object.entries(byClient)) this.clientRoles.set(clientId, new Set(namesOf(clientRoles)));
    this.users = new Set(
      asArray(realm.users)
        .filter(isObject)
        .map((user) => String(user.username)),
    );
  }

  /** Undefined when the client role exists (or belongs to a built-in client the file does not describe). */
  clientRoleProblem(clientId: string, role: string): string | undefined {
    if (!this.clients.has(clientId)) {
      return `client "${clientId}" is not defined in this realm (clients: ${list([...this.clients].filter((id) => !BUILT_IN_CLIENTS.includes(id)))})`;
    }
    const defined = this.clientRoles.get(clientId);
    if (!defined) {
      return BUILT_IN_CLIENTS.includes(clientId)
        ? undefined
        : `client "${clientId}" defines no roles (add them under roles.client["${clientId}"])`;
    }
    return defined.has(role) ? undefined : `role "${role}" is not a role of client "${clientId}" (its roles: ${list(defined)})`;
  }

  realmRoleProblem(role: string): string | undefined {
    return this.realmRoles.has(role) ? undefined : `realm role "${role}" is not defined (realm roles: ${list(this.realmRoles)})`;
  }
}

/** Policy config values are JSON inside strings in Keycloak's export format, plain arrays elsewhere. */
function configList(value: unknown, path: JsonPath, problems: RealmProblem[]): unknown[] {
  if (value === undefined) return [];
  if (Array.isArray(value)) return value;
  if (typeof value === 'string') {
    try {
      const parsed: unknown = JSON.parse(value);
      if (Array.isArray(parsed)) return parsed;
    } catch {
      // reported below
    }
  }
  problems.push({ path: formatJsonPath(path), message: 'expected a JSON array (Keycloak writes it as a string: "[\\"name\\"]")' });
  return [];
}

function checkRoleMappings(owner: Json, path: JsonPath, index: RealmIndex, problems: RealmProblem[]): void {
  asArray(owner.realmRoles).forEach((role, position) => {
    const problem = index.realmRoleProblem(String(role));
    if (problem) problems.push({ path: formatJsonPath([...path, 'realmRoles', position]), message: problem });
  });
  if (isObject(owner.clientRoles)) {
    for (const [clientId, roles] of Object.entries(owner.clientRoles)) {
      asArray(roles).forEach((role, position) => {
        const problem = index.clientRoleProblem(clientId, String(role));
        if (problem) problems.push({ path: formatJsonPath([...path, 'clientRoles', clientId, position]), message: problem });
      });
    }
  }
}

function checkUsers(index: RealmIndex, problems: RealmProblem[]): void {
  asArray(index.realm.users).forEach((user, position) => {
    if (!isObject(user)) return;
    const path: JsonPath = ['users', position];
    checkRoleMappings(user, path, index, problems);
    const serviceAccountOf = user.serviceAccountClientId;
    if (typeof serviceAccountOf === 'string' && !index.clients.has(serviceAccountOf)) {
      problems.push({
        path: formatJsonPath([...path, 'serviceAccountClientId']),
        message: `client "${serviceAccountOf}" is not defined in this realm`,
      });
    }
    // Service accounts, federated users and identity-provider users log in without a password.
    const needsCredentials =
      serviceAccountOf === undefined && user.federationLink === undefined && asArray(user.federatedIdentities).length === 0;
    if (needsCredentials && asArray(user.credentials).length === 0) {
      problems.push({
        path: formatJsonPath(path),
        message: `user "${String(user.username)}" has no credentials: add "credentials": [{ "type": "password", "value": "…", "temporary": false }]`,
      });
    }
  });
}

function checkGroups(groups: unknown, path: JsonPath, index: RealmIndex, problems: RealmProblem[]): void {
  asArray(groups).forEach((group, position) => {
    if (!isObject(group)) return;
    checkRoleMappings(group, [...path, position], index, problems);
    checkGroups(group.subGroups, [...path, position, 'subGroups'], index, problems);
  });
}

function checkAuthorization(client: Json, clientPath: JsonPath, index: RealmIndex, problems: RealmProblem[]): void {
  const settings = client.authorizationSettings;
  if (!isObject(settings)) return;
  const base: JsonPath = [...clientPath, 'authorizationSettings'];
  const scopes = new Set(namesOf(settings.scopes));
  const resources = new Set(namesOf(settings.resources));
  const policies = new Set(namesOf(settings.policies));

  asArray(settings.policies).forEach((policy, position) => {
    if (!isObject(policy)) return;
    const path: JsonPath = [...base, 'policies', position];
    const name = String(policy.name);
    const config = isObject(policy.config) ? policy.config : {};
    const refs = (key: string, known: Set<string>, kind: string) => {
      configList(config[key], [...path, 'config', key], problems).forEach((ref) => {
        if (!known.has(String(ref))) {
          problems.push({
            path: formatJsonPath([...path, 'config', key]),
            message: `${policy.type === 'scope' || policy.type === 'resource' ? 'permission' : 'policy'} "${name}" names unknown ${kind} "${String(ref)}" (known: ${list(known)})`,
          });
        }
      });
    };
    switch (policy.type) {
      case 'js':
        problems.push({
          path: formatJsonPath([...path, 'type']),
          message: `JS policy "${name}" cannot be imported (it needs a deployed provider jar): use a role, user, group, client or aggregate policy`,
        });
        break;
      case 'role':
        configList(config.roles, [...path, 'config', 'roles'], problems).forEach((entry) => {
          const id = isObject(entry) ? String(entry.id) : String(entry);
          const slash = id.indexOf('/');
          const problem = slash > 0 ? index.clientRoleProblem(id.slice(0, slash), id.slice(slash + 1)) : index.realmRoleProblem(id);
          if (problem) problems.push({ path: formatJsonPath([...path, 'config', 'roles']), message: `policy "${name}": ${problem}` });
        });
        break;
      case 'user':
        refs('users', index.users, 'user');
        break;
      case 'client':
        refs('clients', index.clients, 'client');
        break;
      case 'scope':
        refs('scopes', scopes, 'scope');
        refs('resources', resources, 'resource');
        refs('applyPolicies', policies, 'policy');
        break;
      case 'resource':
        refs('resources', resources, 'resource');
        refs('applyPolicies', policies, 'policy');
        break;
      case 'aggregate':
        refs('applyPolicies', policies, 'policy');
        break;
    }
  });
}

/** Every broken reference in a realm, with its JSON path; pure, so each case is unit-tested. */
export function validateRealm(realm: RealmRepresentation): RealmProblem[] {
  const index = new RealmIndex(realm);
  const problems: RealmProblem[] = [];
  checkUsers(index, problems);
  checkGroups(realm.groups, ['groups'], index, problems);
  asArray(realm.clients).forEach((client, position) => {
    if (isObject(client)) checkAuthorization(client, ['clients', position], index, problems);
  });
  return problems;
}

const SHOWN_PROBLEMS = 20;

export function assertValidRealm(realm: RealmRepresentation, source: string): void {
  const problems = validateRealm(realm);
  if (problems.length === 0) return;
  // The first problems say what is wrong; thousands of them only bury it (and the terminal).
  const lines = problems.slice(0, SHOWN_PROBLEMS).map((problem) => `  ${problem.path}: ${problem.message}`);
  if (problems.length > SHOWN_PROBLEMS) lines.push(`  … and ${problems.length - SHOWN_PROBLEMS} more`);
  throw new KcboxError(
    'ERR_KCBOX_REALM_INVALID',
    `${source}: realm "${realm.realm}" has ${problems.length === 1 ? 'a problem' : `${problems.length} problems`}:\n${lines.join('\n')}`,
  );
}
