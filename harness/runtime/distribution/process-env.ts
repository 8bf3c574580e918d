import { join } from 'node:path';
import type { JavaInstallation } from './java.js';

/** Variables kc.sh or Keycloak read: inherited from a developer's shell they would change the server or the cached build. */
const KEYCLOAK_VARIABLES =
  /^(KC_.*|JAVA_OPTS.*|JAVA|JAVA_ADD_OPENS|JAVA_LOCALE|CONFIG_ARGS|DEBUG|DEBUG_PORT|DEBUG_SUSPEND|PRINT_ENV|QUARKUS_.*)$/;

/** The environment for kc.sh (build and start): the caller's, minus Keycloak settings, plus the chosen Java. */
export function keycloakProcessEnv(inherited: NodeJS.ProcessEnv, java: JavaInstallation): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(inherited)) {
    if (value !== undefined && !KEYCLOAK_VARIABLES.test(name)) env[name] = value;
  }
  return { ...env, JAVA_HOME: java.home, JAVA: join(java.home, 'bin', 'java') };
}
