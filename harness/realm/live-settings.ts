import { KcboxError } from '../errors.js';
import { type AdminClient, keycloakMessage } from '../runtime/admin-client.js';

/** One admin call; a failure names what was being done and carries Keycloak's own words. */
export async function adminCall<T>(what: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw new KcboxError('ERR_KCBOX_KEYCLOAK_CALL', `${what} failed: ${keycloakMessage(error)}`, { cause: error });
  }
}

/** The internal id of a resource server client, checking that it has Authorization Services. */
export async function clientUuid(admin: AdminClient, realm: string, clientId: string): Promise<string> {
  const [client] = await adminCall(`Looking up client "${clientId}" in realm "${realm}"`, () => admin.clients.find({ realm, clientId }));
  if (!client?.id)
    throw new KcboxError('ERR_KCBOX_CLIENT_NOT_FOUND', `Realm "${realm}" has no client "${clientId}": check --realm and --client.`);
  if (!client.authorizationServicesEnabled) {
    throw new KcboxError(
      'ERR_KCBOX_CLIENT_NOT_FOUND',
      `Client "${clientId}" in realm "${realm}" has no authorization services: name the resource server with --client.`,
    );
  }
  return client.id;
}

/** The live authorization settings as the admin console's Export gives them. */
export async function exportAuthorizationSettings(admin: AdminClient, realm: string, clientId: string): Promise<unknown> {
  const id = await clientUuid(admin, realm, clientId);
  return adminCall(`Exporting the authorization settings of "${clientId}"`, () => admin.clients.exportResource({ realm, id }));
}
