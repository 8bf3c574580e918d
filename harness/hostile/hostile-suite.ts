import { usernameOf } from '../matrix/callers.js';
import type { CheckSuite, RealmKey, TokensPhase } from '../matrix/phases.js';
import type { HostileKeycloakTokens, HostileTokenContext } from './keycloak-tokens.js';
import { type RealmSigningKey, provisionRealmSigningKey } from './realm-signing-key.js';
import type { HostileOptions, HostileResult } from './result-types.js';
import { prefetchHostileTokens, runHostileSuite } from './run-hostile.js';

/**
 * The hostile-token suite as a check suite. In a realm kcbox imported it first adds its own
 * signing key, so Keycloak signs every token with a key kcbox can re-sign single claims with; it
 * collects the genuine Keycloak tokens it needs while the backend starts and the cells run; then
 * it attacks every protected endpoint with tokens forged from a real token of a user Keycloak
 * allows there.
 */
export function hostileSuite(options: HostileOptions): CheckSuite<{ readonly hostile: HostileResult }> {
  let signingKey: RealmSigningKey | undefined;
  let keycloak: Promise<Omit<HostileTokenContext, 'user'>> | undefined;
  let prefetched: Map<string, Promise<HostileKeycloakTokens>> | undefined;

  const keycloakContext = (tokens: TokensPhase) =>
    (keycloak ??= tokens.live.oauthClient(tokens.live.loginClient).then((loginClient) => ({
      admin: tokens.admin,
      server: tokens.server,
      realm: tokens.tokenRealm,
      loginClient,
      representation: tokens.representation,
      ownRealm: tokens.ownRealm,
    })));

  return {
    name: 'hostile',

    async realmReady(realm, context): Promise<RealmKey | undefined> {
      if (!realm.ownRealm) return undefined;
      context.step('adding a kcbox signing key to the realm for the hostile-token suite');
      signingKey = await provisionRealmSigningKey(realm.admin, realm.server.url, realm.name);
      return { kid: signingKey.kid, pem: signingKey.publicKeyPem };
    },

    tokensReady(tokens) {
      // One user Keycloak allows per protected endpoint: the forgeries start from their real tokens.
      // Service accounts have no password login, so the Keycloak-token cases start from users only.
      const allowed = new Set(
        tokens.spec.endpoints
          .filter((endpoint) => endpoint.requirement.kind !== 'public' && endpoint.owner === undefined)
          .map((endpoint) =>
            tokens.spec.users.find((user) => usernameOf(tokens.spec, user) !== undefined && tokens.expected(endpoint, user) === 'allow'),
          )
          .filter((user): user is string => user !== undefined),
      );
      const context = keycloakContext(tokens);
      prefetched = new Map(
        [...allowed].map((column) => {
          const username = usernameOf(tokens.spec, column) as string;
          const user = { username, password: tokens.live.password(username) };
          const collected = context.then((resolved) => prefetchHostileTokens(resolved, [user]).get(username)!);
          // Awaited in run(), which reports the failure; until then it must not count as unhandled.
          collected.catch(() => undefined);
          return [column, collected];
        }),
      );
    },

    async run(cells, context) {
      const hostile = await runHostileSuite({
        spec: cells.spec,
        cells: cells.cells,
        bearer: (user, endpoint) => cells.tokens.token(user, endpoint.token).bearer,
        password: (user) => cells.live.password(user),
        keycloak: await keycloakContext(cells),
        prefetched,
        realmKey: cells.realmKey,
        signingKey,
        backendUrl: cells.backendUrl,
        concurrency: context.concurrency,
        timeoutMs: cells.spec.requestTimeoutMs,
        options,
        showTokens: context.showTokens,
        signal: context.signal,
      });
      return { result: { hostile }, blocking: hostile.blocking, incomplete: hostile.incomplete };
    },

    async cleanup() {
      for (const tokens of prefetched?.values() ?? []) await (await tokens.catch(() => undefined))?.cleanup();
    },
  };
}
