import type { OpenApiOperation } from './load-openapi.js';

/**
 * How a matrix endpoint finds its OpenAPI operation. The rule, in one place:
 *
 * - The method must be the same.
 * - The path compared is the one the request goes to: the path of the backend's URL, then the
 *   endpoint's path without its query string.
 * - It is compared with the operation's server base path (or the matrix's `openapi.basePath`)
 *   followed by its path template, where each `{name}` stands for one non-empty path segment (no
 *   `/`). So a concrete `/items/42`, a template `/items/{id}` and a placeholder `/items/${ID}` all
 *   match `/items/{itemId}`.
 * - When several templates match, the most literal wins (`/items/mine` before `/items/{id}`), as
 *   OpenAPI says concrete paths match before templated ones.
 */

const escapeRegex = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A regular expression for a path template: each `{name}` matches one non-empty segment. */
export function templateRegex(template: string): RegExp {
  const parts = template.split(/(\{[^{}/]+\})/);
  return new RegExp(`^${parts.map((part) => (/^\{[^{}/]+\}$/.test(part) ? '[^/]+' : escapeRegex(part))).join('')}$`);
}

/** How literal a template is: its length without the parameters. */
const literalness = (template: string): number => template.replace(/\{[^{}/]+\}/g, '').length;

/** `/a` + `/b`, without doubled or trailing slashes (the root stays `/`). */
export function joinPaths(base: string, path: string): string {
  const joined = `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
  return joined.length > 1 ? joined.replace(/\/+$/, '') || '/' : joined;
}

/** The path of a backend URL (`${PORT}` allowed), `''` for the root or one that does not parse. */
export function backendBasePath(url: string): string {
  const parsed = URL.canParse(url.replace(/\$\{PORT\}/g, '1')) ? new URL(url.replace(/\$\{PORT\}/g, '1')) : undefined;
  return (parsed?.pathname ?? '').replace(/\/+$/, '');
}

export interface MatchTarget {
  readonly method: string;
  /** The path requested: backend base path and the endpoint's path, query string removed. */
  readonly path: string;
}

/** The matrix request's target: method and the whole path it asks for. */
export function requestTarget(method: string, endpointPath: string, backendUrl: string): MatchTarget {
  const path = endpointPath.split(/[?#]/)[0] ?? endpointPath;
  return { method: method.toUpperCase(), path: joinPaths(backendBasePath(backendUrl), path) };
}

/** The operation a request covers, or undefined; `basePath` overrides every operation's server path. */
export function matchOperation(
  operations: readonly OpenApiOperation[],
  target: MatchTarget,
  basePath?: string,
): OpenApiOperation | undefined {
  let best: OpenApiOperation | undefined;
  for (const operation of operations) {
    if (operation.method !== target.method) continue;
    const full = joinPaths(basePath ?? operation.basePath, operation.path);
    if (!templateRegex(full).test(target.path)) continue;
    if (!best || literalness(operation.path) > literalness(best.path)) best = operation;
  }
  return best;
}
