import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authzModel } from '../../harness/drift/authz-model.js';
import { authzDrift, realmDrift } from '../../harness/drift/drift.js';
import { evaluateLocally } from '../../harness/drift/evaluator.js';
import { liveDecisions, liveResourceServer, liveUsers } from '../../harness/drift/live.js';
import { bundledAuthzConfigPath, bundledRealmPath } from '../../harness/realm/bundled.js';
import type { RealmHandle } from '../../harness/realm/realm-handle.js';
import { type AdminClient, connectAdmin } from '../../harness/runtime/admin-client.js';
import type { KeycloakServer } from '../../harness/runtime/types.js';
import { connectKcbox, kcboxServer } from '../../harness/vitest/index.js';

let server: KeycloakServer;
let admin: AdminClient;
beforeAll(async () => {
  server = await connectKcbox();
  admin = await connectAdmin(server.url, server.adminCredentials);
});
afterAll(async () => server.stop());

const driftServer = () => ({
  url: kcboxServer().url,
  adminCredentials: kcboxServer().adminCredentials,
});
const config = bundledAuthzConfigPath();

/** A fresh isolated copy of the bundled realm, and its resource server's uuid. */
async function freshRealm(): Promise<{ realm: RealmHandle; api: string }> {
  const realm = await server.importRealm(bundledRealmPath(), { isolate: true });
  const [client] = await admin.clients.find({ realm: realm.name, clientId: 'inventory-api' });
  return { realm, api: client?.id ?? '' };
}

async function policy(realm: string, api: string, name: string) {
  const found = await admin.clients.findPolicyByName({ realm, id: api, name });
  if (!found?.id) throw new Error(`no policy ${name}`);
  return found as { id: string; type: string; logic?: string; decisionStrategy?: string; name: string };
}

/** Rewrites a scope permission through the admin API, which takes ids for its associations. */
async function updateScopePermission(realm: string, api: string, name: string, change: { decisionStrategy?: string; addScope?: string }) {
  const permission = await policy(realm, api, name);
  const resources = await admin.clients.getAssociatedResources({ realm, id: api, permissionId: permission.id });
  const scopes = await admin.clients.getAssociatedScopes({ realm, id: api, permissionId: permission.id });
  const policies = await admin.clients.getAssociatedPolicies({ realm, id: api, permissionId: permission.id });
  const scopeIds = scopes.map((scope) => scope.id ?? '');
  if (change.addScope) {
    const all = await admin.clients.listAllScopes({ realm, id: api });
    scopeIds.push(all.find((scope) => scope.name === change.addScope)?.id ?? '');
  }
  const body = {
    id: permission.id,
    name,
    type: 'scope',
    logic: permission.logic,
    decisionStrategy: change.decisionStrategy ?? permission.decisionStrategy,
    resources: resources.map((resource) => resource._id ?? ''),
    scopes: scopeIds,
    policies: policies.map((applied) => applied.id ?? ''),
  };
  await admin.clients.updatePermission({ realm, id: api, type: 'scope', permissionId: permission.id }, body as never);
}

const changesOf = (drift: { semantic: Array<{ username: string; permission: string; live: boolean }> }) =>
  drift.semantic.map((change) => `${change.username} ${change.live ? 'gained' : 'lost'} ${change.permission}`).sort();

describe('drift of realm/inventory-authz-config.json', () => {
  it('is empty against a fresh import of the bundled realm, structurally and semantically', async () => {
    const { realm } = await freshRealm();
    const drift = await authzDrift({ server: driftServer(), realm: realm.name, clientId: 'inventory-api', config });
    expect(drift).toMatchObject({ structural: [], semantic: [], unsupported: [], hasDrift: false });
    const whole = await realmDrift({ server: driftServer(), realmFile: bundledRealmPath(), realm: realm.name });
    expect(whole).toMatchObject({ structural: [], semantic: [], hasDrift: false });
  });

  it('the local evaluator agrees with Keycloak on the bundled realm for every user × scope', async () => {
    const { realm } = await freshRealm();
    const live = await liveResourceServer(admin, realm.name, 'inventory-api');
    const model = authzModel(live.settings, 'live', live.roleNames);
    const users = await liveUsers(admin, realm.name);
    expect(users.map((user) => user.username).sort()).toEqual(['alice', 'bob', 'carol', 'dave']);
    for (const user of users) {
      const local = evaluateLocally(model, user, 'inventory-api').decisions;
      const keycloak = await liveDecisions(admin, realm.name, live.clientUuid, user);
      for (const permission of Object.keys(local))
        expect(local[permission], `${user.username} ${permission}`).toBe(keycloak[permission] ?? false);
    }
  });

  it('a role removed from a policy', async () => {
    const { realm, api } = await freshRealm();
    // Keycloak refuses a role policy without roles: give it two, take that as the file, then remove one.
    const policyId = (await policy(realm.name, api, 'Inventory admin role')).id;
    const roleId = async (roleName: string) => (await admin.clients.findRole({ realm: realm.name, id: api, roleName }))?.id ?? '';
    const setRoles = async (roles: string[]) => {
      const current = (await admin.clients.findOnePolicyWithType({
        realm: realm.name,
        id: api,
        type: 'role',
        policyId,
      })) as unknown as Record<string, unknown>;
      const body = { ...current, roles: await Promise.all(roles.map(async (role) => ({ id: await roleId(role), required: false }))) };
      await admin.clients.updatePolicy({ realm: realm.name, id: api, type: 'role', policyId }, body as never);
    };
    await setRoles(['inventory-admin', 'inventory-user']);
    const exported = await admin.clients.exportResource({ realm: realm.name, id: api });
    await setRoles(['inventory-admin']);
    const drift = await authzDrift({
      server: driftServer(),
      realm: realm.name,
      clientId: 'inventory-api',
      config: exported,
      users: ['alice', 'bob'],
    });
    expect(drift.structural).toEqual([
      {
        kind: 'removed',
        path: '$.policies["Inventory admin role"].config.roles',
        expected: { role: 'inventory-api/inventory-user', required: false },
      },
    ]);
    expect(changesOf(drift)).toEqual([
      'bob lost Inventory#inventory:add',
      'bob lost Inventory#inventory:delete',
      'bob lost Inventory#inventory:edit',
    ]);
  });

  it('a scope added to a permission', async () => {
    const { realm, api } = await freshRealm();
    await updateScopePermission(realm.name, api, 'Add inventory', { addScope: 'inventory:view' });
    const drift = await authzDrift({ server: driftServer(), realm: realm.name, clientId: 'inventory-api', config });
    expect(drift.structural).toEqual([{ kind: 'added', path: '$.policies["Add inventory"].config.scopes', actual: 'inventory:view' }]);
    // View now also needs the admin-only permission (the resource server is UNANIMOUS).
    expect(changesOf(drift)).toEqual(['bob lost Inventory#inventory:view', 'dave lost Inventory#inventory:view']);
  });

  it("a permission's decision strategy changed", async () => {
    const { realm, api } = await freshRealm();
    await updateScopePermission(realm.name, api, 'View inventory', { decisionStrategy: 'UNANIMOUS' });
    const drift = await authzDrift({ server: driftServer(), realm: realm.name, clientId: 'inventory-api', config });
    expect(drift.structural).toEqual([
      { kind: 'changed', path: '$.policies["View inventory"].decisionStrategy', expected: 'AFFIRMATIVE', actual: 'UNANIMOUS' },
    ]);
    expect(changesOf(drift)).toEqual([
      'alice lost Inventory#inventory:view',
      'bob lost Inventory#inventory:view',
      'dave lost Inventory#inventory:view',
    ]);
  });

  it("a policy's logic flipped", async () => {
    const { realm, api } = await freshRealm();
    const policyId = (await policy(realm.name, api, 'Inventory admin role')).id;
    const adminRole = (await admin.clients.findOnePolicyWithType({
      realm: realm.name,
      id: api,
      type: 'role',
      policyId,
    })) as unknown as Record<string, unknown>;
    await admin.clients.updatePolicy({ realm: realm.name, id: api, type: 'role', policyId }, { ...adminRole, logic: 'NEGATIVE' } as never);
    const drift = await authzDrift({
      server: driftServer(),
      realm: realm.name,
      clientId: 'inventory-api',
      config,
      users: ['alice', 'carol'],
    });
    expect(drift.structural).toEqual([
      { kind: 'changed', path: '$.policies["Inventory admin role"].logic', expected: 'POSITIVE', actual: 'NEGATIVE' },
    ]);
    expect(changesOf(drift)).toEqual([
      'alice lost Inventory#inventory:add',
      'alice lost Inventory#inventory:delete',
      'alice lost Inventory#inventory:edit',
      'alice lost Inventory#inventory:view',
      'carol gained Inventory#inventory:add',
      'carol gained Inventory#inventory:delete',
      'carol gained Inventory#inventory:edit',
      'carol gained Inventory#inventory:view',
    ]);
  });

  it('a resource added', async () => {
    const { realm, api } = await freshRealm();
    await admin.clients.createResource(
      { realm: realm.name, id: api },
      { name: 'Reports', uris: ['/api/reports'], scopes: [{ name: 'inventory:view' }] },
    );
    const drift = await authzDrift({ server: driftServer(), realm: realm.name, clientId: 'inventory-api', config });
    expect(drift.structural).toEqual([
      {
        kind: 'added',
        path: '$.resources.Reports',
        actual: { type: null, uris: ['/api/reports'], scopes: ['inventory:view'], attributes: {} },
      },
    ]);
    expect(drift.semantic).toEqual([]);
    expect(drift.hasDrift).toBe(true);
  });

  it('a file with ids (and role UUIDs) works like one without', async () => {
    const { realm, api } = await freshRealm();
    const adminRoleId = (await admin.clients.findRole({ realm: realm.name, id: api, roleName: 'inventory-admin' }))?.id ?? '';
    // What older exports and the non-export endpoints carry: database ids, roles by UUID.
    const file = JSON.parse(readFileSync(config, 'utf8')) as {
      resources: Array<Record<string, unknown>>;
      scopes: Array<Record<string, unknown>>;
      policies: Array<Record<string, unknown>>;
    };
    file.resources.forEach((resource, index) => (resource._id = `resource-${index}`));
    file.scopes.forEach((scope, index) => (scope.id = `scope-${index}`));
    file.policies.forEach((entry, index) => (entry.id = `policy-${index}`));
    const adminPolicy = file.policies.find((entry) => entry.name === 'Inventory admin role') as { config: { roles: string } };
    adminPolicy.config.roles = JSON.stringify([{ id: adminRoleId, required: false }]);
    const drift = await authzDrift({ server: driftServer(), realm: realm.name, clientId: 'inventory-api', config: file });
    expect(drift.structural).toEqual([]);
    expect(drift.semantic).toEqual([]);
  });

  it('--realm-file: a user given another role, and a client setting changed, in the live realm', async () => {
    const { realm, api } = await freshRealm();
    const [bob] = await admin.users.find({ realm: realm.name, username: 'bob', exact: true });
    const adminRole = await admin.clients.findRole({ realm: realm.name, id: api, roleName: 'inventory-admin' });
    await admin.users.addClientRoleMappings({
      realm: realm.name,
      id: bob?.id ?? '',
      clientUniqueId: api,
      roles: [{ id: adminRole?.id ?? '', name: 'inventory-admin' }],
    });
    const [web] = await admin.clients.find({ realm: realm.name, clientId: 'inventory-web' });
    await admin.clients.update({ realm: realm.name, id: web?.id ?? '' }, { ...web, directAccessGrantsEnabled: false });
    const drift = await realmDrift({ server: driftServer(), realmFile: bundledRealmPath(), realm: realm.name });
    expect(drift.structural).toEqual([
      { kind: 'changed', path: '$.clients["inventory-web"].directAccessGrantsEnabled', expected: true, actual: false },
      { kind: 'added', path: '$.users.bob.clientRoles["inventory-api"]', actual: 'inventory-admin' },
    ]);
    expect(changesOf(drift)).toEqual([
      'bob gained Inventory#inventory:add',
      'bob gained Inventory#inventory:delete',
      'bob gained Inventory#inventory:edit',
    ]);
  });

  it('malformed files and unknown clients give clear errors', async () => {
    const { realm } = await freshRealm();
    await expect(
      authzDrift({ server: driftServer(), realm: realm.name, clientId: 'inventory-api', config: 'realm/no-such-file.json' }),
    ).rejects.toThrow('realm/no-such-file.json: cannot read the file (ENOENT');
    await expect(authzDrift({ server: driftServer(), realm: realm.name, clientId: 'inventory-web', config })).rejects.toThrow(
      `Client "inventory-web" in realm "${realm.name}" has no authorization services`,
    );
    expect(readFileSync(config, 'utf8')).toContain('"policies"');
  });
});
