import type { KeyObject } from 'node:crypto';
import pLimit from 'p-limit';
import { KcboxError } from '../errors.js';
import { usernameOf } from '../matrix/callers.js';
import { ANONYMOUS, type CellResult, type MatrixEndpoint, type MatrixSpec } from '../matrix/types.js';
import { hostileCase } from './catalog.js';
import { forgeAttempts, unforgeableCases } from './forge-attempts.js';
import { atOrAbove, judgeAttempt } from './judge-attempt.js';
import { type HostileKeycloakTokens, type HostileTokenContext, hostileKeycloakTokens } from './keycloak-tokens.js';
import { startKeyListener } from './key-listener.js';
import { listenerDocuments } from './listener-documents.js';
import type { HostileAttemptResult, HostileFinding, HostileOptions, HostileResult } from './result-types.js';
import { hostileSender } from './send-attempt.js';
import {
  HOSTILE_CASE_IDS,
  type HostileCase,
  type HostileCaseId,
  type KeycloakTokenCaseId,
  type ListenerDocuments,
  SEVERITY_ORDER,
  type Severity,
} from './types.js';

export const DEFAULT_FAIL_ON: Severity = 'high';

/** Checks `--hostile` ids and `--fail-on` before anything starts. */
export function validateHostileOptions(options: HostileOptions): void {
  const unknown = (options.cases ?? []).filter((id) => !(HOSTILE_CASE_IDS as readonly string[]).includes(id));
  if (unknown.length > 0) {
    throw new KcboxError(
      'ERR_KCBOX_USAGE',
      `--hostile: unknown case ${unknown.map((id) => `"${id}"`).join(', ')}; known cases: ${HOSTILE_CASE_IDS.join(', ')}.`,
    );
  }
  if (options.failOn !== undefined && !SEVERITY_ORDER.includes(options.failOn)) {
    throw new KcboxError('ERR_KCBOX_USAGE', `--fail-on "${String(options.failOn)}": expected one of ${SEVERITY_ORDER.join(', ')}.`);
  }
}

export interface HostileRunContext {
  readonly spec: MatrixSpec;
  /** The matrix's results: who is allowed where. */
  readonly cells: readonly CellResult[];
  /** The bearer token a user sends to an endpoint in the matrix. */
  readonly bearer: (user: string, endpoint: MatrixEndpoint) => string;
  /** A user's password, by username. */
  readonly password: (username: string) => string;
  readonly keycloak: Omit<HostileTokenContext, 'user'>;
  readonly realmKey: { readonly kid: string; readonly pem: string };
  readonly signingKey: { readonly privateKey: KeyObject; readonly kid: string } | undefined;
  readonly backendUrl: string;
  readonly concurrency: number;
  readonly timeoutMs: number;
  readonly options: HostileOptions;
  readonly showTokens: boolean;
  /** Stops sending further attempts once aborted; the suite then throws the abort reason. */
  readonly signal?: AbortSignal | undefined;
  /** Keycloak tokens already being collected, per allowed grid column (see {@link prefetchHostileTokens}). */
  readonly prefetched?: ReadonlyMap<string, Promise<HostileKeycloakTokens>> | undefined;
  /** The foreign key and the listener's documents, already being generated; by default generated here. */
  readonly documents?: Promise<ListenerDocuments> | undefined;
}

/**
 * Starts collecting the genuine Keycloak tokens for these users (a sibling realm import, a client,
 * a user…) so that work overlaps with the backend start and the matrix cells.
 */
export function prefetchHostileTokens(
  keycloak: Omit<HostileTokenContext, 'user'>,
  users: Iterable<{ username: string; password: string }>,
): Map<string, Promise<HostileKeycloakTokens>> {
  return new Map([...users].map((user) => [user.username, hostileKeycloakTokens({ ...keycloak, user })]));
}

/** A service account has no password login: the cases built from one are skipped, the forged ones still run. */
function withoutPasswordLogin(column: string): HostileKeycloakTokens {
  const reason = `the only caller Keycloak allows here, "${column}", is a service account: it has no password login to take such a token from`;
  const ids: KeycloakTokenCaseId[] = ['other-realm', 'other-client', 'id-token', 'refresh-token', 'revoked-session', 'disabled-user'];
  return { tokens: {}, missing: Object.fromEntries(ids.map((id) => [id, reason])), failed: {}, cleanup: async () => {} };
}

/**
 * A case that expects 401 also accepts what the spec says this endpoint answers without a token
 * (`deny.anonymous`, e.g. 403 for keycloak-connect): an invalid token is no token.
 */
function refusalConvention(kase: HostileCase, endpoint: MatrixEndpoint): HostileCase {
  if (kase.control || !kase.acceptedStatuses.includes(401)) return kase;
  return { ...kase, acceptedStatuses: [...new Set([...kase.acceptedStatuses, ...endpoint.deny.anonymous])] };
}

function targets(
  spec: MatrixSpec,
  cells: readonly CellResult[],
  sample: boolean,
): Array<{ endpoint: MatrixEndpoint; user: string | undefined }> {
  // Object endpoints name an object only per owner and caller: the forgeries go to the others.
  const protectedEndpoints = spec.endpoints.filter((endpoint) => endpoint.requirement.kind !== 'public' && endpoint.owner === undefined);
  const chosen = sample
    ? protectedEndpoints.filter((endpoint, index) => protectedEndpoints.findIndex((other) => other.method === endpoint.method) === index)
    : protectedEndpoints;
  return chosen.map((endpoint) => {
    // A caller Keycloak allows here: a refusal of the forged token then cannot be a scope denial.
    // A user is preferred: only a password login yields the Keycloak-token cases (ID, refresh…).
    const allowed = cells.filter((cell) => cell.endpoint === endpoint.id && cell.user !== ANONYMOUS && cell.expected === 'allow');
    return { endpoint, user: (allowed.find((cell) => usernameOf(spec, cell.user) !== undefined) ?? allowed[0])?.user };
  });
}

/** The cases whose token names kcbox's key listener, which runs on the host's loopback. */
const LISTENER_CASE_IDS: readonly HostileCaseId[] = ['jku', 'x5u'];

/**
 * The selected cases the backend cannot be tested with, and why: a backend in a container cannot
 * reach the listener on the host's 127.0.0.1, so a backend that fetches jku or x5u would only get
 * a refused connection and look safe.
 */
export function unreachableListenerCases(
  spec: Pick<MatrixSpec, 'backend'>,
  selected: readonly HostileCaseId[],
): Array<{ id: HostileCaseId; reason: string }> {
  if (spec.backend.image === undefined) return [];
  return selected
    .filter((id) => LISTENER_CASE_IDS.includes(id))
    .map((id) => ({
      id,
      reason: `The backend runs in a container, which cannot reach kcbox's key listener on the host's loopback: a backend that fetched the ${id} URL would not be caught.`,
    }));
}

/**
 * Sends every selected hostile case to every protected endpoint (or one per method), each forged
 * from a real token of a user Keycloak allows there, and judges the answers.
 */
export async function runHostileSuite(context: HostileRunContext): Promise<HostileResult> {
  const { spec, options } = context;
  const failOn = options.failOn ?? DEFAULT_FAIL_ON;
  const selected = (
    options.cases?.length ? HOSTILE_CASE_IDS.filter((id) => options.cases?.includes(id)) : [...HOSTILE_CASE_IDS]
  ) as HostileCaseId[];
  const cases = selected.map((id) => hostileCase(id) as HostileCase);
  const plan = targets(spec, context.cells, options.sample ?? false);
  const runnable = plan.filter((target): target is { endpoint: MatrixEndpoint; user: string } => target.user !== undefined);

  const documents = await (context.documents ?? listenerDocuments());
  const listener = await startKeyListener(documents);
  const sender = hostileSender(context.backendUrl, { concurrency: context.concurrency, timeoutMs: context.timeoutMs });
  const keycloakTokens = new Map<string, Promise<HostileKeycloakTokens>>(context.prefetched ?? []);
  const limit = pLimit(context.concurrency);
  const attempts: HostileAttemptResult[] = [];
  const skipped = new Map<HostileCaseId, string>();
  const unreachable = unreachableListenerCases(spec, selected);
  for (const { id, reason } of unreachable) skipped.set(id, reason);
  const forgeable = selected.filter((id) => !unreachable.some((entry) => entry.id === id));
  const incomplete = new Map<string, string>();
  try {
    const tokensFor = (user: string) => {
      let tokens = keycloakTokens.get(user);
      if (!tokens) {
        const username = usernameOf(spec, user);
        tokens =
          username !== undefined
            ? hostileKeycloakTokens({ ...context.keycloak, user: { username, password: context.password(username) } })
            : Promise.resolve(withoutPasswordLogin(user));
        keycloakTokens.set(user, tokens);
      }
      return tokens;
    };
    // Every endpoint settles before the finally below closes the listener and undoes the tokens.
    const settled = await Promise.allSettled(
      runnable.map(async ({ endpoint, user }) => {
        const keycloak = await tokensFor(user);
        const validToken = context.bearer(user, endpoint);
        const material = {
          validToken,
          realmKid: context.signingKey?.kid ?? context.realmKey.kid,
          realmPublicKeyPem: context.realmKey.pem,
          ...(context.signingKey ? { realmSigningKey: context.signingKey } : {}),
          listenerUrl: listener.url,
          keycloakTokens: keycloak.tokens,
          foreignKey: documents.foreignKey,
        };
        for (const { id, reason } of unforgeableCases(material, forgeable)) {
          const failed = keycloak.failed[id as keyof typeof keycloak.failed];
          if (failed) incomplete.set(`hostile ${id}`, failed);
          else skipped.set(id, keycloak.missing[id as keyof typeof keycloak.missing] ?? reason);
        }
        const request = { method: endpoint.method, path: endpoint.path, headers: endpoint.headers, body: endpoint.body };
        // The valid token's own answer time is the baseline for the kid tricks' latency.
        const baseline = await limit(() => sender.send({ ...request, authorization: `Bearer ${validToken}`, query: undefined }));
        if (baseline.kind !== 'answered') {
          incomplete.set(
            `hostile · ${endpoint.id} (${user}'s valid token)`,
            `the backend did not answer a valid token: ${baseline.excerpt}`,
          );
        }
        const forged = await forgeAttempts(material, forgeable);
        await Promise.all(
          forged.map((attempt) =>
            limit(async () => {
              context.signal?.throwIfAborted();
              const observed = await sender.send({ ...request, authorization: attempt.authorization, query: attempt.query });
              const verdict = judgeAttempt(
                refusalConvention(hostileCase(attempt.caseId) as HostileCase, endpoint),
                observed,
                baseline,
                attempt.severityCap,
              );
              attempts.push({
                caseId: attempt.caseId,
                variant: attempt.variant,
                endpoint: endpoint.id,
                user,
                observed,
                pass: verdict.pass,
                ...(verdict.inconclusive ? { inconclusive: true } : {}),
                severity: verdict.severity,
                reason: verdict.reason,
                ...(context.showTokens ? { token: attempt.token } : {}),
              });
              if (verdict.inconclusive) incomplete.set(`hostile ${attempt.caseId} · ${endpoint.id} · ${attempt.variant}`, verdict.reason);
            }),
          ),
        );
      }),
    );
    const failure = settled.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
    if (failure) throw failure.reason;
  } finally {
    sender.close();
    await listener.stop();
    // Tokens handed in are undone by whoever collected them (the check suite does it with its cleanup).
    for (const [user, tokens] of keycloakTokens) {
      if (!context.prefetched?.has(user)) await (await tokens.catch(() => undefined))?.cleanup();
    }
  }

  const order = (attempt: HostileAttemptResult) =>
    `${HOSTILE_CASE_IDS.indexOf(attempt.caseId).toString().padStart(3, '0')}\u0000${spec.endpoints.findIndex((e) => e.id === attempt.endpoint)}\u0000${attempt.variant}`;
  attempts.sort((a, b) => order(a).localeCompare(order(b)));
  const finding = (
    kase: HostileCase,
    fields: Omit<HostileFinding, 'caseId' | 'title' | 'fix' | 'reference' | 'blocking' | 'exploitableBy'>,
  ): HostileFinding => ({
    caseId: kase.id,
    title: kase.title,
    exploitableBy: kase.exploitableBy,
    fix: kase.fix,
    reference: kase.reference,
    ...fields,
    blocking: atOrAbove(fields.severity, failOn, SEVERITY_ORDER),
  });
  // An attempt that got no answer is neither a refusal nor a finding: it is listed as incomplete.
  const findings: HostileFinding[] = attempts
    .filter((attempt) => !attempt.pass && !attempt.inconclusive)
    .map((attempt) =>
      finding(hostileCase(attempt.caseId) as HostileCase, {
        severity: attempt.severity,
        endpoint: attempt.endpoint,
        variant: attempt.variant,
        status: attempt.observed.status,
        excerpt: attempt.observed.excerpt,
        reason: attempt.reason,
      }),
    );
  // A backend that fetched the key a token pointed at is vulnerable whatever it answered.
  for (const [id, path] of [
    ['jku', '/jku/'],
    ['x5u', '/x5u/'],
  ] as const) {
    const requests = listener.requests.filter((line) => line.includes(path));
    const kase = hostileCase(id) as HostileCase;
    if (requests.length > 0 && selected.includes(id)) {
      findings.push(
        finding(kase, {
          severity: kase.severity,
          endpoint: '(listener)',
          variant: requests.join(', '),
          status: undefined,
          excerpt: '',
          reason: `the backend fetched the URL the token's ${id} header named (${requests.length} request(s)): a server-side request forgery`,
        }),
      );
    }
  }
  const unplaced = plan.filter((target) => target.user === undefined).map((target) => target.endpoint.id);
  return {
    failOn,
    cases: cases.map((kase) => ({
      id: kase.id,
      title: kase.title,
      severity: kase.severity,
      exploitableBy: kase.exploitableBy,
      control: kase.control,
    })),
    skipped: [...skipped].map(([id, reason]) => ({ id, reason })),
    endpoints: runnable.map((target) => target.endpoint.id),
    unattacked: unplaced,
    attempts,
    findings: findings.sort(
      (a, b) => Number(b.blocking) - Number(a.blocking) || SEVERITY_ORDER.indexOf(b.severity) - SEVERITY_ORDER.indexOf(a.severity),
    ),
    listenerRequests: [...listener.requests],
    blocking: findings.filter((entry) => entry.blocking).length,
    incomplete: [...incomplete].map(([what, why]) => ({ what, why })),
  };
}
