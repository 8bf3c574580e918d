import { KcboxError, describeError } from '../errors.js';
import { type AdminClient, keycloakMessage } from '../runtime/admin-client.js';
import type { LoadedRealm } from './realm-input.js';

/**
 * Creates realms on a running server and returns the names created. A realm that already exists
 * is an error: kcbox never changes a realm it did not create.
 */
export async function createRealms(admin: AdminClient, realms: readonly LoadedRealm[]): Promise<string[]> {
  const created: string[] = [];
  try {
    for (const realm of realms) {
      const where = realm.file ?? 'realm object';
      if (await admin.realms.findOne({ realm: realm.name })) {
        throw new KcboxError(
          'ERR_KCBOX_REALM_IMPORT',
          `${where}: realm "${realm.name}" already exists on ${admin.baseUrl}; kcbox does not touch realms it did not create. Delete it there or rename the realm.`,
        );
      }
      try {
        await admin.realms.create(realm.representation);
      } catch (error) {
        throw new KcboxError('ERR_KCBOX_REALM_IMPORT', `${where}: Keycloak refused realm "${realm.name}": ${keycloakMessage(error)}`, {
          cause: error,
        });
      }
      created.push(realm.name);
    }
    return created;
  } catch (error) {
    await deleteRealms(admin, created);
    throw error;
  }
}

/** Deletes the named realms, ignoring those already gone. */
export async function deleteRealms(admin: AdminClient, names: readonly string[]): Promise<void> {
  for (const realm of names) {
    try {
      await admin.realms.del({ realm });
    } catch (error) {
      if (!/404|not found/i.test(describeError(error))) throw error;
    }
  }
}
