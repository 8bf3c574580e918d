import { describe, expect, it } from 'vitest';
import { hostileCase, hostileCatalog } from '../../harness/hostile/catalog.js';
import { HOSTILE_CASE_IDS, SEVERITY_ORDER } from '../../harness/hostile/types.js';

describe('hostile catalog', () => {
  const catalog = hostileCatalog();

  it('has every case id once, in catalog order', () => {
    expect(catalog.map((entry) => entry.id)).toEqual([...HOSTILE_CASE_IDS]);
    expect(new Set(catalog.map((entry) => entry.id)).size).toBe(catalog.length);
    expect(catalog).toHaveLength(36);
  });

  it('gives every case a one-line title, a reference and a fix', () => {
    for (const entry of catalog) {
      expect(entry.title, entry.id).toMatch(/^[^\n]{10,}$/);
      expect(entry.reference, entry.id).toMatch(/RFC \d+|CVE-\d{4}-\d+|OWASP|PortSwigger/);
      expect(entry.fix.length, entry.id).toBeGreaterThan(20);
      expect(SEVERITY_ORDER, entry.id).toContain(entry.severity);
    }
  });

  it('has one control, scheme-case, which any non-refusal passes', () => {
    expect(catalog.filter((entry) => entry.control).map((entry) => entry.id)).toEqual(['scheme-case']);
    expect(hostileCase('scheme-case')).toMatchObject({ acceptedStatuses: [], severity: 'advisory' });
    for (const entry of catalog.filter((candidate) => !candidate.control)) {
      expect(entry.acceptedStatuses, entry.id).toContain(401);
      expect(
        entry.acceptedStatuses.some((status) => status >= 500 || status < 400),
        entry.id,
      ).toBe(false);
    }
  });

  it('accepts 400 only where the catalog notes it, and 431 for size', () => {
    const statuses = Object.fromEntries(catalog.map((entry) => [entry.id, entry.acceptedStatuses]));
    expect(statuses['header-and-query']).toEqual([400, 401]);
    expect(statuses['dup-header']).toEqual([400, 401]);
    expect(statuses['oversized']).toEqual([400, 401, 431]);
    // 100k dots exceed Node's default 16 KiB header limit: 431 is a correct refusal there too.
    expect(statuses['format']).toEqual([400, 401, 431]);
    expect(statuses['none']).toEqual([401]);
    expect(statuses['expired']).toEqual([401]);
  });

  it('ranks forgeries critical, hygiene rules policy, revocation advisory', () => {
    const severity = (id: string) => hostileCase(id)?.severity;
    for (const id of ['none', 'hs-confusion', 'jwk-embed', 'foreign-key', 'jku', 'x5u', 'other-realm'])
      expect(severity(id), id).toBe('critical');
    for (const id of ['iat-future', 'exp-missing']) expect(severity(id), id).toBe('policy');
    for (const id of ['revoked-session', 'disabled-user']) expect(severity(id), id).toBe('advisory');
    expect(severity('expired')).toBe('high');
  });

  it('orders severities ascending', () => {
    expect(SEVERITY_ORDER).toEqual(['advisory', 'policy', 'high', 'critical']);
  });

  it('has categories matching the catalog sections', () => {
    const byCategory = (category: string) => catalog.filter((entry) => entry.category === category).map((entry) => entry.id);
    expect(byCategory('transport')).toEqual(['query-token', 'header-and-query', 'dup-header', 'scheme-case']);
    expect(byCategory('claims')).toEqual([
      'expired',
      'not-yet-valid',
      'iat-future',
      'exp-missing',
      'iss-other-realm',
      'iss-missing',
      'aud-other-client',
      'typ-id',
      'typ-refresh',
      'other-realm',
      'other-client',
      'id-token',
      'refresh-token',
      'revoked-session',
      'disabled-user',
    ]);
    expect(byCategory('signature')).toHaveLength(17);
  });

  it('returns undefined for an unknown id', () => {
    expect(hostileCase('nope')).toBeUndefined();
  });
});
