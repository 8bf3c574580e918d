import { describe, expect, it } from 'vitest';
import type { MatrixTokens } from '../../harness/matrix/matrix-tokens.js';
import { captureValue, expectedOnObject, fillRequest, ownerReferences, valueAtPointer } from '../../harness/matrix/objects.js';
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
      '22 endpoints[3].owner: must be "only" (the owner alone), "any" (anyone meeting the requirement) or {or: REQUIREMENT} (the owner, or whoever also meets it)',
      '28 setup.steps[0].capture: capture name "bad-name" must be letters, digits and "_" (it is used as ${owner.NAME})',
      '28 setup.steps[0].capture.itemId: must be a JSON pointer (RFC 6901): "" for the whole answer, or "/" and a path such as /id or /items/0/id',
    ]);
    const shaped = text.replace('owner: everybody', 'owner: any').replace('itemId: id, "bad-name": /id', 'itemId: /id');
    expect(problemsOf(shaped)).toEqual([
      '8 endpoints[0]: uses ${owner.itemId} but has no "owner" rule: add owner: only, owner: any or owner: {or: REQUIREMENT}',
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
