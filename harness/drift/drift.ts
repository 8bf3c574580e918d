import { KcboxError } from '../errors.js';
import { parseJsonText } from '../input/json-text.js';
import { type InputProblem, formatInputProblem, readTextFile } from '../input/text-file.js';
import { REALM_FILE_MAX_BYTES, type RealmRepresentation } from '../realm/realm-input.js';
import { type AdminClient, connectAdmin } from '../runtime/admin-client.js';
import type { KeycloakConnection } from '../runtime/connection.js';
import { trustCertificateAuthority } from '../tls/trust.js';
import { type AuthzModel, authzModel } from './authz-model.js';
import { type DiffEntry, diffValues } from './diff.js';
import { formatJsonPath } from '../realm/json-path.js';
import { type UserFacts, evaluateLocally } from './evaluator.js';
import { type LiveUser, liveDecisions, liveResourceServer, liveUsers } from './live.js';

export type { DiffEntry } from './diff.js';

/** A user whose decision for a permission differs between the file and the live realm. */
export interface DecisionChange {
  readonly username: string;
  /** `Resource#scope`. */
  readonly permission: string;
  /** What the file's settings decide (local evaluation). */
  readonly file: boolean;
  /** What Keycloak decides. */
  readonly live: boolean;
}

export interface AuthzDrift {
  readonly realm: string;
  readonly clientId: string;
  readonly structural: DiffEntry[];
  readonly semantic: DecisionChange[];
  /** Policies the local evaluator could not evaluate: their users' decisions are not compared. */
  readonly unsupported: string[];
  readonly hasDrift: boolean;
}

export interface AuthzDriftOptions {
  readonly server: KeycloakConnection;
  readonly realm: string;
  /** The resource server's client id. */
  readonly clientId: string;
  /** An exported settings file, or the parsed settings. */
  readonly config: string | object;
  /** Users whose decisions are compared; default every user of the realm. */
  readonly users?: readonly string[];
}

function driftInputError(problem: InputProblem): KcboxError {
  return new KcboxError('ERR_KCBOX_DRIFT_INPUT', `${formatInputProblem(problem)}.`, { cause: problem.cause });
}

/**
 * Reads a drift input (exported authorization settings or a realm file): at most the realm file
 * limit, UTF-8 text, strict JSON; problems as `FILE:LINE:COLUMN: what is wrong`.
 */
export async function readJsonFile(file: string): Promise<unknown> {
  const text = await readTextFile(file, {
    maxBytes: REALM_FILE_MAX_BYTES,
    what: 'file',
    format: 'JSON',
    fail: driftInputError,
  });
  return parseJsonText(text, file, driftInputError);
}

function decisionsOf(model: AuthzModel, granted: Record<string, boolean>): Record<string, boolean> {
  const all: Record<string, boolean> = {};
  for (const [resource, definition] of Object.entries(model.resources)) {
    if (definition.scopes.length === 0) all[resource] = granted[resource] ?? false;
    for (const scope of definition.scopes) all[`${resource}#${scope}`] = granted[`${resource}#${scope}`] ?? false;
  }
  return all;
}

async function compareAuthz(
  admin: AdminClient,
  realm: string,
  clientId: string,
  expected: unknown,
  source: string,
  users: readonly LiveUser[],
  pathPrefix: string,
  /** Who the file says a user is; default: the live user (an authz file says nothing about users). */
  factsFor: (user: LiveUser) => UserFacts = (user) => user,
): Promise<Omit<AuthzDrift, 'hasDrift' | 'realm' | 'clientId'>> {
  const live = await liveResourceServer(admin, realm, clientId);
  const fileModel = authzModel(expected, source, live.roleNames);
  const liveModel = authzModel(live.settings, `live ${clientId}`, live.roleNames);
  const structural = diffValues(fileModel, liveModel, pathPrefix);
  const semantic: DecisionChange[] = [];
  const unsupported = new Set<string>();
  for (const user of users) {
    const local = evaluateLocally(fileModel, factsFor(user), clientId);
    local.unsupported.forEach((item) => unsupported.add(item));
    const keycloak = decisionsOf(liveModel, await liveDecisions(admin, realm, live.clientUuid, user));
    for (const permission of [...new Set([...Object.keys(local.decisions), ...Object.keys(keycloak)])].sort()) {
      const file = local.decisions[permission];
      const granted = keycloak[permission] ?? false;
      // An undecidable cell (unsupported policy) is reported through `unsupported`, not guessed.
      if (file === undefined && local.unsupported.length > 0) continue;
      if ((file ?? false) !== granted) semantic.push({ username: user.username, permission, file: file ?? false, live: granted });
    }
  }
  return { structural, semantic, unsupported: [...unsupported].sort() };
}

/**
 * Compares an exported authorization settings file with the live resource server: structurally
 * (normalised, names not ids) and semantically (each user's decision per scope, from the file by
 * the local evaluator, against Keycloak's own decision).
 */
export async function authzDrift(options: AuthzDriftOptions): Promise<AuthzDrift> {
  const source = typeof options.config === 'string' ? options.config : 'settings object';
  const expected = typeof options.config === 'string' ? await readJsonFile(options.config) : options.config;
  const admin = await connectAdmin(options.server.url, options.server.adminCredentials);
  const users = await liveUsers(admin, options.realm, options.users);
  const result = await compareAuthz(admin, options.realm, options.clientId, expected, source, users, '$');
  return {
    realm: options.realm,
    clientId: options.clientId,
    ...result,
    hasDrift: result.structural.length > 0 || result.semantic.length > 0 || result.unsupported.length > 0,
  };
}

export interface RealmDrift {
  readonly realm: string;
  readonly structural: DiffEntry[];
  readonly semantic: DecisionChange[];
  readonly unsupported: string[];
  readonly hasDrift: boolean;
}

const CLIENT_FIELDS = [
  'enabled',
  'publicClient',
  'bearerOnly',
  'standardFlowEnabled',
  'directAccessGrantsEnabled',
  'serviceAccountsEnabled',
  'authorizationServicesEnabled',
  'redirectUris',
  'webOrigins',
] as const;

type Json = Record<string, unknown>;
const names = (items: unknown): string[] => (Array.isArray(items) ? items.map((item) => String((item as Json).name)).sort() : []);
const sorted = (items: unknown): string[] => (Array.isArray(items) ? items.map(String).sort() : []);

/**
 * A whole realm file against the live realm: realm and client roles, the fields the file sets on
 * its clients, its users' role mappings, and the authorization settings of each resource server.
 */
export async function realmDrift(options: {
  server: KeycloakConnection;
  realmFile: string | RealmRepresentation;
  realm?: string;
  users?: readonly string[];
}): Promise<RealmDrift> {
  const source = typeof options.realmFile === 'string' ? options.realmFile : 'realm object';
  const file = (typeof options.realmFile === 'string' ? await readJsonFile(options.realmFile) : options.realmFile) as Json;
  if (typeof file.realm !== 'string') throw new KcboxError('ERR_KCBOX_DRIFT_INPUT', `${source}: field "realm" must name the realm.`);
  const realm = options.realm ?? file.realm;
  trustCertificateAuthority(options.server.caFile);
  const admin = await connectAdmin(options.server.url, options.server.adminCredentials);
  const structural: DiffEntry[] = [];

  const builtInRealmRoles = new Set(['offline_access', 'uma_authorization', `default-roles-${realm.toLowerCase()}`]);
  const fileRoles = (file.roles ?? {}) as Json;
  const liveRealmRoles = (await admin.roles.find({ realm }))
    .map((role) => String(role.name))
    .filter((name) => !builtInRealmRoles.has(name))
    .sort();
  structural.push(...diffValues(names(fileRoles.realm), liveRealmRoles, '$.roles.realm'));

  const fileClients = (Array.isArray(file.clients) ? file.clients : []) as Json[];
  const liveClients = await admin.clients.find({ realm });
  for (const client of fileClients) {
    const clientId = String(client.clientId);
    const path = formatJsonPath(['clients', clientId]);
    const live = liveClients.find((candidate) => candidate.clientId === clientId);
    if (!live?.id) {
      structural.push({ kind: 'removed', path, expected: clientId });
      continue;
    }
    const expectedFields = Object.fromEntries(
      CLIENT_FIELDS.filter((field) => field in client).map((field) => [
        field,
        Array.isArray(client[field]) ? sorted(client[field]) : client[field],
      ]),
    );
    const liveFields = Object.fromEntries(
      Object.keys(expectedFields).map((field) => {
        const value = (live as Json)[field];
        return [field, Array.isArray(value) ? sorted(value) : value];
      }),
    );
    structural.push(...diffValues(expectedFields, liveFields, path));
    const roles = ((fileRoles.client ?? {}) as Json)[clientId];
    const liveRoles = (await admin.clients.listRoles({ realm, id: live.id })).map((role) => String(role.name)).sort();
    if (roles !== undefined) structural.push(...diffValues(names(roles), liveRoles, formatJsonPath(['roles', 'client', clientId])));
  }

  const liveUserList = await liveUsers(admin, realm, options.users);
  for (const user of (Array.isArray(file.users) ? file.users : []) as Json[]) {
    const username = String(user.username);
    if (user.serviceAccountClientId || (options.users && !options.users.includes(username))) continue;
    const path = formatJsonPath(['users', username]);
    const [live] = await admin.users.find({ realm, username, exact: true });
    if (!live?.id) {
      structural.push({ kind: 'removed', path, expected: username });
      continue;
    }
    const mappings = await admin.users.listRoleMappings({ realm, id: live.id });
    const liveRealm = (mappings.realmMappings ?? [])
      .map((role) => String(role.name))
      .filter((name) => !builtInRealmRoles.has(name))
      .sort();
    const liveClient = Object.fromEntries(
      Object.values((mappings.clientMappings ?? {}) as Record<string, { client?: string; mappings?: Array<{ name?: string }> }>).map(
        (mapping) => [String(mapping.client), (mapping.mappings ?? []).map((role) => String(role.name)).sort()],
      ),
    );
    const fileClient = Object.fromEntries(
      Object.entries((user.clientRoles ?? {}) as Json).map(([clientId, list]) => [clientId, sorted(list)]),
    );
    structural.push(
      ...diffValues(
        sorted(user.realmRoles).filter((name) => !builtInRealmRoles.has(name)),
        liveRealm,
        `${path}.realmRoles`,
      ),
    );
    structural.push(...diffValues(fileClient, liveClient, `${path}.clientRoles`));
  }

  // The file's own role mappings for its users (direct roles; composites are not expanded).
  const fileUsers = new Map(
    ((Array.isArray(file.users) ? file.users : []) as Json[]).map((user) => [
      String(user.username),
      {
        username: String(user.username),
        realmRoles: sorted(user.realmRoles),
        clientRoles: Object.fromEntries(
          Object.entries((user.clientRoles ?? {}) as Json).map(([clientId, list]) => [clientId, sorted(list)]),
        ),
        groups: sorted(user.groups),
      } satisfies UserFacts,
    ]),
  );
  const semantic: DecisionChange[] = [];
  const unsupported: string[] = [];
  for (const client of fileClients.filter((candidate) => candidate.authorizationSettings)) {
    const clientId = String(client.clientId);
    if (!liveClients.some((candidate) => candidate.clientId === clientId && candidate.authorizationServicesEnabled)) continue;
    const result = await compareAuthz(
      admin,
      realm,
      clientId,
      client.authorizationSettings,
      source,
      liveUserList,
      formatJsonPath(['clients', clientId, 'authorizationSettings']),
      (user) => fileUsers.get(user.username) ?? user,
    );
    structural.push(...result.structural);
    semantic.push(...result.semantic);
    unsupported.push(...result.unsupported);
  }
  return { realm, structural, semantic, unsupported, hasDrift: structural.length > 0 || semantic.length > 0 || unsupported.length > 0 };
}
