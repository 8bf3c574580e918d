import { type RequestPlan, runRequests } from '../http/run-requests.js';
import { type Observation, answerLabel } from '../http/observation.js';
import type { TokensPhase } from '../matrix/phases.js';
import { ANONYMOUS } from '../matrix/types.js';

/** One request a cell will send too, that the backend can answer only once it can check a token. */
export interface TokenProbe {
  /** `GET /api/inventory as alice`, for progress lines. */
  readonly label: string;
  readonly plan: RequestPlan;
}

/** Methods that change nothing on the backend: sending one once more cannot alter a cell's answer. */
const SAFE_METHODS = new Set(['GET', 'HEAD']);

/**
 * The first cell that reads a token and may be sent twice: a protected endpoint (no ownership
 * rule) with a safe method, called by a caller Keycloak allows there; undefined when there is none.
 */
export function tokenProbe(tokens: Pick<TokensPhase, 'spec' | 'tokens' | 'expected'>): TokenProbe | undefined {
  const { spec } = tokens;
  for (const endpoint of spec.endpoints) {
    if (endpoint.owner !== undefined || endpoint.requirement.kind === 'public' || !SAFE_METHODS.has(endpoint.method)) continue;
    const user = spec.users.find((candidate) => candidate !== ANONYMOUS && tokens.expected(endpoint, candidate) === 'allow');
    if (user === undefined) continue;
    return {
      label: `${endpoint.method} ${endpoint.path} as ${user}`,
      plan: {
        method: endpoint.method,
        path: endpoint.path,
        headers: endpoint.headers,
        body: endpoint.body,
        token: tokens.tokens.token(user, endpoint.token).bearer,
      },
    };
  }
  return undefined;
}

export interface TokenReadinessOptions {
  readonly baseUrl: string;
  /** Per request, as the cells use it. */
  readonly requestTimeoutMs: number;
  /** How long to wait for an answer below 500 in all: the spec's backend.readyTimeout. */
  readonly timeoutMs: number;
  readonly intervalMs?: number | undefined;
  /** True once waiting is pointless: the backend exited, or the check was interrupted. */
  readonly gone?: (() => boolean) | undefined;
  readonly step: (message: string) => void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Waits until the backend answers the probe below 500, before the cells are called. A backend
 * that has just started fetches the realm's key set (or discovery document) from Keycloak on the
 * first request with a token; when Keycloak is slow to answer it, as on a loaded CI machine, a
 * backend that handles this correctly says 503 (jose gives up after 5 s) and would fail every
 * token cell at once, for a fault of the machine, not of the backend. Nothing seen here is
 * evidence: every cell is still sent and judged afterwards, so a backend that keeps failing, or
 * refuses everyone (401 and 403 are answers, and end the wait at once), still fails. An answer
 * that never came ends the wait too: the cells report it as no answer. Returns the last answer.
 */
export async function awaitTokenReadiness(probe: TokenProbe | undefined, options: TokenReadinessOptions): Promise<Observation | undefined> {
  if (!probe) return undefined;
  const deadline = Date.now() + options.timeoutMs;
  const send = async () =>
    (await runRequests([probe.plan], { baseUrl: options.baseUrl, concurrency: 1, timeoutMs: options.requestTimeoutMs }))[0]!;
  let observed = await send();
  if (observed.kind !== 'answered' || observed.status < 500) return observed;
  options.step(
    `the backend answered ${probe.label} with ${answerLabel(observed)}: waiting up to ${Math.round(options.timeoutMs / 1000)} s (backend.readyTimeout) until it can check tokens`,
  );
  while (observed.kind === 'answered' && observed.status >= 500 && Date.now() < deadline && !options.gone?.()) {
    await sleep(options.intervalMs ?? 250);
    observed = await send();
  }
  if (observed.kind === 'answered' && observed.status >= 500) {
    options.step(`the backend still answers ${probe.label} with ${observed.status}: calling the cells anyway`);
  }
  return observed;
}
