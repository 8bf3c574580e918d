import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { runCells } from '../../harness/check/cells-phase.js';
import { awaitTokenReadiness, tokenProbe } from '../../harness/check/token-readiness.js';
import type { PhaseContext, TokensPhase } from '../../harness/matrix/phases.js';
import { parseMatrixSpec } from '../../harness/matrix/spec-load.js';

/**
 * A backend like the Express example while Keycloak is slow: every request with a token gets 503
 * until its key set arrives (after `unreadyAnswers` such requests, or never); then `good-token`
 * reads and any other token is refused with 401 or 403 (`refuseEveryone`: 401 for every token).
 */
function backend(options: { unreadyAnswers: number; refuseEveryone?: boolean }): { server: Server; tokenRequests: () => number } {
  let tokenRequests = 0;
  const server = createServer((request, response) => {
    const token = request.headers.authorization?.replace(/^Bearer /, '');
    if (request.url === '/health') return void response.writeHead(200).end();
    if (!token) return void response.writeHead(401).end();
    tokenRequests += 1;
    if (tokenRequests <= options.unreadyAnswers) return void response.writeHead(503).end('{"error":"temporarily_unavailable"}');
    if (options.refuseEveryone) return void response.writeHead(401).end();
    response.writeHead(token === 'good-token' ? 200 : 403).end();
  });
  return { server, tokenRequests: () => tokenRequests };
}

const specWith = (readyTimeout: number) =>
  parseMatrixSpec({
    keycloak: { realmName: 'r', client: 'api' },
    backend: { url: 'http://127.0.0.1:1', readyTimeout },
    users: ['anonymous', 'bob', 'alice'],
    endpoints: [
      { method: 'GET', path: '/health', scope: 'public' },
      { method: 'DELETE', path: '/items/1', scope: 'delete' },
      { method: 'GET', path: '/items', scope: 'view' },
    ],
  });

/** Only what the cells read of the phase before: alice is allowed everywhere, bob nowhere. */
const tokensPhase = (readyTimeout = 30) =>
  ({
    spec: specWith(readyTimeout),
    tokens: { token: (user: string) => ({ bearer: `${user === 'alice' ? 'good' : 'other'}-token`, decisionToken: '' }) },
    expected: (endpoint: { requirement: { kind: string } }, user: string) =>
      endpoint.requirement.kind === 'public' || user === 'alice' ? 'allow' : 'deny',
  }) as unknown as TokensPhase;

const context = (steps: string[] = []): PhaseContext => ({
  concurrency: 4,
  showTokens: false,
  signal: undefined,
  step: (message) => steps.push(message),
});

let running: Server | undefined;
async function serve(server: Server): Promise<string> {
  running = server;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
afterEach(() => new Promise<void>((resolve) => (running ? running.close(() => resolve()) : resolve())));

const failed = (phase: Awaited<ReturnType<typeof runCells>>) =>
  phase.cells.filter((cell) => !cell.pass).map((cell) => `${cell.endpoint} × ${cell.user}: ${cell.observed.status}`);

describe('waiting until the backend can check a token, before the cells', () => {
  it('probes with a safe method, a protected endpoint and a caller Keycloak allows there', () => {
    const probe = tokenProbe(tokensPhase());
    expect(probe?.label).toBe('GET /items as alice');
    expect(probe?.plan).toMatchObject({ method: 'GET', path: '/items', token: 'good-token' });
    const onlyUnsafe = { ...tokensPhase(), spec: { ...specWith(30), endpoints: specWith(30).endpoints.slice(0, 2) } } as TokensPhase;
    expect(tokenProbe(onlyUnsafe)).toBeUndefined();
  });

  it('a backend whose first token answers are 503 (Keycloak slow to hand out its keys) passes once it can check tokens', async () => {
    const fake = backend({ unreadyAnswers: 3 });
    const url = await serve(fake.server);
    const steps: string[] = [];
    const phase = await runCells(tokensPhase(), { kid: 'k', pem: 'pem' }, url, context(steps));
    expect(failed(phase)).toEqual([]);
    expect(steps.some((step) => step.includes('answered GET /items as alice with 503: waiting up to 30 s'))).toBe(true);
    // Three 503s and the probe that got through, then the six token cells.
    expect(fake.tokenRequests()).toBe(4 + 4);
  });

  it('a backend that refuses everyone is not waited for, and fails', async () => {
    const fake = backend({ unreadyAnswers: 0, refuseEveryone: true });
    const url = await serve(fake.server);
    const steps: string[] = [];
    const phase = await runCells(tokensPhase(), { kid: 'k', pem: 'pem' }, url, context(steps));
    expect(failed(phase)).toEqual(['DELETE /items/1 × alice: 401', 'GET /items × alice: 401']);
    expect(steps.filter((step) => step.includes('waiting'))).toEqual([]);
    expect(fake.tokenRequests()).toBe(1 + 4);
  });

  it('a backend that keeps failing is waited for at most backend.readyTimeout, then fails its cells', async () => {
    const fake = backend({ unreadyAnswers: Number.POSITIVE_INFINITY });
    const url = await serve(fake.server);
    const steps: string[] = [];
    const phase = await runCells(tokensPhase(1), { kid: 'k', pem: 'pem' }, url, context(steps));
    expect(failed(phase)).toEqual([
      'DELETE /items/1 × bob: 503',
      'DELETE /items/1 × alice: 503',
      'GET /items × bob: 503',
      'GET /items × alice: 503',
    ]);
    expect(steps.at(-2)).toContain('calling the cells anyway');
  });

  it('stops waiting when the backend is gone', async () => {
    const fake = backend({ unreadyAnswers: Number.POSITIVE_INFINITY });
    const url = await serve(fake.server);
    const probe = tokenProbe(tokensPhase());
    const seen = await awaitTokenReadiness(probe, {
      baseUrl: url,
      requestTimeoutMs: 2_000,
      timeoutMs: 60_000,
      gone: () => true,
      step: () => {},
    });
    expect(seen).toMatchObject({ kind: 'answered', status: 503 });
    expect(fake.tokenRequests()).toBe(1);
  });
});
