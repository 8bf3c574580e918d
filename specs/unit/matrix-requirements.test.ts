import { describe, expect, it } from 'vitest';
import { describeRequirement, meets, permissionsOf, type CallerFacts } from '../../harness/matrix/requirements.js';
import { parseMatrixSpec } from '../../harness/matrix/spec-load.js';
import type { Requirement } from '../../harness/matrix/types.js';

function requirementsOf(requires: unknown[]): Requirement[] {
  return parseMatrixSpec({
    keycloak: { realmName: 'r', client: 'api' },
    backend: { url: 'http://localhost:1' },
    users: ['alice'],
    endpoints: requires.map((value, index) => ({ method: 'GET', path: `/e${index}`, requires: value })),
  }).endpoints.map((endpoint) => endpoint.requirement);
}

/** A caller as Keycloak's token for alice would describe her. */
const alice: CallerFacts = {
  claims: {
    realm_access: { roles: ['staff', 'offline_access'] },
    resource_access: { api: { roles: ['reader'] } },
    scope: 'openid profile inventory.read',
  },
  groups: ['/eng/backend'],
  tenants: [],
  decision: (permission) => permission === 'Inventory#view',
};

describe('requirement kinds', () => {
  it('reads naturally in YAML: words, one-key objects, any-of and all-of', () => {
    expect(
      requirementsOf([
        'authenticated',
        { role: 'api/reader' },
        { role: 'staff' },
        { realmRole: 'a/b' },
        { oauthScope: 'inventory.read' },
        { group: '/eng' },
        { permission: 'Inventory#view' },
        { anyOf: [{ role: 'api/writer' }, { allOf: [{ role: 'staff' }, { oauthScope: 'inventory.read' }] }] },
      ]),
    ).toEqual([
      { kind: 'authenticated' },
      { kind: 'client-role', client: 'api', role: 'reader' },
      { kind: 'realm-role', role: 'staff' },
      { kind: 'realm-role', role: 'a/b' },
      { kind: 'oauth-scope', scope: 'inventory.read' },
      { kind: 'group', path: '/eng' },
      { kind: 'scope', resource: 'Inventory', scope: 'view', permission: 'Inventory#view' },
      {
        kind: 'any-of',
        of: [
          { kind: 'client-role', client: 'api', role: 'writer' },
          {
            kind: 'all-of',
            of: [
              { kind: 'realm-role', role: 'staff' },
              { kind: 'oauth-scope', scope: 'inventory.read' },
            ],
          },
        ],
      },
    ]);
  });

  it('is judged on what Keycloak issued the caller', () => {
    const [authenticated, clientRole, realmRole, , oauthScope, group, permission, combined] = requirementsOf([
      'authenticated',
      { role: 'api/reader' },
      { role: 'staff' },
      { realmRole: 'a/b' },
      { oauthScope: 'inventory.read' },
      { group: '/eng' },
      { permission: 'Inventory#view' },
      { anyOf: [{ role: 'api/writer' }, { allOf: [{ role: 'staff' }, { oauthScope: 'inventory.read' }] }] },
    ]) as Requirement[];
    for (const requirement of [authenticated, clientRole, realmRole, oauthScope, group, permission, combined]) {
      expect(meets(requirement!, alice), describeRequirement(requirement!)).toBe(true);
    }
    const denied = requirementsOf([
      { role: 'api/writer' },
      { role: 'admin' },
      { oauthScope: 'inventory.write' },
      { group: '/en' },
      { permission: 'Inventory#delete' },
      { allOf: [{ role: 'staff' }, { role: 'api/writer' }] },
    ]);
    for (const requirement of denied) expect(meets(requirement, alice), describeRequirement(requirement)).toBe(false);
  });

  it('asks Keycloak only the UMA permissions, and names every kind for reports', () => {
    const [combined] = requirementsOf([{ anyOf: [{ permission: 'A#x' }, { role: 'r' }, { allOf: [{ permission: 'y' }] }] }]);
    expect(permissionsOf(combined!)).toEqual(['A#x', '#y']);
    expect(describeRequirement(combined!)).toBe('any of (A#x; realm role r; all of (y))');
  });

  it('refuses an endpoint with both scope and requires, or neither, by line', () => {
    expect(() =>
      parseMatrixSpec(
        "keycloak: {realmName: r, client: api}\nbackend: {url: 'http://localhost:1'}\nusers: [a]\nendpoints:\n  - {method: GET, path: /a, scope: public, requires: authenticated}\n",
        { file: 'm.yaml' },
      ),
    ).toThrow(/m\.yaml:5: endpoints\[0\]: needs exactly one of "scope"/);
    expect(() =>
      parseMatrixSpec(
        "keycloak: {realmName: r, client: api}\nbackend: {url: 'http://localhost:1'}\nusers: [a]\nendpoints:\n  - {method: GET, path: /a, requires: {role: x, group: /y}}\n",
        { file: 'm.yaml' },
      ),
    ).toThrow(/m\.yaml:5: endpoints\[0\]\.requires: must be public, authenticated, or one of/);
  });

  it("takes a top-level deny: as every endpoint's default, an endpoint's own winning", () => {
    const spec = parseMatrixSpec({
      keycloak: { realmName: 'r', client: 'api' },
      backend: { url: 'http://localhost:1' },
      users: ['a'],
      status: 'strict',
      deny: { anonymous: 403 },
      endpoints: [
        { method: 'GET', path: '/a', requires: 'authenticated' },
        { method: 'GET', path: '/b', requires: 'authenticated', deny: { anonymous: 404 } },
      ],
    });
    expect(spec.endpoints.map((endpoint) => endpoint.deny)).toEqual([
      { anonymous: [403], authenticated: [403] },
      { anonymous: [404], authenticated: [403] },
    ]);
  });
});

describe('variables in matrix files', () => {
  const yaml = `keycloak:
  realmName: \${REALM:inventory}
  client: \${CLIENT}
backend: {url: 'http://127.0.0.1:\${PORT}', command: node s.mjs}
users: [alice]
endpoints:
  - {method: GET, path: '/tenants/\${KEYCLOAK_REALM}/items', requires: authenticated, headers: {x-tenant: '\${TENANT}'}}
`;

  it("fills environment variables and defaults at load, and leaves kcbox's run-time names for the check", () => {
    const spec = parseMatrixSpec(yaml, { file: 'm.yaml', env: { CLIENT: 'api', TENANT: 't1' } });
    expect(spec.keycloak).toMatchObject({ realm: 'inventory', client: 'api' });
    expect(spec.backend.url).toBe('http://127.0.0.1:${PORT}');
    expect(spec.endpoints[0]).toMatchObject({ path: '/tenants/${KEYCLOAK_REALM}/items', headers: { 'x-tenant': 't1' } });
  });

  it('names every unset variable without a default at its line', () => {
    expect(() => parseMatrixSpec(yaml, { file: 'm.yaml', env: {} })).toThrow(
      /m\.yaml:3: keycloak\.client: \$\{CLIENT\} is not set and has no default[\s\S]*m\.yaml:7: endpoints\[0\]\.headers\.x-tenant: \$\{TENANT\} is not set/,
    );
  });
});

describe('variables kcbox owns', () => {
  it('refuses them where kcbox does not fill them in, and the backend-only secrets anywhere', () => {
    const yaml = `keycloak: {realmName: r, client: api}
backend:
  url: 'http://127.0.0.1:1'
  env: {ISSUER: '\${KEYCLOAK_ISSUER}'}
users: [alice]
endpoints:
  - {method: GET, path: /a, requires: authenticated, headers: {x-secret: '\${KEYCLOAK_CLIENT_SECRET}'}}
`;
    expect(() => parseMatrixSpec(yaml, { file: 'm.yaml', env: { KEYCLOAK_CLIENT_SECRET: 'from-ci' } })).toThrow(
      /m\.yaml:4: backend\.env\.ISSUER: \$\{KEYCLOAK_ISSUER\} is filled in by kcbox only in endpoint paths[\s\S]*m\.yaml:7: endpoints\[0\]\.headers\.x-secret: \$\{KEYCLOAK_CLIENT_SECRET\} is given only to the backend's environment/,
    );
  });
});
