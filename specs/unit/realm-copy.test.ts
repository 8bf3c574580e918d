import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { authzModel } from '../../harness/drift/authz-model.js';
import { defaultLoginClient, defaultResourceServer, fixtureClient, fixturePassword } from '../../harness/realm/fixtures.js';
import { formatJsonPath } from '../../harness/realm/json-path.js';
import { isolatedCopy, realmEndpoints } from '../../harness/realm/realm-handle.js';
import type { RealmRepresentation } from '../../harness/realm/realm-input.js';

const bundled = JSON.parse(readFileSync('realm/inventory-realm.json', 'utf8')) as RealmRepresentation;

describe('isolatedCopy', () => {
  const exported: RealmRepresentation = {
    id: 'inventory',
    realm: 'inventory',
    defaultRole: { id: 'r1', name: 'default-roles-inventory', containerId: 'inventory' },
    clients: [
      {
        id: 'c1',
        clientId: 'api',
        attributes: { id: 'kept' },
        authorizationSettings: {
          resources: [{ _id: 'x', name: 'Inventory' }],
          policies: [{ id: 'p', config: { roles: '[{"id":"api/admin"}]' } }],
        },
      },
    ],
  };

  it('renames the realm, drops database ids, keeps role names and data that merely looks like an id', () => {
    const copy = isolatedCopy(exported, 'abc123');
    expect(copy).toEqual({
      realm: 'inventory-abc123',
      defaultRole: { name: 'default-roles-inventory' },
      clients: [
        {
          clientId: 'api',
          attributes: { id: 'kept' },
          authorizationSettings: { resources: [{ name: 'Inventory' }], policies: [{ config: { roles: '[{"id":"api/admin"}]' } }] },
        },
      ],
    });
  });

  it('never changes the original, and picks a fresh name each time', () => {
    const before = JSON.stringify(exported);
    expect(isolatedCopy(exported).realm).not.toBe(isolatedCopy(exported).realm);
    expect(JSON.stringify(exported)).toBe(before);
  });
});

describe('realm endpoints', () => {
  it('derive from the server URL and the realm name', () => {
    expect(realmEndpoints('http://127.0.0.1:8080', 'inventory')).toEqual({
      issuer: 'http://127.0.0.1:8080/realms/inventory',
      discoveryUrl: 'http://127.0.0.1:8080/realms/inventory/.well-known/openid-configuration',
      jwksUrl: 'http://127.0.0.1:8080/realms/inventory/protocol/openid-connect/certs',
      tokenUrl: 'http://127.0.0.1:8080/realms/inventory/protocol/openid-connect/token',
    });
  });
});

describe('fixtures from the realm file', () => {
  it('finds passwords, the login client, confidential secrets and the resource server', () => {
    expect(fixturePassword(bundled, 'bob')).toBe('bob-password');
    expect(fixturePassword(bundled, 'nobody')).toBeUndefined();
    expect(defaultLoginClient(bundled)).toMatchObject({ clientId: 'inventory-web', directAccessGrantsEnabled: true });
    expect(defaultLoginClient(bundled).clientSecret).toBeUndefined();
    expect(fixtureClient(bundled, 'inventory-api')).toMatchObject({ clientId: 'inventory-api', clientSecret: 'inventory-api-test-secret' });
    expect(defaultResourceServer(bundled)).toBe('inventory-api');
    expect(() => fixtureClient(bundled, 'mobile')).toThrow(
      'Realm "inventory" defines no client "mobile" (clients: inventory-api, inventory-web).',
    );
  });
});

describe('the default login client', () => {
  const realm = (clients: object[]) => ({ realm: 'r', clients }) as RealmRepresentation;
  const web = { clientId: 'web', publicClient: true, redirectUris: ['http://localhost:3000/*'] };
  const console = { clientId: 'account-console', publicClient: true, redirectUris: ['/realms/r/account/*'] };

  it('prefers direct access grants, then a client of the realm with the standard flow and a redirect URI', () => {
    expect(defaultLoginClient(realm([web, { clientId: 'cli', directAccessGrantsEnabled: true }])).clientId).toBe('cli');
    expect(defaultLoginClient(realm([console, web]))).toMatchObject({ clientId: 'web', directAccessGrantsEnabled: false });
  });

  it('passes over built-in clients and clients without a way to log in', () => {
    expect(() =>
      defaultLoginClient(realm([console, { clientId: 'api', standardFlowEnabled: false, redirectUris: ['http://x/*'] }])),
    ).toThrow('Realm "r" has no client to log users in with');
  });
});

describe('authzModel normalisation', () => {
  it('ignores ids, list order and JSON-in-string order, and still sees a real change', () => {
    const a = {
      policies: [{ id: '1', name: 'P', type: 'role', config: { applyPolicies: '["x","y"]', roles: '[{"required":false,"id":"api/a"}]' } }],
      scopes: [{ name: 's1' }, { name: 's2' }],
    };
    const b = {
      policies: [{ name: 'P', type: 'role', config: { roles: '[{"id":"api/a","required":false}]', applyPolicies: '["y","x"]' } }],
      scopes: [{ name: 's2', id: '9' }, { name: 's1' }],
    };
    expect(authzModel(a, 'a')).toEqual(authzModel(b, 'b'));
    const changed = {
      ...b,
      policies: [{ name: 'P', type: 'role', config: { roles: '[{"id":"api/a","required":false}]', applyPolicies: '["y"]' } }],
    };
    expect(authzModel(a, 'a')).not.toEqual(authzModel(changed, 'changed'));
  });
});

describe('formatJsonPath', () => {
  it('uses dots for plain keys and brackets otherwise', () => {
    expect(formatJsonPath(['users', 3, 'clientRoles', 'inventory-api', 0])).toBe('$.users[3].clientRoles["inventory-api"][0]');
  });
});
