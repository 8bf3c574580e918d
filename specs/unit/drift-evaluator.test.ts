import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { authzModel } from '../../harness/drift/authz-model.js';
import { diffValues } from '../../harness/drift/diff.js';
import { type UserFacts, evaluateLocally } from '../../harness/drift/evaluator.js';

const exported = () => JSON.parse(readFileSync('realm/inventory-authz-config.json', 'utf8')) as Record<string, any>;
const user = (username: string, roles: string[] = [], extra: Partial<UserFacts> = {}): UserFacts => ({
  username,
  realmRoles: [],
  clientRoles: { 'inventory-api': roles },
  groups: [],
  ...extra,
});
const granted = (settings: unknown, facts: UserFacts) =>
  Object.entries(evaluateLocally(authzModel(settings, 'test'), facts, 'inventory-api').decisions)
    .filter(([, yes]) => yes)
    .map(([permission]) => permission.replace('Inventory#inventory:', ''))
    .sort();

describe('local evaluator on the bundled settings', () => {
  it('admins get everything, normal users view, others nothing', () => {
    expect(granted(exported(), user('alice', ['inventory-admin']))).toEqual(['add', 'delete', 'edit', 'view']);
    expect(granted(exported(), user('bob', ['inventory-user']))).toEqual(['view']);
    expect(granted(exported(), user('carol'))).toEqual([]);
  });

  it('NEGATIVE logic inverts a policy', () => {
    const settings = exported();
    settings.policies.find((policy: any) => policy.name === 'Inventory admin role').logic = 'NEGATIVE';
    expect(granted(settings, user('alice', ['inventory-admin']))).toEqual([]);
    expect(granted(settings, user('carol'))).toEqual(['add', 'delete', 'edit', 'view']);
  });

  it('permission strategies: UNANIMOUS needs every policy, CONSENSUS more grants than denies (a tie denies)', () => {
    const settings = exported();
    const view = settings.policies.find((policy: any) => policy.name === 'View inventory');
    view.decisionStrategy = 'UNANIMOUS';
    expect(granted(settings, user('bob', ['inventory-user']))).toEqual([]);
    expect(granted(settings, user('both', ['inventory-user', 'inventory-admin']))).toContain('view');
    view.decisionStrategy = 'CONSENSUS';
    expect(granted(settings, user('bob', ['inventory-user']))).not.toContain('view');
  });

  it('the resource server strategy combines permissions on one scope', () => {
    const settings = exported();
    settings.policies.find((policy: any) => policy.name === 'Add inventory').config.scopes = '["inventory:add","inventory:view"]';
    expect(granted(settings, user('bob', ['inventory-user']))).toEqual([]);
    settings.decisionStrategy = 'AFFIRMATIVE';
    expect(granted(settings, user('bob', ['inventory-user']))).toEqual(['view']);
  });

  it('PERMISSIVE grants only resources no permission covers at all, as Keycloak decides per resource', () => {
    const settings = exported();
    settings.policyEnforcementMode = 'PERMISSIVE';
    settings.policies = settings.policies.filter((policy: any) => policy.name !== 'Add inventory');
    expect(granted(settings, user('bob', ['inventory-user']))).toEqual(['view']);
  });

  it('resource permissions, also by defaultResourceType, cover every scope of the resource', () => {
    const settings = exported();
    settings.policies.push({
      name: 'Users on inventory type',
      type: 'resource',
      decisionStrategy: 'UNANIMOUS',
      config: { defaultResourceType: 'urn:inventory-api:resources:inventory', applyPolicies: '["Inventory user role"]' },
    });
    settings.decisionStrategy = 'AFFIRMATIVE';
    expect(granted(settings, user('bob', ['inventory-user']))).toEqual(['add', 'delete', 'edit', 'view']);
  });

  it("a permission's own logic is ignored, and a permission without policies does not vote", () => {
    const settings = exported();
    settings.policies.find((policy: any) => policy.name === 'View inventory').logic = 'NEGATIVE';
    settings.policies.push({ name: 'Empty view', type: 'scope', config: { resources: '["Inventory"]', scopes: '["inventory:view"]' } });
    expect(granted(settings, user('bob', ['inventory-user']))).toEqual(['view']);
  });

  it('enforcement modes decide scopes no permission covers', () => {
    const settings = exported();
    settings.policies = settings.policies.filter((policy: any) => policy.type !== 'scope');
    expect(granted(settings, user('carol'))).toEqual([]);
    settings.policyEnforcementMode = 'PERMISSIVE';
    expect(granted(settings, user('carol'))).toEqual(['add', 'delete', 'edit', 'view']);
  });

  it('user, group, client and aggregate policies, and required roles', () => {
    const settings = exported();
    settings.policies.push(
      { name: 'Erin', type: 'user', config: { users: '["erin"]' } },
      { name: 'Ops', type: 'group', config: { groups: '[{"path":"/staff","extendChildren":true}]' } },
      { name: 'Web', type: 'client', config: { clients: '["inventory-api"]' } },
      { name: 'Erin or ops', type: 'aggregate', decisionStrategy: 'AFFIRMATIVE', config: { applyPolicies: '["Erin","Ops"]' } },
    );
    settings.policies.find((policy: any) => policy.name === 'Delete inventory').config.applyPolicies = '["Erin or ops"]';
    settings.policies.find((policy: any) => policy.name === 'Edit inventory').config.applyPolicies = '["Web"]';
    expect(granted(settings, user('erin'))).toEqual(['delete', 'edit']);
    expect(granted(settings, user('olga', [], { groups: ['/staff/ops'] }))).toEqual(['delete', 'edit']);
    settings.policies.find((policy: any) => policy.name === 'Inventory user role').config.roles =
      '[{"id":"inventory-api/inventory-user","required":true},{"id":"inventory-api/inventory-admin","required":false}]';
    expect(granted(settings, user('bob', ['inventory-user']))).toContain('view');
    expect(granted(settings, user('alice', ['inventory-admin']))).toContain('view');
  });

  it('reports a policy type it cannot evaluate and leaves its cells undecided', () => {
    const settings = exported();
    settings.policies.push({ name: 'Office hours', type: 'time', config: { hour: '9', hourEnd: '17' } });
    settings.policies.find((policy: any) => policy.name === 'Add inventory').config.applyPolicies = '["Office hours"]';
    const result = evaluateLocally(authzModel(settings, 'test'), user('alice', ['inventory-admin']), 'inventory-api');
    expect(result.unsupported).toEqual(['policy "Office hours": type "time" cannot be evaluated locally']);
    expect(result.decisions).not.toHaveProperty('Inventory#inventory:add');
    expect(result.decisions['Inventory#inventory:view']).toBe(true);
  });

  it('does not report a policy no permission uses', () => {
    const settings = exported();
    settings.policies.push({ name: 'Unused script', type: 'js', config: { code: 'true' } });
    expect(evaluateLocally(authzModel(settings, 'test'), user('bob', ['inventory-user']), 'inventory-api').unsupported).toEqual([]);
  });
});

describe('authzModel', () => {
  it('names the file and position of a policy without name or type', () => {
    expect(() => authzModel({ policies: [{ type: 'role' }] }, 'x.json')).toThrow('x.json: $.policies[0] needs a "name" and a "type".');
    expect(() => authzModel([], 'x.json')).toThrow('x.json: expected authorization settings');
    expect(() => authzModel({ realm: 'inventory', clients: [] }, 'realm.json')).toThrow('This looks like a realm file: use --realm-file.');
  });

  it('treats values Keycloak writes on one side only as their defaults', () => {
    const settings = exported();
    const withDefaults = exported();
    for (const policy of settings.policies) if (policy.type === 'role') delete policy.config.fetchRoles;
    settings.policies.push({ name: 'G', type: 'group', config: { groups: '[{"path":"/staff"}]' } });
    withDefaults.policies.push({
      name: 'G',
      type: 'group',
      config: { groups: '[{"path":"/staff","extendChildren":false}]', groupsClaim: '' },
    });
    expect(diffValues(authzModel(settings, 'file'), authzModel(withDefaults, 'live'))).toEqual([]);
  });
});

describe('diffValues', () => {
  it('reports keys added and removed, list members added and removed, and changed values, with paths', () => {
    expect(
      diffValues(
        { policies: { 'View inventory': { logic: 'POSITIVE', config: { applyPolicies: ['a', 'b'] } }, Gone: {} } },
        { policies: { 'View inventory': { logic: 'NEGATIVE', config: { applyPolicies: ['b', 'c'] } }, New: {} } },
      ),
    ).toEqual([
      { kind: 'removed', path: '$.policies.Gone', expected: {} },
      { kind: 'added', path: '$.policies.New', actual: {} },
      { kind: 'removed', path: '$.policies["View inventory"].config.applyPolicies', expected: 'a' },
      { kind: 'added', path: '$.policies["View inventory"].config.applyPolicies', actual: 'c' },
      { kind: 'changed', path: '$.policies["View inventory"].logic', expected: 'POSITIVE', actual: 'NEGATIVE' },
    ]);
  });
});
