import { usernameOf } from '../matrix/callers.js';
import type { CheckSuite, RealmKey, TokensPhase } from '../matrix/phases.js';
import { type RealmHandle, importRealm } from '../realm/realm-handle.js';
import type { HostileKeycloakTokens, HostileTokenContext } from './keycloak-tokens.js';
import { type RealmSigningKey, newRealmSigningKey, publishedSigningKey, withSigningKey } from './realm-signing-key.js';
import { listenerDocuments } from './listener-documents.js';
import type { HostileOptions, HostileResult } from './result-types.js';
import { prefetchHostileTokens, runHostileSuite } from './run-hostile.js';
import { HOSTILE_CASE_IDS, type HostileCaseId, type ListenerDocuments } from './types.js';

/**
 * The hostile-token suite as a check suite. In a realm kcbox imports it adds its own signing key
 * to the import, so Keycloak signs every token with a key kcbox can re-sign single claims with; once
 * that realm exists it imports the sibling realm of other-realm and collects the genuine Keycloak
 * tokens it needs while the backend starts and the cells run; then it attacks
 * every protected endpoint with tokens forged from a real token of a user Keycloak allows there.
 */
export function hostileSuite(options: HostileOptions): CheckSuite<{ readonly hostile: HostileResult }> {
  let signingKey: RealmSigningKey | undefined;
  let newKey: Awaited<ReturnType<typeof newRealmSigningKey>> | undefined;
  let keycloak: Promise<Omit<HostileTokenContext, 'user'>> | undefined;
  let prefetched: Map<string, Promise<HostileKeycloakTokens>> | undefined;
  let sibling: Promise<RealmHandle> | undefined;
  let documents: Promise<ListenerDocuments> | undefined;
  let ownRealm = false;
  const cases: readonly HostileCaseId[] = options.cases?.length
    ? HOSTILE_CASE_IDS.filter((id) => options.cases?.includes(id))
    : HOSTILE_CASE_IDS;

  const keycloakContext = (tokens: TokensPhase) =>
    (keycloak ??= tokens.live.oauthClient(tokens.live.loginClient).then((loginClient) => ({
      admin: tokens.admin,
      server: tokens.server,
      realm: tokens.tokenRealm,
      loginClient,
      representation: tokens.representation,
      ownRealm: tokens.ownRealm,
      sibling: sibling?.then((handle) => ({ name: handle.name, tokenUrl: handle.tokenUrl })),
      cases,
    })));

  // The foreign RSA key and its certificate, ahead of the hostile phase: made there, they held up its
  // first attempt by 70–200 ms. Awaited in run(), which reports a failure; until then it must not
  // count as unhandled.
  const startDocuments = () => {
    if (documents) return;
    documents = listenerDocuments();
    documents.catch(() => undefined);
  };

  return {
    name: 'hostile',

    async addToImport(representation) {
      newKey ??= await newRealmSigningKey();
      // The foreign key next, while Keycloak imports the realm and kcbox only waits.
      startDocuments();
      return withSigningKey(representation, newKey.component);
    },

    async realmReady(realm, context): Promise<RealmKey | undefined> {
      ownRealm = realm.ownRealm;
      // The sibling realm is the suite's slowest Keycloak work. Imported beside the check's own, the
      // two imports shared Keycloak's CPU and the check's own (everything waits for it) took up to
      // twice as long; after it, the sibling's import overlaps the tokens, the backend's start and
      // the cells instead.
      const { realmFile, realm: realmName } = realm.spec.keycloak;
      const file = realmFile ?? (realmName ? realm.server.realmFiles?.[realmName] : undefined);
      if (file && cases.includes('other-realm')) {
        sibling = importRealm(realm.server, file, { isolate: true });
        // Awaited where it is used and in cleanup(); until then it must not count as unhandled.
        sibling.catch(() => undefined);
      }
      if (!realm.ownRealm || !newKey) return undefined;
      context.step('waiting for the realm to publish the signing key kcbox added for the hostile-token suite');
      signingKey = await publishedSigningKey(realm.server.url, realm.name, newKey.privateKey);
      return { kid: signingKey.kid, pem: signingKey.publicKeyPem };
    },

    tokensReady(tokens) {
      // A realm kcbox did not import has no import to overlap: the foreign key is made while the backend starts.
      startDocuments();
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
        documents,
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
      await Promise.all([
        (await sibling?.catch(() => undefined))?.delete(),
        // What the tokens added to a realm kcbox imported (a client, a user) goes with that realm.
        ...(ownRealm ? [] : [...(prefetched?.values() ?? [])].map(async (tokens) => (await tokens.catch(() => undefined))?.cleanup())),
      ]);
    },
  };
}
