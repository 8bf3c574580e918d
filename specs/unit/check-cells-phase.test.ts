import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCells } from '../../harness/check/cells-phase.js';
import type { PhaseContext, TokensPhase } from '../../harness/matrix/phases.js';
import { parseMatrixSpec } from '../../harness/matrix/spec-load.js';

/** A backend that lets `good-token` read, hides /secret behind a 404, and crashes on /crash. */
function backend(): Server {
  return createServer((request, response) => {
    const token = request.headers.authorization?.replace(/^Bearer /, '');
    if (request.url === '/crash') return void response.writeHead(500).end('boom');
    if (!token) return void response.writeHead(401).end();
    if (request.url === '/secret') return void response.writeHead(token === 'good-token' ? 200 : 404).end(`seen ${token}`);
    response.writeHead(token === 'good-token' ? 200 : 403).end();
  });
}

const spec = parseMatrixSpec({
  keycloak: { realmName: 'r', client: 'api' },
  backend: { url: 'http://127.0.0.1:1' },
  users: ['alice', 'bob', 'anonymous'],
  endpoints: [
    { method: 'GET', path: '/items', scope: 'view' },
    { method: 'GET', path: '/secret', scope: 'view', deny: { anonymous: 401, authenticated: 404 } },
    { method: 'GET', path: '/crash', scope: 'view' },
  ],
});

/** Only what runCells reads of the phase before it: tokens and Keycloak's verdicts. */
const tokensPhase = {
  spec,
  tokens: { token: (user: string) => ({ bearer: `${user === 'alice' ? 'good' : 'other'}-token`, decisionToken: '' }) },
  expected: (_endpoint: unknown, user: string) => (user === 'alice' ? 'allow' : 'deny'),
} as unknown as TokensPhase;

const context = (showTokens: boolean): PhaseContext => ({ concurrency: 2, showTokens, signal: undefined, step: () => {} });

describe('the cells phase, without Keycloak', () => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    server = backend();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('calls every endpoint as every user and judges each cell by its own deny statuses', async () => {
    const phase = await runCells(tokensPhase, { kid: 'k', pem: 'pem' }, url, context(false));
    const verdicts = Object.fromEntries(phase.cells.map((cell) => [`${cell.endpoint} × ${cell.user}`, `${cell.outcome} ${cell.pass}`]));
    expect(verdicts).toEqual({
      'GET /items × alice': 'allowed true',
      'GET /items × bob': 'denied true',
      'GET /items × anonymous': 'denied true',
      'GET /secret × alice': 'allowed true',
      'GET /secret × bob': 'denied true',
      'GET /secret × anonymous': 'denied true',
      'GET /crash × alice': 'server-error false',
      'GET /crash × bob': 'server-error false',
      'GET /crash × anonymous': 'server-error false',
    });
    expect(phase.backendUrl).toBe(url);
    expect(phase.cells.some((cell) => 'token' in cell)).toBe(false);
  });

  it('keeps the bearer token on each cell only when asked to', async () => {
    const phase = await runCells(tokensPhase, { kid: 'k', pem: 'pem' }, url, context(true));
    expect(phase.cells.find((cell) => cell.user === 'bob')?.token).toBe('other-token');
    expect(phase.cells.find((cell) => cell.user === 'anonymous')?.token).toBeUndefined();
  });
});
