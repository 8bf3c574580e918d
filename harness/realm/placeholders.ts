import { KcboxError } from '../errors.js';
import { clip } from '../input/text-file.js';
import { type JsonPath, formatJsonPath } from './json-path.js';

/** `${NAME}` or `${NAME:default}`. */
export const PLACEHOLDER = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::([^}]*))?\}/g;
/** Environment-variable style names. Realm exports also hold `${client_account}`-style message keys, which stay as they are. */
const ENV_NAME = /^[A-Z][A-Z0-9_]*$/;
/** Unset placeholders named in the error; the rest are counted, so the message stays short. */
const MISSING_SHOWN = 10;

/**
 * Calls `resolve` for every `${NAME}` / `${NAME:default}` in every string of a parsed JSON or YAML
 * tree (keys stay as written) and puts its answer in place; returns the new tree. The one walker
 * behind realm-file and matrix-file placeholders.
 */
export function replacePlaceholders(
  value: unknown,
  resolve: (name: string, fallback: string | undefined, path: JsonPath, whole: string) => string,
): unknown {
  const walk = (node: unknown, path: JsonPath): unknown => {
    if (typeof node === 'string') {
      return node.replace(PLACEHOLDER, (whole, name: string, fallback: string | undefined) => resolve(name, fallback, path, whole));
    }
    if (Array.isArray(node)) return node.map((item, index) => walk(item, [...path, index]));
    if (node && typeof node === 'object') {
      return Object.fromEntries(Object.entries(node).map(([key, child]) => [key, walk(child, [...path, key])]));
    }
    return node;
  };
  return walk(value, []);
}

/**
 * Replaces `${VAR}` and `${VAR:default}` in every string of a parsed realm, the way Keycloak's
 * own import does, but before validation, so the validator sees the final values. Works on the
 * parsed tree, so a value with quotes or backslashes cannot break the JSON. An upper-case variable
 * that is unset and has no default is an error naming the file and the JSON path; other names
 * (Keycloak's message keys such as `${client_account}`) are left alone.
 */
export function substitutePlaceholders<T>(value: T, env: NodeJS.ProcessEnv, source: string): T {
  const missing: string[] = [];
  const result = replacePlaceholders(value, (name, fallback, path, whole) => {
    const found = env[name];
    if (found !== undefined) return found;
    if (fallback !== undefined) return fallback;
    if (!ENV_NAME.test(name)) return whole;
    const shown = clip(name);
    missing.push(`${clip(formatJsonPath(path), 160)}: \${${shown}} is not set and has no default (write \${${shown}:default})`);
    return whole;
  }) as T;
  if (missing.length > 0) {
    const shown = missing.slice(0, MISSING_SHOWN).join('; ');
    const more = missing.length > MISSING_SHOWN ? `; and ${missing.length - MISSING_SHOWN} more unset placeholders` : '';
    throw new KcboxError('ERR_KCBOX_REALM_FILE', `${source}: ${shown}${more}.`);
  }
  return result;
}
