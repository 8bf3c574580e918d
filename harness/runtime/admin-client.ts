import KcAdminClient from '@keycloak/keycloak-admin-client';
import type { AdminCredentials } from './admin-login.js';
import { adminLogin } from './admin-login.js';

export type AdminClient = KcAdminClient;

/** An admin client logged in at the master realm, for the realm-level admin operations. */
export async function connectAdmin(baseUrl: string, credentials: AdminCredentials): Promise<AdminClient> {
  const client = new KcAdminClient({ baseUrl, realmName: 'master' });
  client.setAccessToken(await adminLogin(baseUrl, credentials));
  return client;
}
