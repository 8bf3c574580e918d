import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { describeError } from '../errors.js';
import { answered, noAnswer, type Observation } from '../http/observation.js';
import { withOneRetry } from '../http/run-requests.js';

export interface HostileRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | undefined;
  /** Several values go out as several header lines: node:http sends arrays that way, fetch would merge them. */
  readonly authorization: string | readonly string[] | undefined;
  readonly query: Readonly<Record<string, string>> | undefined;
}

const EXCERPT_BYTES = 600;

/** A keep-alive sender for hostile requests, over node:http so duplicate header lines stay duplicate. */
export function hostileSender(baseUrl: string, options: { concurrency: number; timeoutMs: number }) {
  const base = new URL(baseUrl);
  const https = base.protocol === 'https:';
  const agent = https
    ? new HttpsAgent({ keepAlive: true, maxSockets: options.concurrency })
    : new HttpAgent({ keepAlive: true, maxSockets: options.concurrency });
  const prefix = base.pathname.replace(/\/+$/, '');

  const sendWith = (via: HttpAgent | HttpsAgent | false, plan: HostileRequest): Promise<Observation> =>
    new Promise((resolve) => {
      const started = performance.now();
      const elapsed = () => Math.round(performance.now() - started);
      const url = new URL(`${prefix}${plan.path}`, base);
      for (const [name, value] of Object.entries(plan.query ?? {})) url.searchParams.append(name, value);
      const headers: Record<string, string | string[]> = { ...plan.headers };
      if (plan.authorization !== undefined)
        headers.authorization = typeof plan.authorization === 'string' ? plan.authorization : [...plan.authorization];
      let settled = false;
      const finish = (observation: Observation) => {
        if (settled) return;
        settled = true;
        resolve(observation);
      };
      const request = (https ? httpsRequest : httpRequest)(
        url,
        { method: plan.method, headers, agent: via, timeout: options.timeoutMs },
        (response) => {
          const chunks: Buffer[] = [];
          let length = 0;
          response.on('data', (chunk: Buffer) => {
            if (length < EXCERPT_BYTES) chunks.push(chunk);
            length += chunk.length;
          });
          response.on('end', () => {
            finish(answered(response.statusCode ?? 0, Buffer.concat(chunks).subarray(0, EXCERPT_BYTES).toString('utf8'), elapsed()));
          });
          response.on('error', (error) =>
            finish(
              noAnswer(
                'network-error',
                `${response.statusCode ?? 'no status'}, then the body broke off: ${describeError(error)}`,
                elapsed(),
              ),
            ),
          );
        },
      );
      request.on('timeout', () => {
        finish(noAnswer('timeout', `no answer within ${options.timeoutMs} ms`, elapsed()));
        request.destroy();
      });
      request.on('error', (error) => finish(noAnswer('network-error', describeError(error), elapsed())));
      request.end(plan.body);
    });

  // No answer on a kept-alive socket is tried once more on a socket of its own (see withOneRetry).
  const send = (plan: HostileRequest) =>
    withOneRetry(
      () => sendWith(agent, plan),
      () => sendWith(false, plan),
    );
  return { send, close: () => agent.destroy() };
}
