import type { MatrixTokens } from './matrix-tokens.js';
import { ANONYMOUS, type Expectation, type MatrixEndpoint, type MatrixSpec, type RealmFinding } from './types.js';

/** Keycloak's verdict for one cell: public endpoints allow everyone, anonymous holds nothing. */
export function expectedFor(endpoint: MatrixEndpoint, user: string, tokens: MatrixTokens): Expectation {
  if (endpoint.requirement.kind === 'public') return 'allow';
  if (user === ANONYMOUS) return 'deny';
  return tokens.decision(user, endpoint.token, endpoint.requirement.permission) ? 'allow' : 'deny';
}

/** The spec's explicit `expect:` entries that Keycloak's decisions contradict. */
export function realmFindings(spec: MatrixSpec, tokens: MatrixTokens): RealmFinding[] {
  return spec.endpoints.flatMap((endpoint) =>
    Object.entries(endpoint.expect).flatMap(([user, declared]) => {
      const keycloak = expectedFor(endpoint, user, tokens);
      if (declared === keycloak) return [];
      const permission = endpoint.requirement.kind === 'scope' ? endpoint.requirement.permission : 'public';
      return [{ endpoint: endpoint.id, user, permission, declared, keycloak, source: endpoint.source }];
    }),
  );
}
