import { randomBytes } from 'node:crypto';
import type { AdminCredentials } from './admin-login.js';

/** A fresh bootstrap admin per server: never admin/admin, never printed unless asked. */
export function generateAdminCredentials(): AdminCredentials {
  return { username: 'kcbox-admin', password: randomBytes(18).toString('base64url') };
}
