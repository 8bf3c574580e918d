import type { MatrixTokens } from './matrix-tokens.js';
import { describeRequirement, meets } from './requirements.js';
import { ANONYMOUS, type Expectation, type MatrixEndpoint, type MatrixSpec, type RealmFinding } from './types.js';

/**
 * Keycloak's verdict for one cell: public endpoints allow everyone, anonymous holds nothing, and
 * everyone else is judged on what Keycloak issued them: their token's claims, their groups in
 * Keycloak, Keycloak's UMA decisions for that token.
 */
export function expectedFor(endpoint: MatrixEndpoint, user: string, tokens: MatrixTokens): Expectation {
  if (endpoint.requirement.kind === 'public') return 'allow';
  if (user === ANONYMOUS) return 'deny';
  return meets(endpoint.requirement, tokens.caller(user, endpoint.token)) ? 'allow' : 'deny';
}

/** The spec's explicit `expect:` entries that Keycloak's decisions contradict. */
export function realmFindings(spec: MatrixSpec, tokens: MatrixTokens): RealmFinding[] {
  return spec.endpoints.flatMap((endpoint) =>
    Object.entries(endpoint.expect).flatMap(([user, declared]) => {
      const keycloak = expectedFor(endpoint, user, tokens);
      if (declared === keycloak) return [];
      return [
        { endpoint: endpoint.id, user, permission: describeRequirement(endpoint.requirement), declared, keycloak, source: endpoint.source },
      ];
    }),
  );
}
