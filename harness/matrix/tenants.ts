/** Tenants of object-level checks: which tenant a caller is in, from what Keycloak says about it. */
import { inGroup } from './requirements.js';
import type { TenantRule } from './types.js';

/** A caller's tenants from what Keycloak says: the tenant groups it is in (subgroups count), or its attribute's values. */
export function tenantsOf(rule: TenantRule, facts: { groups: readonly string[]; attribute: readonly string[] }): string[] {
  return rule.kind === 'groups'
    ? rule.groups.filter((tenant) => inGroup(facts.groups, tenant))
    : [...new Set(facts.attribute.filter((value) => value !== ''))];
}

/**
 * A tenant attribute's values as a token claim carries them (a mapper's string, number or list);
 * undefined when the token has no such claim, and Keycloak's admin API is asked instead.
 */
export function claimValues(claim: unknown): string[] | undefined {
  if (typeof claim === 'string' || typeof claim === 'number') return [String(claim)];
  if (Array.isArray(claim)) return claim.filter((value) => typeof value === 'string' || typeof value === 'number').map(String);
  return undefined;
}

/** Whether two callers share a tenant; a caller in none shares none. */
export const sameTenant = (a: readonly string[], b: readonly string[]): boolean => a.some((tenant) => b.includes(tenant));

/** How a report names a caller's tenants: `/acme`, `/acme, /globex`, `no tenant`. */
export const describeTenants = (tenants: readonly string[]): string => (tenants.length > 0 ? tenants.join(', ') : 'no tenant');
