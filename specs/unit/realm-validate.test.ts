import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { substitutePlaceholders } from '../../harness/realm/placeholders.js';
import { loadRealm } from '../../harness/realm/realm-input.js';
import type { RealmRepresentation } from '../../harness/realm/realm-input.js';
import { validateRealm } from '../../harness/realm/realm-validate.js';

const bundled = (): RealmRepresentation => JSON.parse(readFileSync('realm/inventory-realm.json', 'utf8')) as RealmRepresentation;
type Json = Record<string, any>;
const authz = (realm: Json) => realm.clients[0].authorizationSettings as Json;

function problemsAfter(change: (realm: Json) => void) {
  const realm = bundled() as Json;
  change(realm);
  return validateRealm(realm as RealmRepresentation);
}

describe('validateRealm', () => {
  it('finds nothing wrong with the bundled realm', () => {
    expect(validateRealm(bundled())).toEqual([]);
  });

  it('a user mapped to a client that does not exist', () => {
    expect(problemsAfter((realm) => (realm.users[1].clientRoles = { 'inventory-app': ['inventory-user'] }))).toEqual([
      {
        path: '$.users[1].clientRoles["inventory-app"][0]',
        message: 'client "inventory-app" is not defined in this realm (clients: inventory-api, inventory-web)',
      },
    ]);
  });

  it('a user mapped to a client role that does not exist', () => {
    expect(problemsAfter((realm) => (realm.users[1].clientRoles['inventory-api'] = ['inventory-reader']))).toEqual([
      {
        path: '$.users[1].clientRoles["inventory-api"][0]',
        message:
          'role "inventory-reader" is not a role of client "inventory-api" (its roles: inventory-admin, inventory-user, uma_protection)',
      },
    ]);
  });

  it('a user mapped to an unknown realm role, and built-in realm roles accepted', () => {
    const problems = problemsAfter((realm) => (realm.users[0].realmRoles = ['offline_access', 'default-roles-inventory', 'auditor']));
    expect(problems).toEqual([
      { path: '$.users[0].realmRoles[2]', message: expect.stringContaining('realm role "auditor" is not defined') },
    ]);
  });

  it('roles of built-in clients need no definition', () => {
    expect(problemsAfter((realm) => (realm.users[0].clientRoles['realm-management'] = ['view-users']))).toEqual([]);
  });

  it('a user without credentials (service accounts and identity-provider users excepted)', () => {
    expect(problemsAfter((realm) => delete realm.users[2].credentials)).toEqual([
      { path: '$.users[2]', message: expect.stringContaining('user "carol" has no credentials') },
    ]);
    expect(
      problemsAfter((realm) => {
        delete realm.users[2].credentials;
        realm.users[2].federatedIdentities = [{ identityProvider: 'github', userId: '1', userName: 'carol' }];
      }),
    ).toEqual([]);
  });

  it('a role policy naming an unknown role', () => {
    const problems = problemsAfter(
      (realm) => (authz(realm).policies[0].config.roles = '[{"id":"inventory-api/inventory-boss","required":false}]'),
    );
    expect(problems).toEqual([
      {
        path: '$.clients[0].authorizationSettings.policies[0].config.roles',
        message: expect.stringContaining('policy "Inventory admin role": role "inventory-boss" is not a role of client "inventory-api"'),
      },
    ]);
  });

  it('a permission naming an unknown scope, resource or policy', () => {
    const problems = problemsAfter((realm) => {
      const view = authz(realm).policies[2];
      view.config.scopes = '["inventory:read"]';
      view.config.resources = '["Stock"]';
      view.config.applyPolicies = '["Inventory admin role","Auditors"]';
    });
    expect(problems.map((problem) => problem.path)).toEqual([
      '$.clients[0].authorizationSettings.policies[2].config.scopes',
      '$.clients[0].authorizationSettings.policies[2].config.resources',
      '$.clients[0].authorizationSettings.policies[2].config.applyPolicies',
    ]);
    expect(problems.map((problem) => problem.message)).toEqual([
      expect.stringContaining(
        'permission "View inventory" names unknown scope "inventory:read" (known: inventory:view, inventory:add, inventory:edit, inventory:delete)',
      ),
      expect.stringContaining('names unknown resource "Stock"'),
      expect.stringContaining('names unknown policy "Auditors"'),
    ]);
  });

  it('accepts policy config as plain arrays, and reports config that is not an array', () => {
    expect(problemsAfter((realm) => (authz(realm).policies[3].config.scopes = ['inventory:add']))).toEqual([]);
    expect(problemsAfter((realm) => (authz(realm).policies[3].config.scopes = 'inventory:add'))).toEqual([
      { path: '$.clients[0].authorizationSettings.policies[3].config.scopes', message: expect.stringContaining('expected a JSON array') },
    ]);
  });

  it('refuses JS policies with what to use instead', () => {
    expect(problemsAfter((realm) => authz(realm).policies.push({ name: 'Script', type: 'js', config: { code: 'true' } }))).toEqual([
      {
        path: '$.clients[0].authorizationSettings.policies[6].type',
        message: expect.stringContaining('JS policy "Script" cannot be imported'),
      },
    ]);
  });

  it('checks group role mappings, nested groups too', () => {
    const problems = problemsAfter(
      (realm) => (realm.groups = [{ name: 'staff', subGroups: [{ name: 'ops', clientRoles: { 'inventory-api': ['nope'] } }] }]),
    );
    expect(problems).toEqual([
      { path: '$.groups[0].subGroups[0].clientRoles["inventory-api"][0]', message: expect.stringContaining('role "nope"') },
    ]);
  });
});

describe('placeholders', () => {
  const source = { secret: '${API_SECRET}', url: 'http://${HOST:localhost}:${PORT:8080}/*', nested: [{ v: '${EMPTY:}' }], n: 3 };

  it('replaces ${VAR} and ${VAR:default} in every string', () => {
    expect(substitutePlaceholders(source, { API_SECRET: 's"3\\cret', PORT: '9000' }, 'r.json')).toEqual({
      secret: 's"3\\cret',
      url: 'http://localhost:9000/*',
      nested: [{ v: '' }],
      n: 3,
    });
  });

  it("leaves Keycloak's own message keys alone", () => {
    expect(substitutePlaceholders({ name: '${client_account}', description: '${role_uma_authorization}' }, {}, 'r.json')).toEqual({
      name: '${client_account}',
      description: '${role_uma_authorization}',
    });
  });

  it('names the file, the JSON path and the variable when one is unset without default', () => {
    expect(() => substitutePlaceholders(source, {}, 'realm/x.json')).toThrow(
      'realm/x.json: $.secret: ${API_SECRET} is not set and has no default',
    );
  });

  it('apply when loading realm objects and files, before validation', async () => {
    const realm = await loadRealm(
      { realm: '${REALM_NAME:fallback}', users: [{ username: 'u', credentials: [{ type: 'password', value: '${PW}' }] }] },
      { env: { PW: 'from-env' } },
    );
    expect(realm.name).toBe('fallback');
    expect((realm.representation.users as Json[])[0]?.credentials[0].value).toBe('from-env');
  });

  it('loading reports every problem with the file name', async () => {
    await expect(loadRealm({ realm: 'r', users: [{ username: 'u' }] })).rejects.toThrow(
      /^realm object "r": realm "r" has a problem:\n {2}\$\.users\[0\]: user "u" has no credentials/,
    );
  });
});
