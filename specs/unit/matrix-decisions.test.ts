import { describe, expect, it } from 'vitest';
import { grantedIn } from '../../harness/matrix/matrix-decisions.js';

// Shapes of Keycloak's `response_mode=permissions` answers, as a real server gave them.
const granted = [
  { rsid: 'id-inventory', rsname: 'Inventory', scopes: ['inventory:view'] },
  { rsid: 'id-reports', rsname: 'Reports', scopes: ['report:read', 'inventory:view'] },
  { scopes: ['health:read'] },
];

describe('grantedIn: one permission out of a permissions answer', () => {
  it('a resource and scope: granted when the entry of that resource (by name or id) lists the scope', () => {
    expect(grantedIn('Inventory#inventory:view', granted)).toBe(true);
    expect(grantedIn('id-inventory#inventory:view', granted)).toBe(true);
    expect(grantedIn('Inventory#inventory:add', granted)).toBe(false);
    expect(grantedIn('Reports#report:read', granted)).toBe(true);
    expect(grantedIn('Orders#order:view', granted)).toBe(false);
  });

  it('a scope alone: granted when any entry lists it, a scope permission on no resource included', () => {
    expect(grantedIn('#inventory:view', granted)).toBe(true);
    expect(grantedIn('#health:read', granted)).toBe(true);
    expect(grantedIn('#inventory:delete', granted)).toBe(false);
  });

  it('nothing granted (the 403) grants nothing', () => {
    expect(grantedIn('Inventory#inventory:view', [])).toBe(false);
    expect(grantedIn('#inventory:view', [])).toBe(false);
  });

  it('leaves open what the answer cannot tell: a matching entry without scopes, a list of scopes', () => {
    expect(grantedIn('Audit#read', [{ rsid: 'id-audit', rsname: 'Audit', scopes: [] }])).toBeUndefined();
    expect(grantedIn('Audit#read', [{ rsid: 'id-audit', rsname: 'Audit' }])).toBeUndefined();
    expect(grantedIn('#read', [{ rsid: 'id-audit', rsname: 'Audit' }])).toBeUndefined();
    expect(grantedIn('Inventory#inventory:view,inventory:add', granted)).toBeUndefined();
  });
});
