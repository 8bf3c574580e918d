import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import getPort from 'get-port';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answered, noAnswer } from '../../harness/http/observation.js';
import { judgeCell } from '../../harness/matrix/judge-cell.js';
import { type RequestPlan, runRequests } from '../../harness/http/run-requests.js';

const plan = (path: string, token?: string): RequestPlan => ({ method: 'GET', path, headers: {}, body: undefined, token });

describe('matrix runner', () => {
  let server: Server;
  let baseUrl: string;
  const seen: Array<{ path: string; authorization: string | undefined }> = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      seen.push({ path: request.url ?? '', authorization: request.headers.authorization });
      const status = Number(/\/status\/(\d+)/.exec(request.url ?? '')?.[1] ?? 0);
      if (request.url?.includes('/hang')) return; // never answers
      // Drops the first connection that asks, as a server closing an idle kept-alive socket would.
      if (request.url?.includes('/flaky') && seen.filter((entry) => entry.path === request.url).length === 1) {
        request.socket.destroy();
        return;
      }
      if (request.url?.includes('/big')) {
        response.end('x'.repeat(100_000));
        return;
      }
      response.statusCode = status || 200;
      response.end(`answer ${status || 200}`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/prefix`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('records statuses and timeouts in plan order, each sent once', async () => {
    const plans = [
      plan('/status/200', 'tok'),
      plan('/status/401'),
      plan('/status/403'),
      plan('/status/404'),
      plan('/status/503'),
      plan('/hang'),
      plan('/big'),
    ];
    const observed = await runRequests(plans, { baseUrl, concurrency: 3, timeoutMs: 500 });
    // Only what happened: a status, or which kind of no-answer. Judging is not the runner's job.
    expect(observed.map((o) => [o.kind, o.status])).toEqual([
      ['answered', 200],
      ['answered', 401],
      ['answered', 403],
      ['answered', 404],
      ['answered', 503],
      ['timeout', undefined],
      ['answered', 200],
    ]);
    expect(observed[0]?.excerpt).toBe('answer 200');
    // A timeout is not sent again: the backend may have acted on the request.
    expect(observed[5]?.excerpt).toBe('no answer within 500 ms');
    expect(observed[6]?.excerpt.length).toBe(600);
    // The base URL's path is a prefix; the token travels as a bearer; an answer is never sent again.
    expect(seen.filter((request) => request.path === '/prefix/hang')).toHaveLength(1);
    expect(seen.filter((request) => request.path === '/prefix/status/503')).toHaveLength(1);
    expect(seen.find((request) => request.path === '/prefix/status/200')?.authorization).toBe('Bearer tok');
    expect(seen.find((request) => request.path === '/prefix/status/401')?.authorization).toBeUndefined();
  });

  it('takes the answer a fresh connection gets when the first one was dropped', async () => {
    const [observed] = await runRequests([plan('/flaky')], { baseUrl, concurrency: 1, timeoutMs: 2_000 });
    expect(observed).toMatchObject({ kind: 'answered', status: 200 });
    expect(seen.filter((request) => request.path === '/prefix/flaky')).toHaveLength(2);
  });

  it('reports a refused connection as a network error', async () => {
    const port = await getPort({ host: '127.0.0.1' });
    const [observed] = await runRequests([plan('/x')], { baseUrl: `http://127.0.0.1:${port}`, concurrency: 1, timeoutMs: 2_000 });
    expect(observed).toMatchObject({ kind: 'network-error', status: undefined, excerpt: expect.stringContaining('ECONNREFUSED') });
  });
});

describe('cell verdicts', () => {
  const observed = (status: number | undefined) => (status === undefined ? noAnswer('timeout', '', 1) : answered(status, '', 1));

  it('passes allowed and denied answers that match Keycloak', () => {
    expect(judgeCell('allow', [401, 403], observed(200))).toEqual({ outcome: 'allowed', pass: true, reason: '' });
    expect(judgeCell('allow', [401, 403], observed(404)).pass).toBe(true);
    expect(judgeCell('deny', [401, 403], observed(403))).toEqual({ outcome: 'denied', pass: true, reason: '' });
  });

  it('fails the wrong side, the wrong deny status, and any answer that is not one', () => {
    expect(judgeCell('allow', [401, 403], observed(403))).toEqual({
      outcome: 'denied',
      pass: false,
      reason: 'Keycloak grants this, but the backend denied it with 403',
    });
    expect(judgeCell('deny', [403], observed(200))).toEqual({
      outcome: 'allowed',
      pass: false,
      reason: 'Keycloak does not grant this, but the backend allowed it with 200',
    });
    expect(judgeCell('deny', [403], observed(401))).toEqual({ outcome: 'denied', pass: false, reason: 'denied with 401, expected 403' });
    expect(judgeCell('deny', [401, 403], observed(500))).toEqual({
      outcome: 'server-error',
      pass: false,
      reason: 'expected a denial, but the backend failed with 500',
    });
    expect(judgeCell('allow', [401], observed(undefined))).toEqual({
      outcome: 'timeout',
      pass: false,
      reason: 'expected access, but the backend gave no answer in time (timeout)',
    });
    expect(judgeCell('deny', [401], noAnswer('network-error', 'ECONNREFUSED', 1)).pass).toBe(false);
  });

  it('takes any accepted deny status as the denial: 404, 400, a 302 to a login page', () => {
    for (const status of [404, 400, 302]) {
      expect(judgeCell('deny', [status], observed(status))).toEqual({ outcome: 'denied', pass: true, reason: '' });
      // The same status for a user Keycloak allows is a denial, not access.
      expect(judgeCell('allow', [status], observed(status))).toMatchObject({ outcome: 'denied', pass: false });
      // Elsewhere it is an ordinary answer.
      expect(judgeCell('allow', [401, 403], observed(status))).toMatchObject({ outcome: 'allowed', pass: true });
    }
    expect(judgeCell('deny', [404], observed(403))).toEqual({ outcome: 'denied', pass: false, reason: 'denied with 403, expected 404' });
    expect(judgeCell('deny', [302], observed(200))).toMatchObject({ outcome: 'allowed', pass: false });
  });
});

describe('redacting reports', () => {
  it('drops a password from a URL, whatever its length, and leaves the rest as written', async () => {
    const { withoutPassword } = await import('../../harness/check/redact.js');
    expect(withoutPassword('http://api:s3@127.0.0.1:${PORT}/v1')).toBe('http://api@127.0.0.1:${PORT}/v1');
    expect(withoutPassword('http://127.0.0.1:8080/v1')).toBe('http://127.0.0.1:8080/v1');
  });

  it('replaces compact tokens (JWS and JWE) and the client secret, and leaves the rest', async () => {
    const { redactSecrets } = await import('../../harness/check/redact.js');
    const jws = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJib2IifQ.c2lnbmF0dXJl';
    const jwe = 'eyJhbGciOiJSU0EtT0FFUCJ9.a2V5.aXY.Y2lwaGVy.dGFn';
    const value = {
      excerpt: `invalid token ${jws}`,
      output: `Authorization: Bearer ${jwe}\nsecret=inventory-api-test-secret`,
      status: 401,
    };
    expect(redactSecrets(value, ['inventory-api-test-secret', 'short'])).toEqual({
      excerpt: 'invalid token [token]',
      output: 'Authorization: Bearer [token]\nsecret=[secret]',
      status: 401,
    });
  });
});

describe('the secrets a check keeps out of its reports', () => {
  it("holds Keycloak's secrets of the clients users log in with, and the passwords the spec gives", async () => {
    const { knownSecrets } = await import('../../harness/check/check-matrix.js');
    const { parseMatrixSpec } = await import('../../harness/matrix/spec-load.js');
    const spec = parseMatrixSpec(
      [
        'keycloak:',
        '  realm: realm.json',
        '  client: api',
        '  loginClient: web',
        '  passwords: {bob: bob-long-password}',
        '  users: {dana: {password: dana-long-password}}',
        'backend: {url: "http://u:url-password@127.0.0.1:8080"}',
        'users: [bob, dana]',
        'endpoints:',
        '  - {method: GET, path: /a, requires: authenticated}',
        '  - {method: GET, path: /b, requires: authenticated, token: {client: partner}}',
      ].join('\n'),
      { file: '/m.yaml' },
    );
    const live = {
      loginClient: 'web',
      oauthClient: async (clientId: string) => ({ clientId, clientSecret: `keycloak-secret-of-${clientId}` }),
    };
    const secrets = await knownSecrets({ spec, live } as unknown as Parameters<typeof knownSecrets>[0], spec.backend.url);
    expect([...secrets].sort()).toEqual(
      [
        'keycloak-secret-of-api',
        'keycloak-secret-of-web',
        'keycloak-secret-of-partner',
        'bob-long-password',
        'dana-long-password',
        'url-password',
      ].sort(),
    );
  });
});
