import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkMatrix } from '../../harness/check/check-matrix.js';
import { parseMatrixSpec } from '../../harness/matrix/spec-load.js';
import { kcboxServer } from '../../harness/vitest/index.js';
import { useTempDir } from '../support/temp.js';

const tempDir = useTempDir();

/**
 * The bundled realm without Authorization Services, and with groups: most Keycloak-protected
 * backends check roles, scopes or groups, in realms that have no resource server at all.
 */
function realmWithoutAuthorization(): string {
  const realm = JSON.parse(readFileSync('realm/inventory-realm.json', 'utf8')) as {
    clients: Array<Record<string, unknown>>;
    users: Array<Record<string, unknown>>;
  } & Record<string, unknown>;
  for (const client of realm.clients) {
    delete client.authorizationServicesEnabled;
    delete client.authorizationSettings;
  }
  realm.groups = [{ name: 'staff', subGroups: [{ name: 'backend' }] }];
  for (const user of realm.users) {
    if (user.username === 'alice') user.groups = ['/staff'];
    if (user.username === 'bob') user.groups = ['/staff/backend'];
    // The resource server's service account only exists with a service account, which stays.
  }
  const file = join(tempDir(), 'roles-realm.json');
  writeFileSync(file, JSON.stringify(realm));
  return file;
}

describe('requirement kinds against a real backend, in a realm without Authorization Services', () => {
  it('roles, any-of, groups (subgroups count) and OAuth scopes come from the tokens Keycloak issued', async () => {
    const spec = parseMatrixSpec(
      {
        keycloak: { realm: realmWithoutAuthorization(), client: 'inventory-api' },
        backend: {
          command: 'node server.mjs',
          cwd: resolve('specs/fixtures/deny-styles'),
          url: 'http://127.0.0.1:${PORT}',
          ready: '/health',
        },
        users: ['alice', 'bob', 'carol', 'anonymous'],
        endpoints: [
          { method: 'GET', path: '/health', requires: 'public' },
          // kcbox's run-time values: the isolated copy's generated realm name, filled in by the check.
          { name: 'realm health', method: 'GET', path: '/realms/${KEYCLOAK_REALM}/health', requires: 'public' },
          {
            method: 'GET',
            path: '/hidden/items',
            requires: { role: 'inventory-api/inventory-admin' },
            deny: { anonymous: 404, authenticated: 404 },
          },
          {
            name: 'web by role',
            method: 'GET',
            path: '/web/items',
            requires: { anyOf: [{ role: 'inventory-api/inventory-admin' }, { role: 'inventory-api/inventory-user' }] },
            deny: { anonymous: 302, authenticated: 302 },
          },
          {
            name: 'web by group and scope',
            method: 'GET',
            path: '/web/items',
            requires: { allOf: [{ group: '/staff' }, { oauthScope: 'profile' }] },
            deny: { anonymous: 302, authenticated: 302 },
            expect: { alice: 'allow', bob: 'allow', carol: 'deny' },
          },
        ],
      },
      { file: join(tempDir(), 'roles.yaml') },
    );
    const provided = kcboxServer();
    const result = await checkMatrix({ spec, server: provided, hostile: { cases: ['none', 'typ-id', 'aud-other-client'] } });
    expect(result.cells.filter((cell) => !cell.pass).map((cell) => `${cell.endpoint} × ${cell.user}: ${cell.reason}`)).toEqual([]);
    expect(result.realmFindings).toEqual([]);
    expect(result.incomplete).toEqual([]);
    const expected = Object.fromEntries(result.cells.map((cell) => [`${cell.endpoint} × ${cell.user}`, cell.expected]));
    expect(expected).toMatchObject({
      'GET /hidden/items × alice': 'allow',
      'GET /hidden/items × bob': 'deny',
      'web by role × bob': 'allow',
      'web by role × carol': 'deny',
      'web by group and scope × bob': 'allow',
      'web by group and scope × carol': 'deny',
    });
    expect(result.endpoints.find((endpoint) => endpoint.id === 'realm health')?.path).toBe(`/realms/${result.spec.realm}/health`);
    expect(result.endpoints.map((endpoint) => endpoint.requirement)).toEqual([
      'public',
      'public',
      'role inventory-api/inventory-admin',
      'any of (role inventory-api/inventory-admin; role inventory-api/inventory-user)',
      'all of (group /staff; OAuth scope profile)',
    ]);
    // The hostile suite attacks role-protected endpoints as it does permission-protected ones.
    expect(result.hostile?.endpoints).toContain('GET /hidden/items');
    expect(result.hostile?.blocking).toBe(0);
    expect(result.passed).toBe(true);
  });

  it('a role the realm does not have is a spec problem at its line, before anything is called', async () => {
    const spec = parseMatrixSpec(
      `keycloak: {realm: ${JSON.stringify(realmWithoutAuthorization())}, client: inventory-api}
backend: {url: 'http://127.0.0.1:1'}
users: [alice]
endpoints:
  - {method: GET, path: /a, requires: {role: inventory-api/inventory-boss}}
`,
      { file: 'roles.yaml' },
    );
    await expect(checkMatrix({ spec, server: kcboxServer(), hostile: false })).rejects.toThrow(
      'roles.yaml:5: endpoints[0].requires: client "inventory-api" has no role "inventory-boss" (its roles: inventory-admin, inventory-user',
    );
  });
});
