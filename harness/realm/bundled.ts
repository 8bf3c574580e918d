import { dirname, join } from 'node:path';
import { packageRoot } from '../package-info.js';

/** The bundled default scenario: realm `inventory` (see README). */
export function bundledRealmPath(): string {
  return join(packageRoot(), 'realm', 'inventory-realm.json');
}

/** The authorization settings of the bundled realm's `inventory-api`, as Keycloak exports them. */
export function bundledAuthzConfigPath(): string {
  return join(dirname(bundledRealmPath()), 'inventory-authz-config.json');
}
