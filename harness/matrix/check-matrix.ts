import createDebug from 'debug';
import { KcboxError } from '../errors.js';
import { type RealmHandle, importRealm, realmEndpoints } from '../realm/realm-handle.js';
import { loadRealm, type RealmRepresentation } from '../realm/realm-input.js';
import { realmSigningKeyInfo } from '../realm/realm-key.js';
import { provisionRealmSigningKey, type RealmSigningKey } from '../hostile/realm-signing-key.js';
import type { HostileOptions } from '../hostile/result-types.js';
import { prefetchHostileTokens, runHostileSuite, validateHostileOptions } from '../hostile/run-hostile.js';
import { connectAdmin } from '../runtime/admin-client.js';
import type { AdminCredentials } from '../runtime/admin-login.js';
import { TokenError } from '../tokens/token-error.js';
import { type StartedBackend, startBackend } from './backend-process.js';
import { judgeCell } from './classify.js';
import { matrixRealm } from './matrix-realm.js';
import { type MatrixTokens, describeTokenSource, mintMatrixTokens } from './matrix-tokens.js';
import { type RequestPlan, runRequests } from './runner.js';
import { MatrixSpecError } from './spec-error.js';
import { realmProblems } from './spec-realm-check.js';
import {
  ANONYMOUS,
  type CellResult,
  type Expectation,
  type MatrixEndpoint,
  type MatrixResult,
  type MatrixSpec,
  type RealmFinding,
} from './types.js';

const debug = createDebug('kcbox:matrix');

/** The Keycloak a check runs against: any started or remote kcbox server fits. */
export interface MatrixServer {
  readonly url: string;
  readonly adminCredentials: AdminCredentials;
  /** Realm name → the file it came from, for fixture passwords of realms kcbox imported earlier. */
  readonly realmFiles?: Readonly<Record<string, string>>;
}

export interface CheckMatrixOptions {
  readonly spec: MatrixSpec;
  readonly server: MatrixServer;
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
}

export const DEFAULT_CONCURRENCY = 16;

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

/** Keycloak's verdict for one cell. */
function expectedFor(endpoint: MatrixEndpoint, user: string, tokens: MatrixTokens): Expectation {
  if (endpoint.requirement.kind === 'public') return 'allow';
  if (user === ANONYMOUS) return 'deny';
  return tokens.decision(user, endpoint.token, endpoint.requirement.permission) ? 'allow' : 'deny';
}

function findingsOf(spec: MatrixSpec, tokens: MatrixTokens): RealmFinding[] {
  return spec.endpoints.flatMap((endpoint) =>
    Object.entries(endpoint.expect).flatMap(([user, declared]) => {
      const keycloak = expectedFor(endpoint, user, tokens);
      if (declared === keycloak) return [];
      const permission = endpoint.requirement.kind === 'scope' ? endpoint.requirement.permission : 'public';
      return [{ endpoint: endpoint.id, user, permission, declared, keycloak, source: endpoint.source }];
    }),
  );
}

async function realmOf(
  spec: MatrixSpec,
  server: MatrixServer,
): Promise<{ name: string; representation: RealmRepresentation | undefined; handle: RealmHandle | undefined }> {
  if (spec.keycloak.realmFile) {
    const handle = await importRealm(server, spec.keycloak.realmFile, { isolate: true });
    return { name: handle.name, representation: handle.representation, handle };
  }
  const name = spec.keycloak.realm as string;
  const file = server.realmFiles?.[name];
  return { name, representation: file ? (await loadRealm(file)).representation : undefined, handle: undefined };
}

/**
 * Runs a scope matrix: imports the realm (an isolated copy of the spec's realm file), asks
 * Keycloak who holds each scope, starts the backend with the realm's coordinates, calls every
 * endpoint as every user, and compares. Everything it started or created is gone when it returns
 * or throws.
 *
 * @throws MatrixSpecError when the spec names users, clients or scopes the realm lacks (exit 2).
 * @throws KcboxError ERR_KCBOX_BACKEND when the backend does not start or get ready (exit 2).
 */
export async function checkMatrix(options: CheckMatrixOptions): Promise<MatrixResult> {
  const { spec, server } = options;
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  const report = options.onStep ?? ((message: string) => debug(message));
  const step = (message: string) => {
    options.signal?.throwIfAborted();
    report(message);
  };
  const started = Date.now();
  const hostile = options.hostile === false ? undefined : (options.hostile ?? {});
  if (hostile) validateHostileOptions(hostile);
  const cleanups: Array<() => Promise<void>> = [];
  try {
    step(spec.keycloak.realmFile ? `importing ${spec.keycloak.realmFile} as an isolated realm` : `using realm ${spec.keycloak.realm}`);
    const realm = await realmOf(spec, server);
    if (realm.handle) cleanups.push(() => realm.handle!.delete());
    const admin = await connectAdmin(server.url, server.adminCredentials);
    const live = await matrixRealm(admin, realm.name, spec.keycloak.client, {
      representation: realm.representation,
      loginClient: spec.keycloak.loginClient,
      passwords: spec.keycloak.passwords,
    });
    const problems = realmProblems(spec, live.facts, live.loginClient);
    if (problems.length > 0) throw new MatrixSpecError(problems);
    // Before any token is minted, so Keycloak signs them all with a key kcbox can re-sign claims with.
    let signingKey: RealmSigningKey | undefined;
    if (hostile && realm.handle) {
      step('adding a kcbox signing key to the realm for the hostile-token suite');
      signingKey = await provisionRealmSigningKey(admin, server.url, realm.name);
    }
    const realmKey = signingKey ? { kid: signingKey.kid, pem: signingKey.publicKeyPem } : await realmSigningKeyInfo(server.url, realm.name);

    const realmDone = Date.now();
    let backendMs = 0;
    let tokensMs = 0;
    const endpoints = realmEndpoints(server.url, realm.name);
    const tokenRealm = { name: realm.name, tokenUrl: endpoints.tokenUrl };
    const startBackendIfAny = async (): Promise<StartedBackend | undefined> => {
      const command = spec.backend.command;
      if (options.backendUrl || !command) return undefined;
      step(`starting the backend: ${command}`);
      const backendStarted = Date.now();
      const resourceServer = await live.oauthClient(spec.keycloak.client);
      const backend = await startBackend(
        { ...spec.backend, command },
        {
          KEYCLOAK_URL: server.url,
          KEYCLOAK_REALM: realm.name,
          KEYCLOAK_ISSUER: endpoints.issuer,
          KEYCLOAK_CLIENT_ID: spec.keycloak.client,
          KEYCLOAK_CLIENT_SECRET: resourceServer.clientSecret ?? '',
          KEYCLOAK_PUBLIC_KEY: realmKey.pem,
        },
        options.env,
      );
      cleanups.push(() => backend.stop());
      backendMs = Date.now() - backendStarted;
      return backend;
    };
    const mint = async () => {
      step(`minting tokens for ${spec.users.filter((user) => user !== ANONYMOUS).join(', ')} and asking Keycloak's decisions`);
      const mintStarted = Date.now();
      try {
        const minted = await mintMatrixTokens(spec, tokenRealm, live, concurrency);
        tokensMs = Date.now() - mintStarted;
        return minted;
      } catch (error) {
        // A user who cannot log in makes the matrix unrunnable: an environment error, not a finding.
        if (error instanceof TokenError)
          throw new KcboxError('ERR_KCBOX_MATRIX_TOKEN', `${error.message} The matrix cannot run without this token.`, { cause: error });
        throw error;
      }
    };
    const hostileKeycloak = hostile
      ? {
          admin,
          server,
          realm: tokenRealm,
          loginClient: await live.oauthClient(live.loginClient),
          representation: realm.representation,
          ownRealm: realm.handle !== undefined,
        }
      : undefined;
    let prefetched: ReturnType<typeof prefetchHostileTokens> | undefined;
    const mintAndPrefetch = async () => {
      const minted = await mint();
      if (hostileKeycloak) {
        // The hostile suite's Keycloak tokens (a sibling realm import among them) come while the backend starts and the cells run.
        const allowed = new Set(
          spec.endpoints
            .filter((endpoint) => endpoint.requirement.kind === 'scope')
            .map((endpoint) => spec.users.find((user) => user !== ANONYMOUS && expectedFor(endpoint, user, minted) === 'allow'))
            .filter((user): user is string => user !== undefined),
        );
        prefetched = prefetchHostileTokens(
          hostileKeycloak,
          [...allowed].map((username) => ({ username, password: live.password(username) })),
        );
        cleanups.push(async () => {
          for (const tokens of prefetched?.values() ?? []) await (await tokens.catch(() => undefined))?.cleanup();
        });
      }
      return minted;
    };
    // The backend boots while Keycloak mints: neither needs the other. Both settle before a
    // failure is thrown, so whatever either started is registered for cleanup.
    const [backendStart, minting] = await Promise.allSettled([startBackendIfAny(), mintAndPrefetch()]);
    if (backendStart.status === 'rejected') throw backendStart.reason;
    if (minting.status === 'rejected') throw minting.reason;
    const backend = backendStart.value;
    const tokens = minting.value;
    const backendUrl = backend?.url ?? options.backendUrl ?? spec.backend.url;

    const plans: RequestPlan[] = [];
    const meta: Array<{ endpoint: MatrixEndpoint; user: string; expected: Expectation; token: string | undefined }> = [];
    for (const endpoint of spec.endpoints) {
      for (const user of spec.users) {
        const token = user === ANONYMOUS ? undefined : tokens.token(user, endpoint.token).bearer;
        plans.push({ method: endpoint.method, path: endpoint.path, headers: endpoint.headers, body: endpoint.body, token });
        meta.push({ endpoint, user, expected: expectedFor(endpoint, user, tokens), token });
      }
    }
    step(`calling ${plans.length} cells at ${backendUrl}, ${concurrency} at a time`);
    const cellsStarted = Date.now();
    const observations = await runRequests(plans, { baseUrl: backendUrl, concurrency, timeoutMs: spec.requestTimeoutMs });
    const cells: CellResult[] = observations.map((observed, index) => {
      const { endpoint, user, expected, token } = meta[index]!;
      const accepted = user === ANONYMOUS ? endpoint.deny.anonymous : endpoint.deny.authenticated;
      const verdict = judgeCell(expected, accepted, observed);
      return {
        endpoint: endpoint.id,
        user,
        expected,
        acceptedDenyStatuses: accepted,
        observed,
        pass: verdict.pass,
        reason: verdict.reason,
        ...(options.showTokens ? { token } : {}),
      };
    });
    const cellsMs = Date.now() - cellsStarted;
    const realmFindings = findingsOf(spec, tokens);
    const hostileStarted = Date.now();
    let hostileResult;
    if (hostile) {
      step('sending hostile tokens to the protected endpoints');
      hostileResult = await runHostileSuite({
        spec,
        cells,
        bearer: (user, endpoint) => tokens.token(user, endpoint.token).bearer,
        password: (user) => live.password(user),
        keycloak: hostileKeycloak!,
        prefetched,
        realmKey,
        signingKey,
        backendUrl,
        concurrency,
        timeoutMs: spec.requestTimeoutMs,
        options: hostile,
        showTokens: options.showTokens ?? false,
      });
    }
    const hostileMs = hostileResult ? Date.now() - hostileStarted : 0;
    await backend?.stop();
    const result: MatrixResult = {
      spec: { file: spec.file, realm: realm.name, client: spec.keycloak.client, backendUrl },
      users: spec.users,
      endpoints: spec.endpoints.map((endpoint) => ({
        id: endpoint.id,
        method: endpoint.method,
        path: endpoint.path,
        requirement: endpoint.requirement.kind === 'public' ? 'public' : endpoint.requirement.permission,
        token: describeTokenSource(endpoint.token),
      })),
      cells,
      realmFindings,
      backendOutput: backend ? await backend.output() : undefined,
      startedAt: new Date(started).toISOString(),
      durationMs: Date.now() - started,
      timings: { realmMs: realmDone - started, tokensMs, backendMs, cellsMs, hostileMs },
      ...(hostileResult ? { hostile: hostileResult } : {}),
      passed: cells.every((cell) => cell.pass) && realmFindings.length === 0 && (hostileResult?.blocking ?? 0) === 0,
    };
    if (options.showTokens) return result;
    const resourceServer = await live.oauthClient(spec.keycloak.client);
    return redactSecrets(result, resourceServer.clientSecret ? [resourceServer.clientSecret] : []);
  } finally {
    for (const cleanup of cleanups.reverse()) {
      await cleanup().catch((error: unknown) => debug('cleanup failed: %O', error));
    }
  }
}
