import pLimit from 'p-limit';
import { Client, type Dispatcher, Pool, errors } from 'undici';
import { describeError } from '../errors.js';
import { answered, noAnswer, type Observation } from './observation.js';

/** One request to send. */
export interface RequestPlan {
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | undefined;
  /** Sent as `Authorization: Bearer …`; none for anonymous. */
  readonly token: string | undefined;
}

export interface RunRequestsOptions {
  /** Scheme, host, port and an optional path prefix. */
  readonly baseUrl: string;
  /** Requests in flight at once; also the pool's connection count. */
  readonly concurrency: number;
  /** Per request, from sending to the end of the body. */
  readonly timeoutMs: number;
  /** Bytes of each answer's body kept in its excerpt. Default 600: enough to show why, not to store answers. */
  readonly excerptBytes?: number | undefined;
}

const EXCERPT_BYTES = 600;

async function readExcerpt(body: AsyncIterable<Buffer | Uint8Array> & { destroy(): unknown }, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of body) {
    chunks.push(Buffer.from(chunk));
    length += chunk.length;
    if (length >= limit) {
      // The rest is not needed; the connection is dropped rather than drained.
      body.destroy();
      break;
    }
  }
  return Buffer.concat(chunks).subarray(0, limit).toString('utf8');
}

function isTimeout(error: unknown): boolean {
  return (
    error instanceof errors.HeadersTimeoutError ||
    error instanceof errors.BodyTimeoutError ||
    (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError'))
  );
}

/**
 * A request whose connection failed is sent once more on a fresh connection: a kept-alive socket
 * the server closed while idle is the common cause, and it says nothing about the backend. A
 * timeout is not sent again (the backend may have acted on it: a second DELETE would answer
 * differently). What still gets no answer is reported with both failures; it is never evidence.
 */
export async function withOneRetry(send: () => Promise<Observation>, sendFresh: () => Promise<Observation>): Promise<Observation> {
  const first = await send();
  if (first.kind !== 'network-error') return first;
  const second = await sendFresh();
  if (second.kind === 'answered') return second;
  return noAnswer(
    second.kind,
    `no answer, twice: ${first.excerpt}; then on a fresh connection: ${second.excerpt}`,
    first.durationMs + second.durationMs,
  );
}

/**
 * Sends every planned request over one keep-alive pool, at most `concurrency` at a time, each with
 * its own timeout, and records each answer. A request with no answer is sent once more on a fresh
 * connection ({@link withOneRetry}); an answer, whatever its status, is never retried: that would
 * hide a flaky backend. Results are in the order of the plans.
 */
export async function runRequests(plans: readonly RequestPlan[], options: RunRequestsOptions): Promise<Observation[]> {
  const base = new URL(options.baseUrl);
  const prefix = base.pathname.replace(/\/+$/, '');
  const pool = new Pool(base.origin, { connections: options.concurrency, keepAliveTimeout: 10_000 });
  const limit = pLimit(options.concurrency);
  const sendOn = async (dispatcher: Dispatcher, plan: RequestPlan): Promise<Observation> => {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    // A timer cleared with the answer, not AbortSignal.timeout: that one stays armed for the whole
    // timeout after the answer, so a 10 000-cell check kept 10 000 live timers and signals.
    const deadline = new AbortController();
    const timer = setTimeout(
      () => deadline.abort(new DOMException(`no answer within ${options.timeoutMs} ms`, 'TimeoutError')),
      options.timeoutMs,
    );
    try {
      const response = await dispatcher.request({
        method: plan.method as 'GET',
        path: `${prefix}${plan.path}`,
        headers: { ...plan.headers, ...(plan.token ? { authorization: `Bearer ${plan.token}` } : {}) },
        body: plan.body,
        headersTimeout: options.timeoutMs,
        bodyTimeout: options.timeoutMs,
        signal: deadline.signal,
      });
      const excerpt = await readExcerpt(response.body, options.excerptBytes ?? EXCERPT_BYTES);
      return answered(response.statusCode, excerpt, elapsed());
    } catch (error) {
      return isTimeout(error)
        ? noAnswer('timeout', `no answer within ${options.timeoutMs} ms`, elapsed())
        : noAnswer('network-error', describeError(error), elapsed());
    } finally {
      clearTimeout(timer);
    }
  };
  const sendFresh = async (plan: RequestPlan): Promise<Observation> => {
    const client = new Client(base.origin);
    try {
      return await sendOn(client, plan);
    } finally {
      await client.destroy();
    }
  };
  try {
    return await Promise.all(
      plans.map((plan) =>
        limit(() =>
          withOneRetry(
            () => sendOn(pool, plan),
            () => sendFresh(plan),
          ),
        ),
      ),
    );
  } finally {
    await pool.destroy();
  }
}
