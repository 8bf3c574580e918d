import type { GrantedPermission } from '../tokens/claims.js';
import { type TokenRealm, umaDecision, umaPermissions } from '../tokens/token-client.js';
import { TokenError } from '../tokens/token-error.js';

/** Runs one Keycloak request; a `p-limit` limiter fits. */
export type RequestLimit = <T>(request: () => Promise<T>) => Promise<T>;

const unlimited: RequestLimit = (request) => request();

/**
 * Whether Keycloak's `response_mode=permissions` answer grants one permission (`Resource#scope` or
 * `#scope`). Keycloak lists each granted resource (by name and id; none for a scope permission on
 * no resource) with the granted scopes among those asked, so the permission is granted when an
 * entry for its resource (any entry for `#scope`) lists its scope. Undefined when only a decision
 * of its own can tell: a matching entry without any scopes, a scope list such as `a,b`.
 */
export function grantedIn(permission: string, granted: readonly GrantedPermission[]): boolean | undefined {
  const hash = permission.indexOf('#');
  const resource = hash === -1 ? permission : permission.slice(0, hash);
  const scope = hash === -1 ? '' : permission.slice(hash + 1);
  if (scope === '' || scope.includes(',')) return undefined;
  const candidates = resource === '' ? granted : granted.filter((entry) => entry.rsname === resource || entry.rsid === resource);
  if (candidates.some((entry) => entry.scopes?.includes(scope))) return true;
  return candidates.some((entry) => !entry.scopes?.length) ? undefined : false;
}

/**
 * Keycloak's decision on each permission for one access token, in one UMA request whatever their
 * number: the permissions Keycloak grants out of all of them (`response_mode=permissions`; a 403
 * means none). A permission the answer leaves open gets a decision request of its own, and so
 * does every permission when Keycloak refuses the request as a whole, so each outcome is the one
 * a decision on that permission alone gives. One difference: in a request for several, Keycloak
 * skips an unknown resource or scope (false here) where a request for it alone is refused (400);
 * the matrix check names those from the live realm before asking.
 */
export async function askDecisions(
  realm: TokenRealm,
  accessToken: string,
  audience: string,
  permissions: readonly string[],
  limit: RequestLimit = unlimited,
): Promise<ReadonlyMap<string, boolean>> {
  const asked = [...new Set(permissions)];
  const decisions = new Map<string, boolean>();
  let open = asked;
  if (asked.length > 1) {
    try {
      const granted = await limit(() => umaPermissions(realm, accessToken, { audience, permissions: asked }));
      open = [];
      for (const permission of asked) {
        const decision = grantedIn(permission, granted);
        if (decision === undefined) open.push(permission);
        else decisions.set(permission, decision);
      }
    } catch (error) {
      if (!(error instanceof TokenError && error.status === 400)) throw error;
    }
  }
  await Promise.all(
    open.map((permission) =>
      limit(async () => decisions.set(permission, await umaDecision(realm, accessToken, { audience, permissions: [permission] }))),
    ),
  );
  return decisions;
}
