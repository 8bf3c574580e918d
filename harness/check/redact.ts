/** Anything shaped like a JWS or JWE in compact form (Keycloak's tokens and every forgery). */
const COMPACT_TOKEN = /eyJ[\w-]*\.[\w-]*\.[\w-]*(?:\.[\w-]*\.[\w-]*)?/g;

/**
 * Backends echo tokens in error bodies and log headers and secrets: response excerpts and the
 * backend's output pass through here unless `showTokens`, so no token or secret reaches a report.
 */
export function redactSecrets<T>(value: T, secrets: readonly string[]): T {
  let text = JSON.stringify(value).replace(COMPACT_TOKEN, '[token]');
  for (const secret of secrets) if (secret.length >= 8) text = text.split(JSON.stringify(secret).slice(1, -1)).join('[secret]');
  return JSON.parse(text) as T;
}

/** A URL as reports show it: a password in it never reaches them, however short. */
export function withoutPassword(url: string): string {
  // Only the userinfo changes: new URL() would also encode `${PORT}`-style text.
  return url.replace(/^([a-z][\w+.-]*:\/\/[^:/@]*):[^@/]*@/i, '$1@');
}
