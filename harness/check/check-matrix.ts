import { KcboxError, describeError } from '../errors.js';
import createDebug from 'debug';
import { hostileSuite } from '../hostile/hostile-suite.js';
import type { HostileOptions } from '../hostile/result-types.js';
import { validateHostileOptions } from '../hostile/run-hostile.js';
import { realmFindings } from '../matrix/expectations.js';
import { describeTokenSource } from '../matrix/matrix-tokens.js';
import { describeOwnership } from '../matrix/objects.js';
import { describeRequirement } from '../matrix/requirements.js';
import type { CellResult, MatrixSpec } from '../matrix/types.js';
import { type OpenApiCoverage, openApiCoverage } from '../openapi/coverage.js';
import { realmSigningKeyInfo } from '../realm/realm-key.js';
import type { KeycloakConnection } from '../runtime/connection.js';
import { trustCertificateAuthority } from '../tls/trust.js';
import { backendSide, startSpecBackend } from './backend-phase.js';
import { runCells } from './cells-phase.js';
import { runObjectCells } from './objects-phase.js';
import { backendGone, keycloakGone, unansweredCells } from './incomplete.js';
import type { CheckSuite, PhaseContext, RealmKey, RealmPhase, SuiteOutcome } from '../matrix/phases.js';
import type { RealmRepresentation } from '../realm/realm-input.js';
import { openRealm } from './realm-phase.js';
import { redactSecrets, withoutPassword } from './redact.js';
import type { MatrixResult } from './result-types.js';
import { mintTokens } from './tokens-phase.js';

const debug = createDebug('kcbox:check');

/**
 * Every secret the check knows, to be kept out of reports: the resource server's client secret,
 * the secrets of token clients, login clients and service accounts (the spec's or Keycloak's), the
 * passwords the spec gives, and a password in the backend's URL.
 */
export async function knownSecrets(realm: RealmPhase, backendUrl: string): Promise<string[]> {
  const resourceServer = await realm.live.oauthClient(realm.spec.keycloak.client);
  const clientSecrets = [...realm.spec.endpoints, ...(realm.spec.setup?.steps ?? [])].flatMap((request) =>
    request.token.kind === 'client' && request.token.clientSecret ? [request.token.clientSecret] : [],
  );
  // Service accounts' secrets, the matrix's or Keycloak's (read once already, for their tokens).
  const serviceAccounts = await Promise.all(
    Object.values(realm.spec.callers).map(async (caller) =>
      caller.kind !== 'service-account' ? '' : (caller.secret ?? (await realm.live.oauthClient(caller.clientId)).clientSecret ?? ''),
    ),
  );
  // Secrets Keycloak gave for the clients users log in with (the matrix named none for them): a
  // backend that echoes a request's credentials must not carry them into a report either.
  const loginClientIds = new Set([
    realm.live.loginClient,
    ...realm.spec.endpoints.flatMap((endpoint) =>
      endpoint.token.kind === 'client' && !endpoint.token.clientSecret ? [endpoint.token.clientId] : [],
    ),
  ]);
  const loginSecrets = await Promise.all(
    [...loginClientIds].map(async (clientId) => {
      const client = await realm.live.oauthClient(clientId).catch(() => undefined);
      return client?.clientSecret ?? '';
    }),
  );
  const passwords = [
    ...Object.values(realm.spec.keycloak.passwords),
    ...realm.spec.keycloak.fixtureUsers.map((user) => user.password ?? ''),
  ];
  const urlPassword = URL.canParse(backendUrl) ? decodeURIComponent(new URL(backendUrl).password) : '';
  return [resourceServer.clientSecret ?? '', ...clientSecrets, ...serviceAccounts, ...loginSecrets, ...passwords, urlPassword].filter(
    Boolean,
  );
}

/** Role cells endpoint-major, as reports expect them, whichever phase called them. */
function inSpecOrder(roles: readonly CellResult[], objects: readonly CellResult[], spec: MatrixSpec): CellResult[] {
  if (objects.length === 0) return [...roles];
  const byEndpoint = new Map<string, CellResult[]>();
  for (const cell of [...roles, ...objects]) {
    const list = byEndpoint.get(cell.endpoint) ?? [];
    list.push(cell);
    byEndpoint.set(cell.endpoint, list);
  }
  return spec.endpoints.flatMap((endpoint) => byEndpoint.get(endpoint.id) ?? []);
}

export interface CheckMatrixOptions {
  readonly spec: MatrixSpec;
  /** The Keycloak to run against: a started server, a state-file record, the vitest-provided one… */
  readonly server: KeycloakConnection;
  /** Overrides the spec's backend: an already running one at this URL (kcbox starts nothing). */
  readonly backendUrl?: string | undefined;
  /** Requests and Keycloak calls in flight at once. Default 16. */
  readonly concurrency?: number | undefined;
  /** Put each cell's bearer token in the result. Default false: tokens never reach reports. */
  readonly showTokens?: boolean | undefined;
  /** Progress, one short line per step, for a CLI to show. */
  readonly onStep?: ((step: string) => void) | undefined;
  /** The environment a started backend inherits. Default process.env. */
  readonly env?: NodeJS.ProcessEnv | undefined;
  /** Ends the check at the next step (everything it created is removed), throwing the signal's reason. */
  readonly signal?: AbortSignal | undefined;
  /** The hostile-token suite against every protected endpoint; `false` skips it. Default on, failing at `high`. */
  readonly hostile?: HostileOptions | false | undefined;
  /**
   * The coverage gate's answer when the caller measured it already (the CLI does, to fail on a bad
   * OpenAPI document before starting anything); by default measured here from `spec.openapi`.
   */
  readonly coverage?: OpenApiCoverage | undefined;
}

export const DEFAULT_CONCURRENCY = 16;

/** Milliseconds since `started`. */
const since = (started: number) => Date.now() - started;

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = Date.now();
  const value = await work();
  return { value, ms: since(started) };
}

/** Both settle before a failure is thrown, so whatever either started is registered for cleanup. */
async function bothSettled<A, B>(first: Promise<A>, second: Promise<B>): Promise<[A, B]> {
  const [a, b] = await Promise.allSettled([first, second]);
  if (a.status === 'rejected') throw a.reason;
  if (b.status === 'rejected') throw b.reason;
  return [a.value, b.value];
}

/**
 * Runs a scope matrix as a pipeline of phases: spec → realm (an isolated copy of the spec's realm
 * file, checked against the spec) → tokens and Keycloak's decisions, while the backend starts →
 * every endpoint called as every user and judged, then the setup steps and the object endpoints
 * as every caller on every owner's objects (peer cells) → further suites (the hostile-token suite) →
 * result. Everything it started or created is gone when it returns or throws.
 *
 * @throws MatrixSpecError when the spec names users, clients or scopes the realm lacks (exit 2).
 * @throws KcboxError ERR_KCBOX_BACKEND when the backend does not start or get ready (exit 2).
 */
export async function checkMatrix(options: CheckMatrixOptions): Promise<MatrixResult> {
  const { spec } = options;
  if (spec.keycloak.tls && !options.server.url.startsWith('https:')) {
    throw new KcboxError(
      'ERR_KCBOX_TLS',
      `${spec.file ?? 'the matrix'}: keycloak.tls asks for Keycloak over https, but ${options.server.url} serves http. ` +
        'Start the server with `kcbox up --detach --tls` (or startKeycloak({ tls: true })), or let the check start its own.',
    );
  }
  trustCertificateAuthority(options.server.caFile);
  const report = options.onStep ?? ((message: string) => debug(message));
  const context: PhaseContext = {
    concurrency: options.concurrency ?? DEFAULT_CONCURRENCY,
    showTokens: options.showTokens ?? false,
    signal: options.signal,
    step(message) {
      options.signal?.throwIfAborted();
      report(message);
    },
  };
  if (options.hostile !== false) validateHostileOptions(options.hostile ?? {});
  const suites: CheckSuite[] = options.hostile === false ? [] : [hostileSuite(options.hostile ?? {})];
  const coverage =
    options.coverage ?? (await openApiCoverage({ ...spec, backend: { ...spec.backend, url: options.backendUrl ?? spec.backend.url } }));
  const started = Date.now();
  const cleanups: Array<() => Promise<void>> = [];
  const onCreated = (cleanup: () => Promise<void>) => cleanups.push(cleanup);
  // The way to Keycloak itself (a relay for a container backend) goes last: every other cleanup talks to Keycloak through it.
  const closeLast: Array<() => Promise<void>> = [];
  // All at once: the backend, the realm and a suite's own realms do not depend on one another
  // (what a suite adds inside the realm goes with it).
  // Something a cleanup could not remove is left on someone's server: say so, whatever the result.
  let cleaning: Promise<void> | undefined;
  const cleanUp = () =>
    (cleaning ??= (async () => {
      const attempt = (cleanup: () => Promise<void>) =>
        cleanup().catch((error: unknown) => report(`could not clean up after the check: ${describeError(error)}`));
      await Promise.all(cleanups.map(attempt));
      await Promise.all(closeLast.map(attempt));
    })());
  try {
    const side = await backendSide(spec, options.server, options.backendUrl, (cleanup) => closeLast.push(cleanup));
    const { server } = side;
    for (const suite of suites) {
      onCreated(() => suite.cleanup());
      suite.beforeRealm?.(spec, server, context);
    }
    const realm = await openRealm(spec, server, context, onCreated, (representation) =>
      suites.reduce<Promise<RealmRepresentation>>(
        async (sent, suite) => (await suite.addToImport?.(await sent)) ?? sent,
        Promise.resolve(representation),
      ),
    );
    // Before any token is minted: a suite may change the key Keycloak signs them with.
    let realmKey: RealmKey | undefined;
    for (const suite of suites) realmKey = (await suite.realmReady?.(realm, context)) ?? realmKey;
    const key = realmKey ?? (await realmSigningKeyInfo(server.url, realm.name));
    const realmMs = since(started);

    // The backend boots while Keycloak mints, and the suites' own Keycloak work starts as soon as
    // the tokens exist: none of it needs the backend.
    const [backend, tokens] = await bothSettled(
      timed(() => startSpecBackend(realm, key, { backendUrl: options.backendUrl, env: options.env, side }, context, onCreated)),
      timed(async () => {
        const minted = await mintTokens(realm, context);
        for (const suite of suites) suite.tokensReady?.(minted, context);
        return minted;
      }),
    );

    const backendUrl = backend.value?.url ?? options.backendUrl ?? spec.backend.url;
    const cells = await timed(async () => {
      const roles = await runCells(tokens.value, key, backendUrl, context);
      const objects = await runObjectCells(tokens.value, backendUrl, context);
      return { ...roles, cells: inSpecOrder(roles.cells, objects.cells, spec), peerCells: objects.peerCells, setup: objects.incomplete };
    });

    const outcomes: SuiteOutcome[] = [];
    const suitesRun = await timed(async () => {
      for (const suite of suites) {
        context.step(suite.name === 'hostile' ? 'sending hostile tokens to the protected endpoints' : `running the ${suite.name} suite`);
        outcomes.push(await suite.run(cells.value, context));
      }
    });
    // An interruption during the last phase is still an interruption, not a result.
    options.signal?.throwIfAborted();
    // Whatever Keycloak, the backend or the machine kept from being checked: never a green run.
    const incomplete = [
      ...backendGone(backend.value),
      ...(await keycloakGone(server.url, realm.name)),
      ...cells.value.setup,
      ...unansweredCells(cells.value.cells),
      ...unansweredCells(cells.value.peerCells),
      ...outcomes.flatMap((outcome) => outcome.incomplete),
    ];
    // The last thing asked of Keycloak (read earlier and cached: the clients' secrets) before the
    // cleanup deletes the realm. From here on the check needs neither Keycloak nor the backend, so
    // the realms go and the backend stops while the result is put together.
    const secrets = context.showTokens ? [] : await knownSecrets(realm, backendUrl);
    void cleanUp();
    await backend.value?.stop();

    const findings = realmFindings(spec, tokens.value.tokens);
    const result: MatrixResult = {
      spec: { file: spec.file, realm: realm.name, client: spec.keycloak.client, backendUrl: withoutPassword(backendUrl) },
      users: spec.users,
      endpoints: realm.spec.endpoints.map((endpoint) => ({
        id: endpoint.id,
        method: endpoint.method,
        path: endpoint.path,
        requirement: describeRequirement(endpoint.requirement),
        token: describeTokenSource(endpoint.token),
        ...(endpoint.owner ? { ownership: describeOwnership(endpoint.owner) } : {}),
        source: endpoint.source,
      })),
      cells: cells.value.cells,
      ...(spec.setup ? { peerCells: cells.value.peerCells } : {}),
      realmFindings: findings,
      backendOutput: backend.value ? await backend.value.output() : undefined,
      startedAt: new Date(started).toISOString(),
      durationMs: since(started),
      timings: { realmMs, tokensMs: tokens.ms, backendMs: backend.ms, cellsMs: cells.ms, hostileMs: suitesRun.ms },
      ...Object.assign({}, ...outcomes.map((outcome) => outcome.result)),
      ...(coverage ? { coverage } : {}),
      incomplete,
      // The one overall verdict: reports and the vitest matcher read it as given.
      passed:
        incomplete.length === 0 &&
        cells.value.cells.every((cell) => cell.pass) &&
        cells.value.peerCells.every((cell) => cell.pass) &&
        findings.length === 0 &&
        (coverage?.uncovered.length ?? 0) === 0 &&
        outcomes.every((outcome) => outcome.blocking === 0),
    };
    if (context.showTokens) return result;
    return redactSecrets(result, secrets);
  } finally {
    await cleanUp();
  }
}
