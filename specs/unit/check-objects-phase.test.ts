import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runObjectCells } from '../../harness/check/objects-phase.js';
import type { PhaseContext, TokensPhase } from '../../harness/matrix/phases.js';
import { parseMatrixSpec } from '../../harness/matrix/spec-load.js';

/**
 * Items owned by whoever created them (the bearer token is the user's name); only the owner may
 * read or delete one, except under /open/. `carol` cannot create anything: the backend fails her.
 */
function backend(): { server: Server; created: string[] } {
  const items = new Map<number, string>();
  const created: string[] = [];
  let next = 1;
  const server = createServer((request, response) => {
    const user = request.headers.authorization?.replace(/^Bearer /, '');
    if (!user) return void response.writeHead(401).end();
    if (request.method === 'POST' && request.url === '/items') {
      if (user === 'dave') return void response.writeHead(403).end('no create role');
      if (user === 'carol') return void response.writeHead(500).end('no items for carol');
      const id = next++;
      items.set(id, user);
      created.push(user);
      return void response.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ item: { id } }));
    }
    const id = Number(/^(?:\/open)?\/items\/(\d+)$/.exec(request.url ?? '')?.[1]);
    const owner = items.get(id);
    if (owner === undefined) return void response.writeHead(404).end();
    // /open/items/ID forgets every owner and tenant check.
    if (owner !== user && !request.url?.startsWith('/open/')) return void response.writeHead(403).end();
    if (request.method === 'DELETE') items.delete(id);
    response.writeHead(request.method === 'DELETE' ? 204 : 200).end();
  });
  return { server, created };
}

const spec = (owners: string[]) =>
  parseMatrixSpec({
    keycloak: { realmName: 'r', client: 'api' },
    backend: { url: 'http://127.0.0.1:1' },
    users: ['alice', 'bob', 'carol', 'anonymous'],
    status: 'strict',
    setup: { owners, steps: [{ name: 'create', method: 'POST', path: '/items', capture: { id: '/item/id' } }] },
    endpoints: [
      // Listed DELETE first: it still runs after the GET on the same object.
      { method: 'DELETE', path: '/items/${owner.id}', requires: 'authenticated', owner: 'only' },
      { method: 'GET', path: '/items/${owner.id}', requires: 'authenticated', owner: 'only' },
    ],
  });

/** Only what runObjectCells reads of the phase before it: the spec and the tokens (a token is its user's name). */
const tokensPhase = (owners: string[]) =>
  ({
    spec: spec(owners),
    tokens: {
      token: (user: string) => ({ bearer: user, decisionToken: '' }),
      caller: () => ({ claims: {}, groups: [], tenants: [], decision: () => false }),
    },
  }) as unknown as TokensPhase;

const context: PhaseContext = { concurrency: 4, showTokens: false, signal: undefined, step: () => {} };

describe('the object cells phase, without Keycloak', () => {
  let fake: ReturnType<typeof backend>;
  let url: string;
  beforeAll(async () => {
    fake = backend();
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => fake.server.close(() => resolve())));

  it('creates each owner’s objects afresh per caller, reads before deletes, and judges peers apart', async () => {
    fake.created.length = 0;
    const phase = await runObjectCells(tokensPhase(['alice', 'bob']), url, context);
    // 2 owners × 4 callers (anonymous and carol included): 8 objects.
    expect(fake.created.sort()).toEqual(['alice', 'alice', 'alice', 'alice', 'bob', 'bob', 'bob', 'bob']);
    expect(phase.incomplete).toEqual([]);
    // The owner's own GET found its object: the DELETE came after it.
    expect(phase.cells.map((cell) => `${cell.endpoint} × ${cell.user}: ${cell.observed.status} ${cell.pass}`)).toEqual([
      'DELETE /items/${owner.id} × alice: 204 true',
      'DELETE /items/${owner.id} × bob: 204 true',
      'GET /items/${owner.id} × alice: 200 true',
      'GET /items/${owner.id} × bob: 200 true',
    ]);
    const peers = phase.peerCells.map((cell) => `${cell.endpoint} × ${cell.user} on ${cell.owner}: ${cell.observed.status} ${cell.pass}`);
    expect(peers).toEqual([
      'DELETE /items/${owner.id} × alice on bob: 403 true',
      'DELETE /items/${owner.id} × bob on alice: 403 true',
      'DELETE /items/${owner.id} × carol on alice: 403 true',
      'DELETE /items/${owner.id} × carol on bob: 403 true',
      'DELETE /items/${owner.id} × anonymous on alice: 401 true',
      'DELETE /items/${owner.id} × anonymous on bob: 401 true',
      'GET /items/${owner.id} × alice on bob: 403 true',
      'GET /items/${owner.id} × bob on alice: 403 true',
      'GET /items/${owner.id} × carol on alice: 403 true',
      'GET /items/${owner.id} × carol on bob: 403 true',
      'GET /items/${owner.id} × anonymous on alice: 401 true',
      'GET /items/${owner.id} × anonymous on bob: 401 true',
    ]);
  });

  it('an owner whose setup fails: one incomplete entry for all its copies, none of their cells run', async () => {
    const phase = await runObjectCells(tokensPhase(['alice', 'carol']), url, context);
    expect(phase.incomplete).toEqual([
      {
        what: 'setup "create" as carol',
        why: 'answered 500, expected a 2xx: no items for carol; so 8 object cells (for alice, bob, carol, anonymous) were not run',
      },
    ]);
    expect([...phase.cells, ...phase.peerCells].filter((cell) => cell.owner === 'carol')).toEqual([]);
    // alice's objects were checked as usual, carol attacking them included.
    expect(phase.peerCells.filter((cell) => cell.user === 'carol').map((cell) => cell.observed.status)).toEqual([403, 403]);
  });

  it('owner: tenant: a caller of another tenant the backend lets in fails, marked and explained as such', async () => {
    const tenantOf: Record<string, string[]> = { alice: ['/acme'], bob: ['/acme'], carol: ['/globex'] };
    const phase = await runObjectCells(
      {
        spec: parseMatrixSpec({
          keycloak: { realmName: 'r', client: 'api' },
          backend: { url: 'http://127.0.0.1:1' },
          users: ['alice', 'bob', 'carol', 'anonymous'],
          setup: {
            owners: ['alice'],
            tenants: { groups: ['/acme', '/globex'] },
            steps: [{ method: 'POST', path: '/items', capture: { id: '/item/id' } }],
          },
          endpoints: [{ method: 'GET', path: '/open/items/${owner.id}', requires: 'authenticated', owner: 'tenant' }],
        }),
        tokens: {
          token: (user: string) => ({ bearer: user, decisionToken: '' }),
          caller: (user: string) => ({ claims: {}, groups: [], tenants: tenantOf[user] ?? [], decision: () => false }),
        },
      } as unknown as TokensPhase,
      url,
      context,
    );
    expect(phase.peerCells.map((cell) => [cell.user, cell.expected, cell.observed.status, cell.pass, cell.otherTenant ?? false])).toEqual([
      ['bob', 'allow', 200, true, false],
      ['carol', 'deny', 200, false, true],
      // anonymous is refused everyone's objects: no tenant to tell.
      ['anonymous', 'deny', 401, true, false],
    ]);
    expect(phase.peerCells[1]?.reason).toBe(
      "Keycloak grants carol the endpoint, but the object is alice's (tenant /acme) and carol is in /globex: the backend allowed it across tenants with 200",
    );
  });

  it('two columns of one Keycloak user are one owner: each on the other’s object is a role cell, not a peer cell', async () => {
    const phaseSpec = parseMatrixSpec({
      keycloak: { realmName: 'r', client: 'api' },
      backend: { url: 'http://127.0.0.1:1' },
      users: ['alice', { name: 'alice-ro', user: 'alice', scope: 'items.read' }, 'bob'],
      setup: { steps: [{ method: 'POST', path: '/items', capture: { id: '/item/id' } }] },
      endpoints: [{ method: 'GET', path: '/items/${owner.id}', requires: 'authenticated', owner: 'only' }],
    });
    const phase = await runObjectCells(
      {
        spec: phaseSpec,
        tokens: {
          // The backend sees who the token is for: alice-ro's token is alice's.
          token: (user: string) => ({ bearer: user === 'alice-ro' ? 'alice' : user, decisionToken: '' }),
          caller: () => ({ claims: {}, groups: [], tenants: [], decision: () => false }),
        },
      } as unknown as TokensPhase,
      url,
      context,
    );
    expect(phase.incomplete).toEqual([]);
    expect(phase.cells.map((cell) => [cell.user, cell.owner, cell.expected, cell.observed.status, cell.pass])).toEqual([
      ['alice', 'alice', 'allow', 200, true],
      ['alice-ro', 'alice-ro', 'allow', 200, true],
      ['bob', 'bob', 'allow', 200, true],
    ]);
    expect(phase.peerCells.map((cell) => [cell.user, cell.owner, cell.expected, cell.observed.status, cell.pass])).toEqual([
      ['alice', 'bob', 'deny', 403, true],
      ['alice-ro', 'bob', 'deny', 403, true],
      ['bob', 'alice', 'deny', 403, true],
      ['bob', 'alice-ro', 'deny', 403, true],
    ]);
  });

  it('an owner the backend refuses to create objects (403): the why says to list who may under setup.owners', async () => {
    const refused = parseMatrixSpec(
      [
        'keycloak: {realmName: r, client: api}',
        'backend: {url: "http://127.0.0.1:1"}',
        'users: [alice, dave]',
        'setup:',
        '  steps:',
        '    - {name: create, method: POST, path: /items, capture: {id: /item/id}}',
        'endpoints:',
        '  - {method: GET, path: "/items/${owner.id}", requires: authenticated, owner: only}',
      ].join('\n'),
      { file: 'matrix.yaml' },
    );
    const phase = await runObjectCells({ ...tokensPhase(['alice']), spec: refused } as unknown as TokensPhase, url, context);
    expect(phase.incomplete).toEqual([
      {
        what: 'setup "create" as dave',
        why: 'refused with 403: if dave may not create objects, list the callers who may under setup.owners (matrix.yaml:6); so 2 object cells (for alice, dave) were not run',
      },
    ]);
  });
});
