import { describe, expect, it } from 'vitest';
import type { MatrixTokens } from '../../harness/matrix/matrix-tokens.js';
import {
  captureValue,
  claimValues,
  expectedOnObject,
  fillRequest,
  ownerReferences,
  samePrincipal,
  sameTenant,
  tenantsOf,
  valueAtPointer,
} from '../../harness/matrix/objects.js';
import { realmProblems } from '../../harness/matrix/spec-realm-check.js';
import { MatrixSpecError } from '../../harness/matrix/spec-error.js';
import { parseMatrixSpec } from '../../harness/matrix/spec-load.js';
import type { MatrixEndpoint } from '../../harness/matrix/types.js';

const head = `keycloak:
  realmName: shop
  client: api
backend:
  url: http://127.0.0.1:8080
users: [alice, bob, carol, anonymous]
`;

const objects = `${head}endpoints:
  - method: GET
    path: /items/\${owner.itemId}
    requires: authenticated
    owner: {or: {role: api/admin}}
  - method: PUT
    path: /lists/\${owner.listId}/items/\${owner.itemId}
    requires: authenticated
    owner: only
    headers: {x-item: "\${owner.itemId}"}
    body: {id: "\${owner.itemId}"}
  - method: DELETE
    path: /items/\${owner.itemId}
    requires: authenticated
    owner: any
setup:
  steps:
    - name: create list
      method: POST
      path: /lists
      capture: {listId: /id}
    - method: POST
      path: /lists/\${owner.listId}/items
      body: {name: one}
      capture: {itemId: /items/0/id}
`;

function problemsOf(text: string): string[] {
  try {
    parseMatrixSpec(text, { file: 'm.yaml' });
  } catch (error) {
    expect(error).toBeInstanceOf(MatrixSpecError);
    return (error as MatrixSpecError).problems.map((problem) => `${problem.line ?? '-'} ${problem.path}: ${problem.message}`);
  }
  throw new Error('expected a MatrixSpecError');
}

describe('the setup section and ownership rules of a matrix file', () => {
  it('reads steps, captures and rules; owners default to every user with a token', () => {
    const spec = parseMatrixSpec(objects, { file: 'm.yaml' });
    expect(spec.setup?.owners).toEqual(['alice', 'bob', 'carol']);
    expect(spec.setup?.steps.map((step) => [step.name, step.capture, step.source?.line])).toEqual([
      ['create list', { listId: '/id' }, 24],
      ['POST /lists/${owner.listId}/items', { itemId: '/items/0/id' }, 28],
    ]);
    expect(spec.endpoints.map((endpoint) => endpoint.owner)).toEqual([
      { kind: 'owner-or', requirement: { kind: 'client-role', client: 'api', role: 'admin' } },
      { kind: 'owner-only' },
      { kind: 'anyone' },
    ]);
    // ${owner.…} is not an environment variable: it stays for the check to fill in.
    expect(spec.endpoints[1]?.body).toBe('{"id":"${owner.itemId}"}');
  });

  it('a spec without a setup section has none, and its endpoints no rule', () => {
    const spec = parseMatrixSpec(`${head}endpoints:\n  - {method: GET, path: /items, scope: public}\n`);
    expect(spec.setup).toBeUndefined();
    expect(spec.endpoints[0]?.owner).toBeUndefined();
  });

  it('names every mistake with its line: references, captures, owners, pointers, rules', () => {
    const text = `${head}endpoints:
  - method: GET
    path: /items/\${owner.itemId}
    requires: authenticated
  - method: GET
    path: /items/1
    requires: authenticated
    owner: only
  - method: GET
    path: /items/\${owner.nothing}
    requires: authenticated
    owner: any
  - method: GET
    path: /x/\${owner.itemId}
    requires: authenticated
    owner: everybody
setup:
  owners: [alice, anonymous, dave]
  steps:
    - method: POST
      path: /lists/\${owner.itemId}
      capture: {itemId: id, "bad-name": /id}
`;
    // The file's shape first: nothing else is judged until it has one.
    expect(problemsOf(text)).toEqual([
      '22 endpoints[3].owner: must be "only" (the owner alone), "any" (anyone meeting the requirement), "tenant" (anyone in the owner\'s tenant, see setup.tenants) or {or: REQUIREMENT} (the owner, or whoever also meets it)',
      '28 setup.steps[0].capture: capture name "bad-name" must be letters, digits and "_" (it is used as ${owner.NAME})',
      '28 setup.steps[0].capture.itemId: must be a JSON pointer (RFC 6901): "" for the whole answer, or "/" and a path such as /id or /items/0/id',
    ]);
    const shaped = text.replace('owner: everybody', 'owner: any').replace('itemId: id, "bad-name": /id', 'itemId: /id');
    expect(problemsOf(shaped)).toEqual([
      '8 endpoints[0]: uses ${owner.itemId} but has no "owner" rule: add owner: only, owner: any, owner: tenant or owner: {or: REQUIREMENT}',
      '14 endpoints[1].owner: an object endpoint must name the object in its path, headers or body with ${owner.NAME} (a value a setup step captures)',
      '15 endpoints[2]: ${owner.nothing} is captured by no setup step (captured: "itemId")',
      '24 setup.owners[1]: "anonymous" sends no token, so it cannot own an object',
      '24 setup.owners[2]: "dave" is not in "users" (alice, bob, carol, anonymous)',
      '26 setup.steps[0]: ${owner.itemId} is not captured by an earlier step (steps run in order; captured so far: none)',
    ]);
    expect(problemsOf(`${head}endpoints:\n  - {method: GET, path: "/i/\${owner.id}", requires: authenticated, owner: only}\n`)).toEqual([
      '8 endpoints[0].owner: needs a top-level "setup" that creates the objects',
    ]);
  });
});

describe('captures and references', () => {
  it('follows RFC 6901 pointers: escapes, array indexes, the whole document', () => {
    const document = { id: 7, 'a/b': { 'm~n': 'x' }, items: [{ id: 'i-1' }], empty: null };
    expect(valueAtPointer(document, '/id')).toBe(7);
    expect(valueAtPointer(document, '/a~1b/m~0n')).toBe('x');
    expect(valueAtPointer(document, '/items/0/id')).toBe('i-1');
    expect(valueAtPointer(document, '')).toBe(document);
    expect(valueAtPointer(document, '/items/01/id')).toBeUndefined();
    expect(valueAtPointer(document, '/items/1/id')).toBeUndefined();
    expect(valueAtPointer(document, '/nope')).toBeUndefined();
    expect(valueAtPointer(document, '/toString')).toBeUndefined();
  });

  it('captures strings and numbers as text, and says why anything else is no capture', () => {
    expect(captureValue('{"id":42}', '/id')).toEqual({ value: '42' });
    expect(captureValue('{"id":"a b"}', '/id')).toEqual({ value: 'a b' });
    expect(captureValue('{"id":null}', '/id')).toEqual({ problem: '"/id" holds null, not a string or number' });
    expect(captureValue('{"id":{}}', '/id')).toEqual({ problem: '"/id" holds object, not a string or number' });
    expect(captureValue('{}', '/id')).toEqual({ problem: 'the answer has nothing at "/id"' });
    expect(captureValue('<html>', '/id')).toEqual({ problem: 'the answer is not JSON (or longer than kcbox reads)' });
  });

  it('fills ${owner.NAME}: percent-encoded in the path, as captured in headers and bodies', () => {
    expect(ownerReferences('/l/${owner.a}/i/${owner.b}/${owner.a}')).toEqual(['a', 'b']);
    const filled = fillRequest(
      { path: '/items/${owner.id}', headers: { 'x-id': '${owner.id}' }, body: '{"id":"${owner.id}","keep":"${owner.other}"}' },
      { id: 'a/b c' },
    );
    expect(filled).toEqual({ path: '/items/a%2Fb%20c', headers: { 'x-id': 'a/b c' }, body: '{"id":"a/b c","keep":"${owner.other}"}' });
  });
});

describe("a cell's expectation on someone's object", () => {
  const endpoint = (owner: MatrixEndpoint['owner'], requirement: MatrixEndpoint['requirement'] = { kind: 'authenticated' }) =>
    parseMatrixSpec(`${head}endpoints:\n  - {method: GET, path: /x, requires: authenticated}\n`).endpoints.map((base) => ({
      ...base,
      requirement,
      owner,
    }))[0]!;
  /** alice holds api/admin; nobody else holds anything. */
  const tokens = {
    caller: (user: string) => ({
      claims: user === 'alice' ? { resource_access: { api: { roles: ['admin'] } } } : {},
      groups: [],
      tenants: [],
      decision: () => false,
    }),
  } as unknown as MatrixTokens;

  it('the owner gets what the requirement gives; others only as the rule says', () => {
    const or = endpoint({ kind: 'owner-or', requirement: { kind: 'client-role', client: 'api', role: 'admin' } });
    expect(expectedOnObject(or, 'bob', 'bob', tokens)).toBe('allow');
    expect(expectedOnObject(or, 'bob', 'carol', tokens)).toBe('deny');
    expect(expectedOnObject(or, 'alice', 'bob', tokens)).toBe('allow');
    expect(expectedOnObject(or, 'anonymous', 'bob', tokens)).toBe('deny');
    expect(expectedOnObject(endpoint({ kind: 'owner-only' }), 'alice', 'bob', tokens)).toBe('deny');
    expect(expectedOnObject(endpoint({ kind: 'anyone' }), 'carol', 'bob', tokens)).toBe('allow');
    // The endpoint's own requirement still applies to the owner: Keycloak denies, so the owner is denied.
    const adminOnly = endpoint({ kind: 'owner-only' }, { kind: 'client-role', client: 'api', role: 'admin' });
    expect(expectedOnObject(adminOnly, 'bob', 'bob', tokens)).toBe('deny');
    expect(expectedOnObject(adminOnly, 'alice', 'alice', tokens)).toBe('allow');
  });
});

describe('tenants: owner: tenant and setup.tenants', () => {
  const tenantSpec = (tenants: string, owner = 'tenant') => `${head}endpoints:
  - method: GET
    path: /items/\${owner.id}
    requires: authenticated
    owner: ${owner}
setup:
  tenants: ${tenants}
  steps:
    - {method: POST, path: /items, capture: {id: /id}}
`;

  it('reads groups (trailing slashes dropped) or an attribute as the tenant', () => {
    const spec = parseMatrixSpec(tenantSpec('{groups: [/acme/, /globex]}'), { file: 'm.yaml' });
    expect(spec.endpoints[0]?.owner).toEqual({ kind: 'same-tenant' });
    expect(spec.setup?.tenants).toEqual({ kind: 'groups', groups: ['/acme', '/globex'], source: { file: 'm.yaml', line: 13 } });
    expect(parseMatrixSpec(tenantSpec('{attribute: org}')).setup?.tenants).toEqual({ kind: 'attribute', attribute: 'org' });
  });

  it('names mistakes with their line: no tenants, both kinds, a tenant inside another, not a path', () => {
    expect(problemsOf(tenantSpec('{groups: [/acme]}').replace('  tenants: {groups: [/acme]}\n', ''))).toEqual([
      '11 endpoints[0].owner: owner: tenant needs "setup.tenants": {groups: [/acme, /globex]} (a group per tenant) or {attribute: ATTRIBUTE} (a user attribute naming the tenant)',
    ]);
    expect(problemsOf(tenantSpec('{groups: [/acme], attribute: org}'))).toEqual(['13 setup.tenants: must NOT have more than 1 properties']);
    expect(problemsOf(tenantSpec('{groups: [acme]}'))).toEqual(['13 setup.tenants.groups[0]: must start with "/"']);
    expect(problemsOf(tenantSpec('{groups: [/acme, /acme/east]}'))).toEqual([
      '13 setup.tenants.groups[1]: "/acme/east" is a subgroup of tenant "/acme", whose members it already is: a tenant cannot be inside another',
    ]);
  });

  it('an unknown tenant group is a realm problem at its line', () => {
    const spec = parseMatrixSpec(tenantSpec('{groups: [/acme, /initech]}'), { file: 'm.yaml' });
    const facts = {
      realm: 'shop',
      users: ['alice', 'bob', 'carol'].map((username) => ({ username, enabled: true })),
      clients: [],
      resources: [],
      scopes: [],
      realmRoles: [],
      clientRoles: {},
      groups: ['/acme', '/acme/east', '/globex'],
    };
    expect(realmProblems(spec, facts, 'web', () => 'pw').filter((problem) => problem.path.startsWith('setup'))).toEqual([
      {
        file: 'm.yaml',
        line: 13,
        path: 'setup.tenants.groups[1]',
        message: 'unknown group "/initech" in realm "shop" (groups: /acme, /acme/east, /globex)',
      },
    ]);
  });

  it("a caller's tenants: the tenant groups it is in (subgroups count), or its attribute's values", () => {
    const groups = { kind: 'groups', groups: ['/acme', '/globex'], source: undefined } as const;
    expect(tenantsOf(groups, { groups: ['/acme/east', '/staff'], attribute: [] })).toEqual(['/acme']);
    expect(tenantsOf(groups, { groups: ['/acmecorp'], attribute: [] })).toEqual([]);
    expect(tenantsOf({ kind: 'attribute', attribute: 'org' }, { groups: ['/acme'], attribute: ['acme', '', 'acme'] })).toEqual(['acme']);
    // A mapper's claim wins; without one, Keycloak's admin API is asked (undefined here).
    expect(claimValues('acme')).toEqual(['acme']);
    expect(claimValues(7)).toEqual(['7']);
    expect(claimValues(['acme', { x: 1 }, 'globex'])).toEqual(['acme', 'globex']);
    expect(claimValues(undefined)).toBeUndefined();
    expect(claimValues({ org: 'acme' })).toBeUndefined();
    expect(sameTenant(['/acme'], ['/globex', '/acme'])).toBe(true);
    expect(sameTenant([], [])).toBe(false);
  });

  it("expects a caller in the owner's tenant to get in, any other (and anonymous) to be refused", () => {
    const spec = parseMatrixSpec(tenantSpec('{groups: [/acme, /globex]}'));
    const tenantOf: Record<string, string[]> = { alice: ['/acme'], bob: ['/acme'], carol: ['/globex'], anonymous: [] };
    const tokens = {
      caller: (user: string) => ({ claims: {}, groups: [], tenants: tenantOf[user] ?? [], decision: () => false }),
    } as unknown as MatrixTokens;
    const endpoint = spec.endpoints[0]!;
    expect(expectedOnObject(endpoint, 'bob', 'alice', tokens)).toBe('allow');
    expect(expectedOnObject(endpoint, 'carol', 'alice', tokens)).toBe('deny');
    expect(expectedOnObject(endpoint, 'carol', 'carol', tokens)).toBe('allow');
    expect(expectedOnObject(endpoint, 'anonymous', 'alice', tokens)).toBe('deny');
    // The endpoint's requirement still comes first: Keycloak refuses, so the same tenant does not help.
    expect(expectedOnObject({ ...endpoint, requirement: { kind: 'realm-role', role: 'admin' } }, 'bob', 'alice', tokens)).toBe('deny');
  });
});

describe('samePrincipal', () => {
  const spec = {
    callers: {
      alice: { kind: 'user', username: 'alice', scopes: [] },
      'alice-ro': { kind: 'user', username: 'alice', scopes: ['items.read'] },
      job: { kind: 'service-account', clientId: 'nightly', secret: undefined, scopes: [] },
      'job+write': { kind: 'service-account', clientId: 'nightly', secret: undefined, scopes: ['w'] },
      nightly: { kind: 'user', username: 'nightly', scopes: [] },
    },
  } as const;
  const source = { kind: 'access' } as const;
  const noSub = { caller: () => ({ claims: {}, groups: [], tenants: [], decision: () => false }) };
  const subs: Record<string, string> = { alice: 's1', 'alice-ro': 's1', bob: 's2', carol: 's2' };
  const withSub = { caller: (user: string) => ({ claims: { sub: subs[user] }, groups: [], tenants: [], decision: () => false }) };

  it('is who Keycloak issued the token for, not the column name', () => {
    expect(samePrincipal(spec, noSub, source, 'alice', 'alice-ro')).toBe(true);
    expect(samePrincipal(spec, noSub, source, 'job', 'job+write')).toBe(true);
    // A user and a client that share a name are two principals.
    expect(samePrincipal(spec, noSub, source, 'job', 'nightly')).toBe(false);
    expect(samePrincipal(spec, noSub, source, 'alice', 'bob')).toBe(false);
    expect(samePrincipal(spec, noSub, source, 'anonymous', 'anonymous')).toBe(false);
    // The tokens' sub decides when both carry one.
    expect(samePrincipal(spec, withSub, source, 'bob', 'carol')).toBe(true);
    expect(samePrincipal(spec, withSub, source, 'alice', 'bob')).toBe(false);
  });

  it('makes another column of the owner the owner under owner: only', () => {
    const endpoint = {
      id: 'GET /items/${owner.id}',
      requirement: { kind: 'authenticated' },
      token: source,
      owner: { kind: 'owner-only' },
    } as unknown as MatrixEndpoint;
    const tokens = { ...noSub, decision: () => false, token: () => ({ bearer: '', decisionToken: '' }) } as unknown as MatrixTokens;
    expect(expectedOnObject(endpoint, 'alice-ro', 'alice', tokens, spec)).toBe('allow');
    expect(expectedOnObject(endpoint, 'bob', 'alice', tokens, spec)).toBe('deny');
  });
});
