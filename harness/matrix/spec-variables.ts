/**
 * `${VAR}` and `${VAR:default}` in matrix files. Environment variables are filled in when the file
 * is loaded; the names kcbox itself knows only at run time (the port it gives a backend, the
 * isolated realm's name and issuer) stay as they are and are filled in by the check.
 */

import { PLACEHOLDER, replacePlaceholders } from '../realm/placeholders.js';

/** Filled in by kcbox during a check, never from the environment. */
export const RUN_TIME_VARIABLES = ['PORT', 'KEYCLOAK_URL', 'KEYCLOAK_REALM', 'KEYCLOAK_ISSUER', 'KEYCLOAK_CLIENT_ID'] as const;

/** Only in the environment of a backend kcbox starts: a matrix file cannot use them. */
const BACKEND_ONLY = ['KEYCLOAK_CLIENT_SECRET', 'KEYCLOAK_PUBLIC_KEY'];

/** A placeholder that cannot be filled in, where it is, and why. */
export interface UnsetVariable {
  readonly path: readonly (string | number)[];
  readonly name: string;
  readonly message: string;
}

/** Where kcbox's run-time values are filled in: endpoint paths, headers and bodies, and ${PORT} in backend.url. */
function takesRunTime(path: readonly (string | number)[], name: string): boolean {
  if (path[0] === 'endpoints') return path[2] === 'path' || path[2] === 'headers' || path[2] === 'body';
  if (path[0] === 'setup' && path[1] === 'steps') return path[3] === 'path' || path[3] === 'headers' || path[3] === 'body';
  return name === 'PORT' && path[0] === 'backend' && path[1] === 'url';
}

/**
 * Replaces environment placeholders in every string of a parsed matrix (keys stay as written).
 * Returns the new tree and the placeholders that are unset and have no default.
 */
export function substituteEnvironment(value: unknown, env: NodeJS.ProcessEnv): { value: unknown; unset: UnsetVariable[] } {
  const unset: UnsetVariable[] = [];
  const replaced = replacePlaceholders(value, (name, fallback, path, whole) => {
    if ((RUN_TIME_VARIABLES as readonly string[]).includes(name)) {
      if (!takesRunTime(path, name)) {
        unset.push({
          path,
          name,
          message: `\${${name}} is filled in by kcbox only in endpoint paths, headers and bodies (setup steps too; and \${PORT} in backend.url)`,
        });
      }
      return whole;
    }
    if (BACKEND_ONLY.includes(name)) {
      unset.push({ path, name, message: `\${${name}} is given only to the backend's environment, never to a matrix file` });
      return whole;
    }
    const found = env[name];
    if (found !== undefined) return found;
    if (fallback !== undefined) return fallback;
    unset.push({ path, name, message: `\${${name}} is not set and has no default (set it, or write \${${name}:default})` });
    return whole;
  });
  return { value: replaced, unset };
}

/** Fills in kcbox's run-time values (`${KEYCLOAK_REALM}`…) in a string; other text is left alone. */
export function substituteRunTime(text: string, values: Readonly<Partial<Record<(typeof RUN_TIME_VARIABLES)[number], string>>>): string {
  return text.replace(PLACEHOLDER, (whole, name: string) => values[name as keyof typeof values] ?? whole);
}
