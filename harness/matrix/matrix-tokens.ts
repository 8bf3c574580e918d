import pLimit from 'p-limit';
import { type TokenRealm, clientCredentialsGrant, rptGrant } from '../tokens/token-client.js';
import { loginTokens } from '../tokens/user-login.js';
import { TokenError } from '../tokens/token-error.js';
import { decodeClaims } from '../tokens/claims.js';
import { callerOf } from './callers.js';
import { askDecisions } from './matrix-decisions.js';
import type { MatrixRealm } from './matrix-realm.js';
import { claimValues, tenantsOf } from './tenants.js';
import { type CallerFacts, endpointRequirements, flattenRequirement, permissionsOf } from './requirements.js';
import { ANONYMOUS, type Caller, type MatrixSpec, type TokenSource } from './types.js';

/** The token a cell sends, and the access token Keycloak's decision is asked with. */
export interface CellToken {
  readonly bearer: string;
  readonly decisionToken: string;
}

const scopesOf = (source: TokenSource): readonly string[] => (source.kind === 'rpt' ? [] : (source.scopes ?? []));

export function tokenSourceKey(source: TokenSource): string {
  const base = source.kind === 'client' ? `client:${source.clientId}` : source.kind;
  const scopes = scopesOf(source);
  return scopes.length > 0 ? `${base} scope=${[...scopes].sort().join(' ')}` : base;
}

export function describeTokenSource(source: TokenSource): string {
  const base = source.kind === 'client' ? `access token of client ${source.clientId}` : source.kind === 'rpt' ? 'RPT' : 'access token';
  const scopes = scopesOf(source);
  return scopes.length > 0 ? `${base}, scope ${scopes.join(' ')}` : base;
}

/** The `scope` parameter of a caller's token request: the caller's scopes and the endpoint's, `openid` for users. */
export function requestedScope(caller: Caller, source: TokenSource): string {
  const own = caller.kind === 'anonymous' ? [] : caller.scopes;
  const scopes = new Set([...(caller.kind === 'user' ? ['openid'] : []), ...own, ...scopesOf(source)]);
  return [...scopes].join(' ');
}

const key = (user: string, source: string) => `${user}\u0000${source}`;

/** Tokens per (user, token source) and Keycloak's decisions per (user, token source, permission). */
export interface MatrixTokens {
  token(user: string, source: TokenSource): CellToken;
  /** Keycloak's UMA decision for this user's token; anonymous holds nothing. */
  decision(user: string, source: TokenSource, permission: string): boolean;
  /** What Keycloak says about this caller with this token: claims, groups, decisions. */
  caller(user: string, source: TokenSource): CallerFacts;
}

/**
 * Mints every token the matrix needs (once per user and source) and asks Keycloak's policy
 * decisions on every permission the endpoints need, one request per user and source,
 * `concurrency` requests at a time.
 */
export async function mintMatrixTokens(spec: MatrixSpec, realm: TokenRealm, live: MatrixRealm, concurrency: number): Promise<MatrixTokens> {
  const limit = pLimit(concurrency);
  const users = spec.users.filter((user) => callerOf(spec, user).kind !== 'anonymous');
  const sources = new Map(
    [...spec.endpoints, ...(spec.setup?.steps ?? [])].map((request) => [tokenSourceKey(request.token), request.token] as const),
  );
  // An object endpoint's ownership rule may ask Keycloak about a further requirement.
  const judged = spec.endpoints.flatMap((endpoint) =>
    endpointRequirements(endpoint).map((requirement) => ({ requirement, token: endpoint.token })),
  );
  const tokens = new Map<string, CellToken>();
  const accessToken = async (caller: Exclude<Caller, { kind: 'anonymous' }>, source: TokenSource): Promise<string> => {
    const scope = requestedScope(caller, source);
    if (caller.kind === 'service-account') {
      // A service account's token is always its own client's, whatever client the endpoint's users log in with.
      const client = await live.oauthClient(caller.clientId, caller.secret);
      return (await clientCredentialsGrant(realm, client, { scope })).accessToken;
    }
    const clientId = source.kind === 'client' ? source.clientId : live.loginClient;
    const client = await live.oauthClient(clientId, source.kind === 'client' ? source.clientSecret : undefined);
    return (await loginTokens(realm, client, { username: caller.username, password: live.password(caller.username) }, { scope }))
      .accessToken;
  };
  await Promise.all(
    users.flatMap((user) =>
      [...sources].map(([sourceKey, source]) =>
        limit(async () => {
          const access = await accessToken(callerOf(spec, user) as Exclude<Caller, { kind: 'anonymous' }>, source);
          let bearer = access;
          if (source.kind === 'rpt') {
            try {
              bearer = (await rptGrant(realm, access, { audience: spec.keycloak.client })).accessToken;
            } catch (error) {
              // Keycloak issues no RPT to a user it grants nothing: such a client sends its plain token.
              if (!(error instanceof TokenError && error.status === 403)) throw error;
            }
          }
          tokens.set(key(user, sourceKey), { bearer, decisionToken: access });
        }),
      ),
    ),
  );

  const decisions = new Map<string, boolean>();
  // Group memberships as Keycloak has them.
  const groups = new Map<string, readonly string[]>();
  const tenantRule = spec.setup?.tenants;
  if (
    tenantRule?.kind === 'groups' ||
    judged.some((endpoint) => flattenRequirement(endpoint.requirement).some((part) => part.kind === 'group'))
  ) {
    await Promise.all(users.map((user) => limit(async () => groups.set(user, await live.callerGroups(callerOf(spec, user))))));
  }
  // Tenants per user: what one user's tokens say of its attribute is the same whatever the source.
  const tenants = new Map<string, readonly string[]>();
  if (tenantRule) {
    await Promise.all(
      users.map((user) =>
        limit(async () => {
          let attribute: string[] = [];
          if (tenantRule.kind === 'attribute') {
            const minted = [...sources.keys()].map((sourceKey) => tokens.get(key(user, sourceKey))).find(Boolean);
            attribute =
              claimValues(minted ? decodeClaims(minted.decisionToken)[tenantRule.attribute] : undefined) ??
              (await live.callerAttribute(callerOf(spec, user), tenantRule.attribute));
          }
          tenants.set(user, tenantsOf(tenantRule, { groups: groups.get(user) ?? [], attribute }));
        }),
      ),
    );
  }

  // One UMA request per caller and token kind, whatever the number of permissions: O(callers).
  const wanted = new Map<string, Set<string>>();
  for (const endpoint of judged) {
    const sourceKey = tokenSourceKey(endpoint.token);
    for (const user of users) {
      const permissions = wanted.get(key(user, sourceKey)) ?? new Set<string>();
      for (const permission of permissionsOf(endpoint.requirement)) permissions.add(permission);
      wanted.set(key(user, sourceKey), permissions);
    }
  }
  await Promise.all(
    [...wanted].map(async ([caller, permissions]) => {
      const token = tokens.get(caller);
      if (!token || permissions.size === 0) return;
      const answers = await askDecisions(realm, token.decisionToken, spec.keycloak.client, [...permissions], limit);
      for (const [permission, granted] of answers) decisions.set(`${caller}\u0000${permission}`, granted);
    }),
  );

  // Peer cells ask about every (caller, owner) pair: decode each token once, not once per question.
  const decoded = new Map<string, Readonly<Record<string, unknown>>>();
  const claimsOf = (token: string) => {
    let claims = decoded.get(token);
    if (!claims) decoded.set(token, (claims = decodeClaims(token)));
    return claims;
  };

  return {
    token(user, source) {
      const token = tokens.get(key(user, tokenSourceKey(source)));
      if (!token) throw new TypeError(`kcbox: no token was minted for ${user} (${describeTokenSource(source)})`);
      return token;
    },
    decision(user, source, permission) {
      if (user === ANONYMOUS) return false;
      return decisions.get(`${key(user, tokenSourceKey(source))}\u0000${permission}`) ?? false;
    },
    caller(user, source) {
      const token = tokens.get(key(user, tokenSourceKey(source)));
      const claims = token ? claimsOf(token.decisionToken) : {};
      return {
        claims,
        // Keycloak's own memberships: a token's groups claim may hold bare names or, with the
        // microprofile-jwt scope, realm roles.
        groups: groups.get(user) ?? [],
        tenants: tenants.get(user) ?? [],
        decision: (permission) => user !== ANONYMOUS && (decisions.get(`${key(user, tokenSourceKey(source))}\u0000${permission}`) ?? false),
      };
    },
  };
}
