import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { askDecisions } from '../../harness/matrix/matrix-decisions.js';
import { bundledRealmPath } from '../../harness/realm/bundled.js';
import { fixtureClient, fixturePassword } from '../../harness/realm/fixtures.js';
import type { RealmRepresentation } from '../../harness/realm/realm-input.js';
import { passwordGrant, umaDecision } from '../../harness/tokens/token-client.js';
import { useIsolatedRealm } from '../../harness/vitest/index.js';

interface AuthorizationSettings {
  resources: Array<Record<string, unknown>>;
  policies: Array<Record<string, unknown>>;
  scopes: Array<{ name: string }>;
}

const permission = (name: string, type: 'scope' | 'resource', config: Record<string, string[]>, decisionStrategy = 'UNANIMOUS') => ({
  name,
  type,
  logic: 'POSITIVE',
  decisionStrategy,
  config: Object.fromEntries(Object.entries(config).map(([field, values]) => [field, JSON.stringify(values)])),
});

/**
 * The bundled realm with every way Keycloak can grant a permission: scope permissions (the
 * bundled ones), a resource permission over a resource with scopes, a resource without scopes,
 * a scope permission on no resource, one scope in two resources, a negated policy.
 */
function richRealm(): RealmRepresentation {
  const realm = JSON.parse(readFileSync(bundledRealmPath(), 'utf8')) as RealmRepresentation & {
    clients: Array<{ clientId: string; authorizationSettings?: AuthorizationSettings }>;
  };
  const settings = realm.clients.find((client) => client.clientId === 'inventory-api')?.authorizationSettings;
  if (!settings) throw new TypeError('the bundled realm has no inventory-api authorization settings');
  settings.scopes.push({ name: 'report:read' }, { name: 'report:export' }, { name: 'health:read' }, { name: 'order:view' });
  settings.resources.push(
    { name: 'Reports', scopes: [{ name: 'report:read' }, { name: 'report:export' }, { name: 'inventory:view' }] },
    { name: 'Audit', scopes: [] },
    { name: 'Orders', scopes: [{ name: 'order:view' }] },
  );
  settings.policies.push(
    {
      name: 'Not an admin',
      type: 'role',
      logic: 'NEGATIVE',
      decisionStrategy: 'UNANIMOUS',
      config: { roles: '[{"id":"inventory-api/inventory-admin","required":false}]', fetchRoles: 'false' },
    },
    permission('All of Reports', 'resource', { resources: ['Reports'], applyPolicies: ['Inventory admin role'] }),
    permission('Audit trail', 'resource', { resources: ['Audit'], applyPolicies: ['Inventory user role'] }),
    permission('Health', 'scope', { scopes: ['health:read'], applyPolicies: ['Inventory user role'] }),
    permission('Orders for non-admins', 'scope', { resources: ['Orders'], scopes: ['order:view'], applyPolicies: ['Not an admin'] }),
  );
  return realm;
}

const realm = useIsolatedRealm(richRealm());
const PERMISSIONS = [
  'Inventory#inventory:view',
  'Inventory#inventory:add',
  'Inventory#inventory:delete',
  'Reports#report:read',
  'Reports#report:export',
  'Reports#inventory:view',
  'Orders#order:view',
  '#inventory:view',
  '#inventory:add',
  '#report:export',
  '#health:read',
  '#order:view',
];

describe("one UMA request per caller gives each permission's own decision", () => {
  it.each(['alice', 'bob', 'carol'])('%s', async (username) => {
    const representation = realm().representation;
    const { accessToken } = await passwordGrant(realm(), fixtureClient(representation, 'inventory-web'), {
      username,
      password: fixturePassword(representation, username) ?? '',
    });
    const one = Object.fromEntries(
      await Promise.all(
        PERMISSIONS.map(async (asked) => [
          asked,
          await umaDecision(realm(), accessToken, { audience: 'inventory-api', permissions: [asked] }),
        ]),
      ),
    );
    const batched = Object.fromEntries(await askDecisions(realm(), accessToken, 'inventory-api', PERMISSIONS));
    expect(batched).toEqual(one);
    // Not vacuous: each caller is granted some and refused some of them.
    expect(Object.values(one)).toContain(true);
    expect(Object.values(one)).toContain(false);
  });

  // Why the matrix check names unknown resources and scopes itself, from the live realm, before asking.
  it('Keycloak skips what it does not know in a request for several permissions', async () => {
    const representation = realm().representation;
    const { accessToken } = await passwordGrant(realm(), fixtureClient(representation, 'inventory-web'), {
      username: 'alice',
      password: fixturePassword(representation, 'alice') ?? '',
    });
    const asked = ['Inventory#inventory:view', 'Nowhere#inventory:view', 'Inventory#inventory:fly'];
    expect(Object.fromEntries(await askDecisions(realm(), accessToken, 'inventory-api', asked))).toEqual({
      'Inventory#inventory:view': true,
      'Nowhere#inventory:view': false,
      'Inventory#inventory:fly': false,
    });
    await expect(umaDecision(realm(), accessToken, { audience: 'inventory-api', permissions: ['Nowhere#inventory:view'] })).rejects.toThrow(
      /invalid_resource/,
    );
  });
});
