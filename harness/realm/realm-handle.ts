import { randomBytes } from 'node:crypto';
import { KcboxError } from '../errors.js';
import { type AdminClient, connectAdmin, keycloakMessage } from '../runtime/admin-client.js';
import type { KeycloakConnection } from '../runtime/connection.js';
import { trustCertificateAuthority } from '../tls/trust.js';
import { createRealms, deleteRealms } from './realm-admin.js';
import { type LoadRealmOptions, type LoadedRealm, type RealmInput, type RealmRepresentation, loadRealm } from './realm-input.js';

export interface ImportRealmOptions extends LoadRealmOptions {
  /**
   * Import a uniquely named copy (`inventory-3f9a1c2e`), so parallel test files and CI jobs that
   * share a server never collide. Default false: the realm keeps its name and must not exist yet.
   */
  readonly isolate?: boolean;
  /**
   * Additions to the representation sent to Keycloak, in the same import (e.g. a key provider).
   * The handle's `representation` stays the file's. May be async: it runs while the admin login
   * is under way.
   */
  readonly addToImport?: (representation: RealmRepresentation) => RealmRepresentation | Promise<RealmRepresentation>;
}

export interface CreateUserOptions {
  readonly username: string;
  readonly password: string;
  /** Default `${username}@kcbox.test`; Keycloak's user profile needs one for the password grant. */
  readonly email?: string;
  readonly firstName?: string;
  readonly lastName?: string;
  /** Default true. */
  readonly enabled?: boolean;
  readonly realmRoles?: readonly string[];
  /** Client id → role names. */
  readonly clientRoles?: Readonly<Record<string, readonly string[]>>;
  readonly attributes?: Readonly<Record<string, readonly string[]>>;
}

export interface CreatedUser {
  readonly id: string;
  readonly username: string;
  readonly password: string;
}

/** A realm kcbox created on a server, with its endpoints. Delete it with `delete()` or `await using`. */
export interface RealmHandle extends AsyncDisposable {
  readonly name: string;
  /** The server's base URL. */
  readonly serverUrl: string;
  /** `iss` of the realm's tokens. */
  readonly issuer: string;
  readonly discoveryUrl: string;
  readonly jwksUrl: string;
  readonly tokenUrl: string;
  /** The representation that was imported (placeholders resolved, name isolated). */
  readonly representation: RealmRepresentation;
  /** The file it came from, if any. */
  readonly file: string | undefined;
  /** Adds a user with a password, roles and attributes. */
  createUser(options: CreateUserOptions): Promise<CreatedUser>;
  /** Deletes the realm; idempotent. */
  delete(): Promise<void>;
}

/** Keys that carry database ids: a copy keeping them would clash with the original on the same server. */
const ID_KEYS = new Set(['id', '_id', 'containerId']);
/** Maps of user data, where a key named "id" is data, not a database id. */
const OPAQUE_KEYS = new Set(['config', 'attributes']);

function withoutIds(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutIds);
  if (!node || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([key]) => !ID_KEYS.has(key))
      .map(([key, value]) => [key, OPAQUE_KEYS.has(key) ? value : withoutIds(value)]),
  );
}

/**
 * A uniquely named copy of a realm: new name, no database ids. Role names (the default role's
 * too) are per realm, so they stay as they are and every reference to them keeps working.
 */
export function isolatedCopy(realm: RealmRepresentation, suffix = randomBytes(4).toString('hex')): RealmRepresentation {
  const copy = withoutIds(realm) as RealmRepresentation;
  copy.realm = `${realm.realm}-${suffix}`;
  return copy;
}

export function realmEndpoints(serverUrl: string, name: string) {
  const issuer = `${serverUrl}/realms/${encodeURIComponent(name)}`;
  return {
    issuer,
    discoveryUrl: `${issuer}/.well-known/openid-configuration`,
    jwksUrl: `${issuer}/protocol/openid-connect/certs`,
    tokenUrl: `${issuer}/protocol/openid-connect/token`,
  };
}

async function createUser(admin: AdminClient, realm: string, options: CreateUserOptions): Promise<CreatedUser> {
  const where = `user "${options.username}" in realm "${realm}"`;
  let id: string;
  try {
    ({ id } = await admin.users.create({
      realm,
      username: options.username,
      enabled: options.enabled ?? true,
      email: options.email ?? `${options.username}@kcbox.test`,
      emailVerified: true,
      firstName: options.firstName ?? options.username,
      lastName: options.lastName ?? 'Test',
      credentials: [{ type: 'password', value: options.password, temporary: false }],
      ...(options.attributes
        ? { attributes: Object.fromEntries(Object.entries(options.attributes).map(([key, values]) => [key, [...values]])) }
        : {}),
    }));
  } catch (error) {
    throw new KcboxError('ERR_KCBOX_REALM_IMPORT', `Could not create ${where}: ${keycloakMessage(error)}`, { cause: error });
  }
  for (const roleName of options.realmRoles ?? []) {
    const role = await admin.roles.findOneByName({ realm, name: roleName });
    if (!role?.id) throw new KcboxError('ERR_KCBOX_REALM_IMPORT', `Could not give ${where} realm role "${roleName}": no such role.`);
    await admin.users.addRealmRoleMappings({ realm, id, roles: [{ id: role.id, name: roleName }] });
  }
  for (const [clientId, roleNames] of Object.entries(options.clientRoles ?? {})) {
    const [client] = await admin.clients.find({ realm, clientId });
    if (!client?.id)
      throw new KcboxError('ERR_KCBOX_REALM_IMPORT', `Could not give ${where} roles of client "${clientId}": no such client.`);
    const roles = [];
    for (const roleName of roleNames) {
      const role = await admin.clients.findRole({ realm, id: client.id, roleName }).catch(() => undefined);
      if (!role?.id)
        throw new KcboxError('ERR_KCBOX_REALM_IMPORT', `Could not give ${where} role "${roleName}" of client "${clientId}": no such role.`);
      roles.push({ id: role.id, name: roleName });
    }
    await admin.users.addClientRoleMappings({ realm, id, clientUniqueId: client.id, roles });
  }
  return { id, username: options.username, password: options.password };
}

/** A handle on a realm that exists on the server. `onDeleted` lets the server forget it. */
export function realmHandle(server: KeycloakConnection, loaded: LoadedRealm, onDeleted: (name: string) => void = () => {}): RealmHandle {
  let deleting: Promise<void> | undefined;
  const remove = () =>
    (deleting ??= (async () => {
      await deleteRealms(await connectAdmin(server.url, server.adminCredentials), [loaded.name]);
      onDeleted(loaded.name);
    })());
  return {
    name: loaded.name,
    serverUrl: server.url,
    ...realmEndpoints(server.url, loaded.name),
    representation: loaded.representation,
    file: loaded.file,
    createUser: async (options) => createUser(await connectAdmin(server.url, server.adminCredentials), loaded.name, options),
    delete: remove,
    [Symbol.asyncDispose]: remove,
  };
}

/**
 * Loads, checks and creates a realm over the admin API. With `isolate`, a uniquely named copy;
 * without, a realm of that name must not exist yet (kcbox never takes over a realm it did not create).
 */
export async function importRealm(
  server: KeycloakConnection,
  source: RealmInput,
  options: ImportRealmOptions = {},
  onCreated: (name: string) => void = () => {},
  onDeleted: (name: string) => void = () => {},
): Promise<RealmHandle> {
  trustCertificateAuthority(server.caFile);
  const loaded = await loadRealm(source, options);
  const imported: LoadedRealm = options.isolate ? { ...loaded, name: '', representation: isolatedCopy(loaded.representation) } : loaded;
  const realm: LoadedRealm = { ...imported, name: imported.representation.realm };
  const { addToImport } = options;
  // The additions (a generated key) and the admin login at once; a failed addition is still the
  // error reported, as when it came first.
  const adding = (async () =>
    addToImport ? { ...realm, representation: await addToImport(structuredClone(realm.representation)) } : realm)();
  const admin = connectAdmin(server.url, server.adminCredentials);
  admin.catch(() => undefined);
  const sent = await adding;
  await createRealms(await admin, [sent]);
  onCreated(realm.name);
  return realmHandle(server, realm, onDeleted);
}
