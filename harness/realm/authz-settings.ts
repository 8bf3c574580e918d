/**
 * Authorization settings (a ResourceServerRepresentation) in a comparable form: database ids
 * dropped, JSON-inside-strings of policy config parsed, and every list sorted, since Keycloak's
 * export order is not stable between runs.
 */
export function normalizeAuthorizationSettings(settings: unknown): unknown {
  return normalize(settings);
}

const ID_KEYS = new Set(['id', '_id']);

function parseJsonList(value: unknown): unknown {
  if (typeof value !== 'string' || !value.startsWith('[')) return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

const byJson = (a: unknown, b: unknown) => JSON.stringify(a).localeCompare(JSON.stringify(b));

function normalize(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(normalize).sort(byJson);
  if (!node || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([key]) => !ID_KEYS.has(key))
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, value]) => [key, key === 'config' ? normalizeConfig(value) : normalize(value)]),
  );
}

/** Policy config maps hold user data: keep every key (a role entry's "id" is its name), parse lists. */
function normalizeConfig(config: unknown): unknown {
  if (!config || typeof config !== 'object') return config;
  return Object.fromEntries(
    Object.entries(config)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, value]) => {
        const parsed = parseJsonList(value);
        return [key, Array.isArray(parsed) ? parsed.map((item) => (item && typeof item === 'object' ? sortKeys(item) : item)).sort(byJson) : parsed];
      }),
  );
}

function sortKeys(node: object): object {
  return Object.fromEntries(Object.entries(node).sort(([a], [b]) => a.localeCompare(b)));
}
