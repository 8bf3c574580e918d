import { describe, expect, it } from 'vitest';
import { MatrixSpecError } from '../../harness/matrix/spec-error.js';
import { loadMatrixSpec, parseMatrixSpec, parseRequirement } from '../../harness/matrix/spec-load.js';
import { type RealmFacts, realmProblems } from '../../harness/matrix/spec-realm-check.js';

const minimal = `keycloak:
  realm: realm.json
  client: inventory-api
backend:
  url: http://127.0.0.1:8080
users: [alice, anonymous]
endpoints:
  - method: GET
    path: /api/inventory
    scope: Inventory#inventory:view
`;

function problemsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(MatrixSpecError);
    return (error as MatrixSpecError).problems.map((problem) => `${problem.line ?? '-'} ${problem.path}: ${problem.message}`);
  }
  throw new Error('expected a MatrixSpecError');
}

describe('matrix spec loading', () => {
  it('applies defaults: access tokens, lenient statuses, 10 s timeout, realm path relative to the file', () => {
    const spec = parseMatrixSpec(minimal, { file: '/specs/m.yaml' });
    expect(spec.keycloak).toMatchObject({ realmFile: '/specs/realm.json', realm: undefined, client: 'inventory-api' });
    expect(spec.backend).toMatchObject({
      url: 'http://127.0.0.1:8080',
      command: undefined,
      cwd: '/specs',
      readyPath: '/',
      readyTimeoutMs: 30_000,
    });
    expect(spec.requestTimeoutMs).toBe(10_000);
    expect(spec.endpoints[0]).toMatchObject({
      id: 'GET /api/inventory',
      token: { kind: 'access' },
      deny: { anonymous: [401, 403], authenticated: [401, 403] },
      requirement: { kind: 'scope', resource: 'Inventory', scope: 'inventory:view', permission: 'Inventory#inventory:view' },
      source: { file: '/specs/m.yaml', line: 8 },
    });
    expect(spec.userSources.anonymous).toEqual({ file: '/specs/m.yaml', line: 6 });
  });

  it('applies the strict convention, per-endpoint overrides, token kinds and JSON bodies', () => {
    const spec = parseMatrixSpec(
      `${minimal.replace('users:', 'status: strict\ntoken: rpt\nusers:')}    deny: {anonymous: 403}
  - name: create
    method: POST
    path: /api/inventory
    scope: inventory:add
    token: {client: inventory-web}
    body: {name: widget}
    expect: {alice: allow}
`,
      { file: 'm.yaml' },
    );
    const [list, create] = spec.endpoints;
    expect(list).toMatchObject({ token: { kind: 'rpt' }, deny: { anonymous: [403], authenticated: [403] } });
    expect(create).toMatchObject({
      id: 'create',
      token: { kind: 'client', clientId: 'inventory-web' },
      deny: { anonymous: [401], authenticated: [403] },
      body: '{"name":"widget"}',
      headers: { 'content-type': 'application/json' },
      requirement: { kind: 'scope', resource: undefined, permission: '#inventory:add' },
      expect: { alice: 'allow' },
    });
  });

  it('reads JSON as well as YAML', () => {
    const spec = parseMatrixSpec(
      JSON.stringify({
        keycloak: { realmName: 'inventory', client: 'api' },
        backend: { url: 'http://localhost:1' },
        users: ['bob'],
        endpoints: [{ method: 'GET', path: '/health', scope: 'public' }],
      }),
    );
    expect(spec.keycloak.realm).toBe('inventory');
    expect(spec.endpoints[0]?.requirement).toEqual({ kind: 'public' });
  });

  it('refuses a 2xx deny status, which cannot tell a refusal from access, by line', () => {
    const problems = problemsOf(() =>
      parseMatrixSpec(
        `keycloak: {realmName: r, client: api}
backend: {url: 'http://localhost:1'}
users: [bob]
endpoints:
  - {method: GET, path: /a, scope: view, deny: {authenticated: 200}}
`,
        { file: 'm.yaml' },
      ),
    );
    expect(problems).toEqual([
      '5 endpoints[0].deny.authenticated: must be a deny status from 300 to 499 (a 2xx cannot tell a refusal from access, a 5xx is a failure), or a list of them',
    ]);
  });

  it('lists every shape problem with its line and what was expected', () => {
    const problems = problemsOf(() =>
      parseMatrixSpec(
        `keycloak:
  realm: r.json
  realmName: r
  client: api
  extra: 1
backend:
  cwd: .
token: {clint: web}
users: [alice, bob, alice]
endpoints:
  - method: get
    path: api
    scope: public
    deny: {anonymous: [700]}
  - method: GET
    path: /x
`,
        { file: 'm.yaml' },
      ),
    );
    expect(problems).toEqual([
      '1 keycloak: name either "realm" (a realm file) or "realmName" (a realm on the server), not both',
      '5 keycloak.extra: unknown field "extra" (expected one of: realm, realmName, client, loginClient, loginFlow, passwords, users, tls)',
      '6 backend: needs "url" (a running backend), "command" (kcbox starts it) or "image" (kcbox runs it in a container), not both "command" and "image"',
      '8 token: must be "access", "rpt", or {client?: CLIENT_ID, secret?: SECRET, scope?: SCOPES} (secret only with client)',
      '9 users: lists an entry twice (items 0 and 2)',
      '11 endpoints[0].method: must be one of "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"; got "get"',
      '12 endpoints[0].path: must start with "/"',
      '14 endpoints[0].deny.anonymous: must be a deny status from 300 to 499 (a 2xx cannot tell a refusal from access, a 5xx is a failure), or a list of them',
      '15 endpoints[1]: needs exactly one of "scope" (public, scope or Resource#scope) and "requires" (public, authenticated, {permission}, {role}, {realmRole}, {oauthScope}, {group}, {anyOf}, {allOf})',
    ]);
  });

  it('refuses duplicate endpoints, expectations for unlisted users and ${PORT} without a command', () => {
    const problems = problemsOf(() =>
      parseMatrixSpec(
        `${minimal.replace('http://127.0.0.1:8080', 'http://127.0.0.1:${PORT}')}    expect: {carol: deny}
  - method: GET
    path: /api/inventory
    scope: "Inventory#"
`,
        { file: 'm.yaml' },
      ),
    );
    expect(problems).toEqual([
      '5 backend.url: uses ${PORT} but kcbox starts no backend: add "command" or "image", or give a fixed port',
      '11 endpoints[0].expect.carol: expectation for "carol", who is not in "users" (alice, anonymous)',
      '12 endpoints[1]: endpoint "GET /api/inventory" is listed twice (also endpoints[0]); give one a "name"',
      '14 endpoints[1].scope: "Inventory#" names no scope after "#"',
    ]);
  });

  it('reads a backend image with its port, command and env, ${PORT} included', () => {
    const spec = parseMatrixSpec(
      minimal.replace(
        '  url: http://127.0.0.1:8080\n',
        '  url: http://127.0.0.1:${PORT}\n  env: {A: 1}\n  image:\n    name: example/api:local\n    port: 3000\n    command: [node, server.mjs]\n    env: {FAULT: skip-typ-check}\n',
      ),
      { file: '/specs/m.yaml' },
    );
    expect(spec.backend).toMatchObject({
      url: 'http://127.0.0.1:${PORT}',
      command: undefined,
      env: { A: '1' },
      image: { name: 'example/api:local', port: 3000, command: ['node', 'server.mjs'], env: { FAULT: 'skip-typ-check' } },
    });
    expect(parseMatrixSpec(minimal, { file: '/specs/m.yaml' }).backend.image).toBeUndefined();
  });

  it('refuses a backend with both a command and an image, and an image without a port', () => {
    const both = problemsOf(() =>
      parseMatrixSpec(minimal.replace('  url: http://127.0.0.1:8080\n', '  command: node s.mjs\n  image: {name: a/b, port: 3000}\n'), {
        file: 'm.yaml',
      }),
    );
    expect(both).toEqual([
      '4 backend: needs "url" (a running backend), "command" (kcbox starts it) or "image" (kcbox runs it in a container), not both "command" and "image"',
    ]);
    const noPort = problemsOf(() =>
      parseMatrixSpec(minimal.replace('  url: http://127.0.0.1:8080\n', '  image: {name: a/b}\n'), { file: 'm.yaml' }),
    );
    expect(noPort).toEqual(['5 backend.image: missing required field "port"']);
  });

  it('refuses a backend image with Keycloak over https: the relay it goes through is not in the certificate', () => {
    const tlsImage = problemsOf(() =>
      parseMatrixSpec(
        minimal
          .replace('  client: inventory-api\n', '  client: inventory-api\n  tls: true\n')
          .replace('  url: http://127.0.0.1:8080\n', '  url: http://127.0.0.1:${PORT}\n  image: {name: a/b, port: 3000}\n'),
        { file: 'm.yaml' },
      ),
    );
    expect(tlsImage).toHaveLength(1);
    expect(tlsImage[0]).toMatch(/^7 backend\.image: a backend in a container cannot use Keycloak over https \(keycloak\.tls\)/);
  });

  it('reports malformed YAML with its line, and a missing file by name', async () => {
    expect(problemsOf(() => parseMatrixSpec('users: [alice\nendpoints: 1', { file: 'm.yaml' }))[0]).toMatch(
      /^\d+ : malformed YAML\/JSON: /,
    );
    await expect(loadMatrixSpec('no/such/matrix.yaml')).rejects.toMatchObject({
      code: 'ERR_KCBOX_MATRIX_SPEC',
      message: expect.stringContaining('no/such/matrix.yaml: cannot read the matrix file'),
    });
  });

  it('parses requirements', () => {
    expect(parseRequirement('public')).toEqual({ kind: 'public' });
    expect(parseRequirement('inventory:view')).toEqual({
      kind: 'scope',
      resource: undefined,
      scope: 'inventory:view',
      permission: '#inventory:view',
    });
    expect(parseRequirement('Inventory#inventory:view')).toMatchObject({ resource: 'Inventory', permission: 'Inventory#inventory:view' });
  });
});

describe('matrix spec against the realm', () => {
  const facts: RealmFacts = {
    realm: 'inventory',
    users: [
      { username: 'alice', enabled: true },
      { username: 'dave', enabled: false },
    ],
    clients: [
      { clientId: 'inventory-web', directAccessGrantsEnabled: true },
      { clientId: 'account', directAccessGrantsEnabled: false, redirectUris: ['/realms/inventory/account/*'], rootUrl: '${authBaseUrl}' },
    ],
    resources: [{ name: 'Inventory', scopes: ['inventory:view'] }],
    scopes: ['inventory:view'],
    realmRoles: ['offline_access', 'staff'],
    clientRoles: { 'inventory-api': ['inventory-admin', 'inventory-user'] },
  };

  it('names unknown realm roles, client roles and their clients inside any-of and all-of, by line', () => {
    const spec = parseMatrixSpec(
      `keycloak: {realm: r.json, client: inventory-api}
backend: {url: 'http://localhost:1'}
users: [alice]
endpoints:
  - {method: GET, path: /a, requires: {anyOf: [{role: inventory-api/inventory-admin}, {role: boss}]}}
  - {method: GET, path: /b, requires: {allOf: [{role: inventory-api/nope}, {role: billing/x}, {oauthScope: s}]}}
`,
      { file: 'm.yaml' },
    );
    expect(realmProblems(spec, facts, 'inventory-web', () => 'pw').map((p) => `${p.line} ${p.path}: ${p.message}`)).toEqual([
      '5 endpoints[0].requires: unknown realm role "boss" in realm "inventory" (roles: offline_access, staff)',
      '6 endpoints[1].requires: client "inventory-api" has no role "nope" (its roles: inventory-admin, inventory-user)',
      '6 endpoints[1].requires: unknown client "billing" in realm "inventory"',
    ]);
  });

  it('names unknown and disabled users, unusable clients, unknown resources and scopes, by line', () => {
    const spec = parseMatrixSpec(
      `keycloak: {realm: r.json, client: inventory-api}
backend: {url: "http://127.0.0.1:1"}
users: [alice, zoe, dave, anonymous]
endpoints:
  - {method: GET, path: /a, scope: "Inventory#inventory:view"}
  - {method: GET, path: /b, scope: "Inventory#inventory:add"}
  - {method: GET, path: /c, scope: "Stock#inventory:view"}
  - {method: GET, path: /d, scope: "inventory:nope", token: {client: account}}
`,
      { file: 'm.yaml' },
    );
    expect(realmProblems(spec, facts, 'inventory-web', () => 'pw').map((p) => `${p.line} ${p.path}: ${p.message}`)).toEqual([
      '3 users[1]: unknown user "zoe" in realm "inventory" (users: alice, dave; "anonymous" sends no token; declare new ones under keycloak.users)',
      '3 users[2]: user "dave" is disabled in realm "inventory": Keycloak issues it no token; remove it from "users"',
      '6 endpoints[1].scope: resource "Inventory" has no scope "inventory:add" (its scopes: inventory:view)',
      '7 endpoints[2].scope: unknown resource "Stock" on resource server "inventory-api" (resources: Inventory)',
      '8 endpoints[3].token: client "account" registers no redirect URI kcbox can use for the authorization-code flow: add one to its "redirectUris" (nothing needs to listen there), or give one (--redirect-uri), so kcbox cannot log users in with it',
      '8 endpoints[3].scope: unknown scope "inventory:nope" on resource server "inventory-api" (scopes: inventory:view)',
    ]);
    expect(realmProblems(spec, facts, 'nope', () => 'pw')[2]).toMatchObject({
      path: 'keycloak (default login client)',
      message: 'unknown client "nope" in realm "inventory"',
    });
    // Every user without a known password is listed with its line, together with the other problems.
    expect(realmProblems(spec, facts, 'inventory-web', () => undefined).map((p) => `${p.line} ${p.path}: ${p.message}`)).toContain(
      '3 users[0]: no password for user "alice": neither keycloak.passwords nor a realm file gives one in clear; add it under keycloak.passwords',
    );
  });
});

describe('callers and fixture users in a matrix spec', () => {
  const callers = `keycloak:
  realm: realm.json
  client: reports-api
  users:
    dana:
      realmRoles: [staff]
      clientRoles: {reports-api: [reports-read]}
      groups: [/finance]
      attributes: {tenant: a, regions: [eu, us]}
    eve:
backend: {url: 'http://127.0.0.1:1'}
token: {scope: reports.read}
users:
  - dana
  - {name: dana+write, user: dana, scope: reports.write openid}
  - {serviceAccount: nightly-job, secret: '\${JOB_SECRET:fallback}', scope: [reports.read, reports.write]}
  - anonymous
endpoints:
  - {method: GET, path: /a, requires: authenticated}
  - {method: GET, path: /b, requires: authenticated, token: {client: reports-web, scope: [a, b, a]}}
  - {method: GET, path: /c, requires: authenticated, token: access}
`;

  it('reads users, scoped users, service accounts and anonymous as grid columns, in order', () => {
    const spec = parseMatrixSpec(callers, { file: 'm.yaml', env: { JOB_SECRET: 'from-env' } });
    expect(spec.users).toEqual(['dana', 'dana+write', 'nightly-job', 'anonymous']);
    expect(spec.callers).toEqual({
      dana: { kind: 'user', username: 'dana', scopes: [] },
      'dana+write': { kind: 'user', username: 'dana', scopes: ['reports.write', 'openid'] },
      'nightly-job': { kind: 'service-account', clientId: 'nightly-job', secret: 'from-env', scopes: ['reports.read', 'reports.write'] },
      anonymous: { kind: 'anonymous' },
    });
    expect(spec.userSources['nightly-job']).toEqual({ file: 'm.yaml', line: 16 });
    expect(parseMatrixSpec(callers, { env: {} }).callers['nightly-job']).toMatchObject({ secret: 'fallback' });
    // The top-level token asks for its scopes on every endpoint; an endpoint's own token replaces it.
    expect(spec.endpoints.map((endpoint) => endpoint.token)).toEqual([
      { kind: 'access', scopes: ['reports.read'] },
      { kind: 'client', clientId: 'reports-web', clientSecret: undefined, scopes: ['a', 'b'] },
      { kind: 'access' },
    ]);
  });

  it('reads fixture users with their defaults and the lines of what they name', () => {
    const spec = parseMatrixSpec(callers, { file: 'm.yaml', env: {} });
    expect(spec.keycloak.fixtureUsers).toEqual([
      {
        username: 'dana',
        password: undefined,
        enabled: true,
        email: undefined,
        firstName: undefined,
        lastName: undefined,
        realmRoles: ['staff'],
        clientRoles: { 'reports-api': ['reports-read'] },
        groups: ['/finance'],
        attributes: { tenant: ['a'], regions: ['eu', 'us'] },
        source: { file: 'm.yaml', line: 5 },
        fieldSources: {
          realmRoles: { file: 'm.yaml', line: 6 },
          clientRoles: { file: 'm.yaml', line: 7 },
          groups: { file: 'm.yaml', line: 8 },
        },
      },
      expect.objectContaining({ username: 'eve', enabled: true, realmRoles: [], groups: [], source: { file: 'm.yaml', line: 10 } }),
    ]);
  });

  it('the grid of a matrix that lists only usernames is what it always was', () => {
    const spec = parseMatrixSpec(minimal, { file: 'm.yaml' });
    expect(spec.callers).toEqual({ alice: { kind: 'user', username: 'alice', scopes: [] }, anonymous: { kind: 'anonymous' } });
    expect(spec.keycloak.fixtureUsers).toEqual([]);
  });

  it('lists bad callers, bad scopes and fixture users in a realm kcbox did not create, by line', () => {
    const problems = problemsOf(() =>
      parseMatrixSpec(
        `keycloak:
  realmName: reports
  client: reports-api
  users:
    dana: {groups: [finance], nickname: d}
backend: {url: 'http://127.0.0.1:1'}
users:
  - {user: eve, secret: s}
  - {serviceAccount: job, scope: ''}
  - {user: dana, serviceAccount: job}
endpoints:
  - {method: GET, path: /a, requires: authenticated, token: {secret: s}}
  - {method: GET, path: /b, requires: authenticated, token: {scope: [a b]}}
`,
        { file: 'm.yaml' },
      ),
    );
    const callerShape =
      'must be a username, anonymous, {user: USERNAME, scope?: SCOPES, name?: COLUMN} or {serviceAccount: CLIENT_ID, secret?: SECRET, scope?: SCOPES, name?: COLUMN}';
    const tokenShape = 'must be "access", "rpt", or {client?: CLIENT_ID, secret?: SECRET, scope?: SCOPES} (secret only with client)';
    expect(problems).toEqual([
      '5 keycloak.users.dana.nickname: unknown field "nickname" (expected one of: password, enabled, email, firstName, lastName, realmRoles, clientRoles, groups, attributes)',
      '5 keycloak.users.dana.groups[0]: must start with "/"',
      `8 users[0]: ${callerShape}`,
      '9 users[1].scope: must be OAuth scopes: "a b" or [a, b]',
      `10 users[2]: ${callerShape}`,
      `12 endpoints[0].token: ${tokenShape}`,
      '13 endpoints[1].token.scope: must be OAuth scopes: "a b" or [a, b]',
    ]);
  });

  it('refuses fixture users with realmName, columns named twice and callers named anonymous', () => {
    const problems = problemsOf(() =>
      parseMatrixSpec(
        `keycloak:
  realmName: reports
  client: reports-api
  users:
    anonymous: {}
backend: {url: 'http://127.0.0.1:1'}
users:
  - eve
  - {user: eve, scope: reports.write}
  - {name: anonymous, serviceAccount: job}
endpoints:
  - {method: GET, path: /a, requires: authenticated}
`,
        { file: 'm.yaml' },
      ),
    );
    expect(problems).toEqual([
      '4 keycloak.users: kcbox creates users only in the isolated copy of a realm file it imports, never in realm "reports" that it did not create: name the realm file with "realm" instead of "realmName", or create the users in that realm yourself and give their passwords under keycloak.passwords',
      '5 keycloak.users.anonymous: "anonymous" is the column that sends no token; give the user another name',
      '9 users[1]: column "eve" is listed twice (also users[0]); give one a "name"',
      '10 users[2].name: "anonymous" is the column that sends no token; name this caller otherwise',
    ]);
  });
});

describe('callers and fixture users against the realm', () => {
  const facts: RealmFacts = {
    realm: 'reports',
    users: [{ username: 'carl', enabled: true }],
    clients: [
      { clientId: 'reports-web', directAccessGrantsEnabled: true, serviceAccountsEnabled: false },
      { clientId: 'nightly-job', directAccessGrantsEnabled: false, serviceAccountsEnabled: true },
    ],
    resources: [],
    scopes: [],
    realmRoles: ['staff'],
    clientRoles: { 'reports-api': ['reports-read'] },
    groups: ['/finance', '/finance/payroll'],
  };

  it('checks service accounts, and what fixture users name, at their lines', () => {
    const spec = parseMatrixSpec(
      `keycloak:
  realm: r.json
  client: reports-api
  users:
    dana:
      realmRoles: [staff, boss]
      clientRoles: {reports-api: [reports-read, reports-admin], billing: [x]}
      groups: [/finance/payroll, /sales]
    carl: {}
    olga: {enabled: false}
backend: {url: 'http://127.0.0.1:1'}
users:
  - dana
  - olga
  - {serviceAccount: nightly-job}
  - {serviceAccount: reports-web}
  - {serviceAccount: ghost}
endpoints:
  - {method: GET, path: /a, requires: authenticated}
`,
      { file: 'm.yaml' },
    );
    expect(realmProblems(spec, facts, 'reports-web', () => 'pw').map((p) => `${p.line} ${p.path}: ${p.message}`)).toEqual([
      '14 users[1]: user "olga" is disabled in realm "reports": Keycloak issues it no token; remove it from "users"',
      '16 users[3]: client "reports-web" has no service account: make it a confidential client with "serviceAccountsEnabled": true',
      '17 users[4]: unknown client "ghost" in realm "reports": a service account is a client\'s',
      '6 keycloak.users.dana.realmRoles: unknown realm role "boss" (roles: staff)',
      '7 keycloak.users.dana.clientRoles: client "reports-api" has no role "reports-admin" (its roles: reports-read)',
      '7 keycloak.users.dana.clientRoles: unknown client "billing" in realm "reports"',
      '8 keycloak.users.dana.groups: unknown group "/sales" in realm "reports" (groups: /finance, /finance/payroll)',
      '9 keycloak.users.carl: user "carl" already exists in realm "reports" (from the realm file): remove it from keycloak.users or from the realm file',
    ]);
  });

  it('needs no login client when every caller is a service account', () => {
    const spec = parseMatrixSpec(
      `keycloak: {realm: r.json, client: reports-api}
backend: {url: 'http://127.0.0.1:1'}
users: [{serviceAccount: nightly-job}, anonymous]
endpoints:
  - {method: GET, path: /a, requires: authenticated}
  - {method: GET, path: /b, requires: authenticated, token: {client: nightly-job}}
`,
      { file: 'm.yaml' },
    );
    expect(realmProblems(spec, facts, 'reports-api', () => undefined)).toEqual([]);
  });
});
