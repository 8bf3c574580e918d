import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { KcboxError } from '../../harness/errors.js';
import { MatrixSpecError } from '../../harness/matrix/spec-error.js';
import { parseMatrixSpec } from '../../harness/matrix/spec-load.js';
import { coverageOf } from '../../harness/openapi/coverage.js';
import { inferRequirement, uriPatternRegex } from '../../harness/openapi/infer-requirement.js';
import { initMatrix } from '../../harness/openapi/init-matrix.js';
import { type LoadedOpenApi, loadOpenApi } from '../../harness/openapi/load-openapi.js';
import { matchOperation, requestTarget } from '../../harness/openapi/path-match.js';
import { loadPolicyEnforcer } from '../../harness/openapi/policy-enforcer.js';
import { chooseCallers, realmHints } from '../../harness/openapi/realm-hints.js';
import { sampleRequest } from '../../harness/openapi/samples.js';
import { useTempDir } from '../support/temp.js';

const FIXTURES = 'specs/fixtures/openapi';
const fixture = (name: string) => join(FIXTURES, name);
const operation = (api: LoadedOpenApi, key: string) => {
  const found = api.operations.find((candidate) => candidate.key === key);
  if (!found) throw new Error(`no ${key}`);
  return found;
};

const petsRealm = realmHints({
  realm: 'pets',
  roles: { realm: [{ name: 'vet' }, { name: 'default-roles-pets' }], client: { 'pets-api': [{ name: 'keeper' }, { name: 'admin' }] } },
  clients: [{ clientId: 'account' }, { clientId: 'pets-web', publicClient: true }, { clientId: 'pets-api', bearerOnly: true }],
  users: [
    { username: 'vera', realmRoles: ['vet', 'default-roles-pets'], credentials: [{ type: 'password', value: 'v' }] },
    { username: 'kim', clientRoles: { 'pets-api': ['keeper', 'admin'] }, credentials: [{ value: 'k' }] },
    { username: 'kai', clientRoles: { 'pets-api': ['keeper'] }, credentials: [{ value: 'k' }] },
    { username: 'hashed', clientRoles: { 'pets-api': ['admin'] }, credentials: [{ type: 'password', hashedSaltedValue: 'x' }] },
    { username: 'nobody', realmRoles: ['default-roles-pets'], credentials: [{ value: 'n' }] },
    { username: 'service-account-pets-api', serviceAccountClientId: 'pets-api' },
  ],
});

describe('loadOpenApi', () => {
  it('reads OpenAPI 3.0 JSON and 3.1 YAML, resolving local and external $refs', async () => {
    const pets = await loadOpenApi(fixture('petstore-3.0.json'));
    expect(pets.version).toBe('3.0.3');
    expect(pets.operations.map((o) => o.key)).toEqual([
      'GET /pets',
      'POST /pets',
      'GET /pets/{petId}',
      'DELETE /pets/{petId}',
      'GET /pets/mine',
      'GET /status',
    ]);
    expect(operation(pets, 'GET /pets').basePath).toBe('/v2');
    const shop = await loadOpenApi(fixture('shop-3.1.yaml'));
    // TRACE is left out: a matrix cannot send it.
    expect(shop.operations.map((o) => o.key)).toEqual(['GET /orders/{orderId}', 'POST /orders']);
    expect(operation(shop, 'GET /orders/{orderId}').basePath).toBe('/shop');
    expect(operation(shop, 'GET /orders/{orderId}').parameters.find((p) => p.in === 'path')?.schema).toEqual({
      type: ['string', 'null'],
      examples: ['o-17'],
    });
  });

  it.each([
    ['swagger-2.yaml', /swagger-2\.yaml: is Swagger "2\.0"; expected OpenAPI 3\.0 or 3\.1/],
    ['broken.yaml', /broken\.yaml:3:1: is not readable as YAML or JSON/],
    ['bad-ref.yaml', /bad-ref\.yaml: has a \$ref that cannot be resolved: .*#\/components\/responses\/Missing/],
    ['missing.yaml', /missing\.yaml: cannot read the OpenAPI document .*; expected an OpenAPI document \(YAML or JSON\)/],
    ['keycloak.json', /keycloak\.json: expected an OpenAPI 3\.0 or 3\.1 document with "openapi: 3\.x\.y" at the top; got openapi null/],
  ])('refuses %s, naming the file and what was expected', async (name, message) => {
    const error = await loadOpenApi(fixture(name)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(KcboxError);
    expect((error as KcboxError).code).toBe('ERR_KCBOX_OPENAPI');
    expect((error as Error).message).toMatch(message);
  });
});

describe('matching matrix entries to operations', () => {
  it('matches concrete paths, templates and placeholders under the base path; the most literal template wins', async () => {
    const pets = await loadOpenApi(fixture('petstore-3.0.json'));
    const match = (method: string, path: string, url = 'http://127.0.0.1:${PORT}') =>
      matchOperation(pets.operations, requestTarget(method, path, url))?.key;
    expect(match('GET', '/v2/pets/42')).toBe('GET /pets/{petId}');
    expect(match('GET', '/v2/pets/{id}')).toBe('GET /pets/{petId}');
    expect(match('GET', '/v2/pets/${PET}?full=1')).toBe('GET /pets/{petId}');
    expect(match('GET', '/v2/pets/mine')).toBe('GET /pets/mine');
    expect(match('GET', '/pets/mine', 'http://127.0.0.1:8080/v2/')).toBe('GET /pets/mine');
    expect(match('GET', '/pets/42')).toBeUndefined(); // without the servers' base path
    expect(match('PUT', '/v2/pets/42')).toBeUndefined();
    expect(match('GET', '/v2/pets/42/toys')).toBeUndefined();
    expect(matchOperation(pets.operations, requestTarget('GET', '/pets/42', 'http://x'), '/')?.key).toBe('GET /pets/{petId}');
  });
});

describe('coverageOf', () => {
  const spec = (text: string) => parseMatrixSpec(text, { file: join(process.cwd(), FIXTURES, 'matrix.yaml') });
  const head = `keycloak: {realmName: pets, client: pets-api}\nbackend: {url: 'http://127.0.0.1:8080'}\nusers: [anonymous]\n`;

  it('counts covered, skipped and uncovered operations, and entries the document lacks', async () => {
    const matrix = spec(`${head}openapi:
  file: petstore-3.0.json
  skip:
    - {operation: GET /status, reason: a probe}
    - {operation: deletePet, reason: covered by the admin suite}
endpoints:
  - {method: GET, path: /v2/pets, requires: authenticated}
  - {method: GET, path: /v2/pets/1, requires: authenticated}
  - {method: GET, path: /v2/pets/2, requires: authenticated, name: second}
  - {method: GET, path: /health, requires: public}
`);
    expect(matrix.openapi?.skip[0]?.source?.line).toBe(7);
    const coverage = coverageOf(await loadOpenApi(matrix.openapi!.file), matrix);
    expect(coverage).toMatchObject({
      file: join(FIXTURES, 'petstore-3.0.json'),
      operations: 6,
      covered: [
        { operation: 'GET /pets', endpoints: ['GET /v2/pets'] },
        { operation: 'GET /pets/{petId}', endpoints: ['GET /v2/pets/1', 'second'] },
      ],
      skipped: [
        { operation: 'DELETE /pets/{petId}', reason: 'covered by the admin suite' },
        { operation: 'GET /status', reason: 'a probe' },
      ],
      uncovered: ['POST /pets', 'GET /pets/mine'],
      undocumented: ['GET /health'],
    });
  });

  it('refuses a skip that names no operation, at its line', async () => {
    const matrix = spec(`${head}openapi:
  file: petstore-3.0.json
  skip: [{operation: 'GET /pets/{id}', reason: renamed since}]
endpoints: [{method: GET, path: /v2/pets, requires: authenticated}]
`);
    const pets = await loadOpenApi(matrix.openapi!.file);
    const error = (() => {
      try {
        return coverageOf(pets, matrix);
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(MatrixSpecError);
    expect((error as Error).message).toMatch(
      /matrix\.yaml:6: openapi\.skip\[0\]\.operation: "GET \/pets\/\{id\}" is no operation of .*petstore-3\.0\.json; expected "METHOD \/path\/\{template\}"/,
    );
  });

  it('rejects a malformed openapi: key with the schema', () => {
    expect(() =>
      spec(`${head}openapi: {file: a.yaml, skip: [{operation: GET /a}]}\nendpoints: [{method: GET, path: /a, scope: public}]\n`),
    ).toThrow(/openapi: must be a file name, or \{file: FILE/);
  });
});

describe('inferRequirement', () => {
  it('reads policy enforcer paths, role extensions, OAuth scopes and security: [] in that order', async () => {
    const loadedPets = await loadOpenApi(fixture('petstore-3.0.json'));
    const enforcer = await loadPolicyEnforcer(fixture('keycloak.json'));
    const infer = (key: string) => inferRequirement(operation(loadedPets, key), loadedPets.document, petsRealm, enforcer);
    expect(infer('GET /pets')).toEqual({
      requires: { oauthScope: 'pets.read' },
      note: expect.stringContaining('OAuth scopes from the security requirements of the document') as string,
    });
    expect(infer('POST /pets').requires).toEqual({
      anyOf: [{ allOf: [{ oauthScope: 'pets.write' }, { oauthScope: 'pets.read' }] }, { oauthScope: 'admin' }],
    });
    expect(infer('GET /pets/{petId}')).toEqual({
      requires: { anyOf: [{ role: 'vet' }, { role: 'pets-api/keeper' }] },
      note: 'x-required-roles: vet, pets-api/keeper (any of them)',
    });
    expect(infer('DELETE /pets/{petId}')).toEqual({
      requires: { anyOf: [{ permission: 'Pets#pets:delete' }, { permission: 'Pets#pets:admin' }] },
      note: 'policy enforcer path /v2/pets/*, method DELETE',
    });
    // Without the enforcer, x-roles names a client role of the resource server.
    expect(inferRequirement(operation(loadedPets, 'DELETE /pets/{petId}'), loadedPets.document, petsRealm, []).requires).toEqual({
      role: 'pets-api/admin',
    });
    expect(infer('GET /pets/mine').requires).toBe('authenticated');
    expect(infer('GET /status')).toEqual({ requires: 'public', note: 'security: [] on the operation' });
  });

  it("reads the realm's resources: uris and the scope named for the method", () => {
    const hints = realmHints(JSON.parse(readFileSync('realm/inventory-realm.json', 'utf8')) as { realm: string });
    const api = {
      method: 'PATCH',
      path: '/inventory/{id}',
      basePath: '/api',
      key: 'PATCH /inventory/{id}',
      operationId: undefined,
      parameters: [],
      security: undefined,
      operation: { responses: {} },
    };
    expect(inferRequirement(api, { openapi: '3.0.3', info: { title: 't', version: '1' }, paths: {} }, hints, [])).toEqual({
      requires: { permission: 'Inventory#inventory:edit' },
      note: 'guess: realm resource Inventory (uri /api/inventory/*); scope named for PATCH',
    });
  });

  it("reads Keycloak's uri patterns", () => {
    expect(uriPatternRegex('/api/*').test('/api')).toBe(true);
    expect(uriPatternRegex('/api/*').test('/api/a/b')).toBe(true);
    expect(uriPatternRegex('/api/*').test('/apix')).toBe(false);
    expect(uriPatternRegex('/api/{id}/x').test('/api/{itemId}/x')).toBe(true);
    expect(uriPatternRegex('/api/{id}/x').test('/api/a/b/x')).toBe(false);
  });
});

describe('loadPolicyEnforcer', () => {
  it('names the file and the shape it expected', async () => {
    await expect(loadPolicyEnforcer(fixture('shared.yaml'))).rejects.toThrow(/shared\.yaml:1:1: malformed JSON: /);
    await expect(loadPolicyEnforcer(fixture('petstore-3.0.json'))).rejects.toThrow(
      /^specs\/fixtures\/openapi\/petstore-3\.0\.json: expected "policy-enforcer": \{"paths": \[\{"path": "\/api\/\*", "methods": \[\.\.\.\]\}\]\} \(keycloak\.json\); got \{"\/pets"/,
    );
  });
});

describe('chooseCallers', () => {
  it('takes one user per distinct set of roles, most first, then one without roles, and names users without a known password', () => {
    const { chosen, withoutPassword } = chooseCallers(petsRealm);
    expect(chosen.map((user) => user.username)).toEqual(['kim', 'vera', 'kai', 'nobody']);
    expect(withoutPassword).toEqual(['hashed']);
  });
});

describe('sampleRequest', () => {
  it('fills path and required query parameters and samples bodies from schemas and examples', async () => {
    const pets = await loadOpenApi(fixture('petstore-3.0.json'));
    expect(sampleRequest(operation(pets, 'DELETE /pets/{petId}')).path).toBe('/v2/pets/1');
    expect(sampleRequest(operation(pets, 'GET /pets/{petId}')).path).toMatch(/^\/v2\/pets\/[0-9a-f-]{36}$/);
    expect(sampleRequest(operation(pets, 'POST /pets')).body).toEqual({ name: 'rex', tag: 'dog' });
    const shop = await loadOpenApi(fixture('shop-3.1.yaml'));
    expect(sampleRequest(operation(shop, 'GET /orders/{orderId}'))).toMatchObject({
      path: '/shop/orders/o-17?expand=lines',
      notes: ['{orderId} = o-17 from the example', '?expand=lines from the first enum value'],
    });
    expect(sampleRequest(operation(shop, 'POST /orders')).body).toEqual({ sku: 'A-1', count: 2 });
  });
});

describe('initMatrix', () => {
  const temp = useTempDir();

  it('writes a valid matrix with a comment on every guess, whose coverage is complete', async () => {
    const out = join(temp(), 'matrix.yaml');
    const matrix = await initMatrix({
      openapi: fixture('petstore-3.0.json'),
      policyEnforcer: fixture('keycloak.json'),
      out,
    });
    writeFileSync(out, matrix.text);
    const document = parseDocument(matrix.text);
    expect(document.errors).toEqual([]);
    expect(matrix.text).toContain('# Written by `kcbox init`');
    expect(matrix.text).toMatch(/realmName: my-realm # guess: /);
    expect(matrix.text).toMatch(/path: \/v2\/pets\/1 # guess: \{petId\} = 1 from a sample/);
    expect(matrix.text).toMatch(/requires: public # security: \[\] on the operation/);
    expect(matrix.guesses).toBeGreaterThan(5);
    const spec = parseMatrixSpec(matrix.text, { file: out });
    expect(spec.endpoints).toHaveLength(6);
    const coverage = coverageOf(await loadOpenApi(spec.openapi!.file), spec);
    expect(coverage.uncovered).toEqual([]);
    expect(coverage.covered).toHaveLength(6);
  });

  it('reads callers and requirements from the realm file for express-inventory', async () => {
    const out = join(temp(), 'matrix.yaml');
    const matrix = await initMatrix({ openapi: 'examples/express-inventory/openapi.yaml', realm: 'realm/inventory-realm.json', out });
    const spec = parseMatrixSpec(matrix.text, { file: out });
    expect(spec.users).toEqual(['alice', 'bob', 'carol', 'anonymous']);
    expect(spec.keycloak.client).toBe('inventory-api');
    expect(spec.endpoints.map((endpoint) => [endpoint.id, endpoint.requirement])).toEqual([
      ['GET /health', { kind: 'public' }],
      ['GET /api/inventory', { kind: 'scope', resource: 'Inventory', scope: 'inventory:view', permission: 'Inventory#inventory:view' }],
      ['POST /api/inventory', { kind: 'scope', resource: 'Inventory', scope: 'inventory:add', permission: 'Inventory#inventory:add' }],
      ['PUT /api/inventory/1', { kind: 'scope', resource: 'Inventory', scope: 'inventory:edit', permission: 'Inventory#inventory:edit' }],
      [
        'DELETE /api/inventory/1',
        { kind: 'scope', resource: 'Inventory', scope: 'inventory:delete', permission: 'Inventory#inventory:delete' },
      ],
      // The per-user items: no realm resource covers their paths, so the document's bearer security speaks.
      ['POST /api/items', { kind: 'authenticated' }],
      ['GET /api/items/1', { kind: 'authenticated' }],
      ['PUT /api/items/1', { kind: 'authenticated' }],
      ['DELETE /api/items/1', { kind: 'authenticated' }],
    ]);
    expect(spec.endpoints[2]?.body).toBe('{"name":"widget","quantity":3}');
  });
});
