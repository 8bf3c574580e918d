import { validateHeaderValue } from 'node:http';
import { beforeAll, describe, expect, it } from 'vitest';
import { hostileCatalog } from '../../harness/hostile/catalog.js';
import { forgeAttempts, unforgeableCases } from '../../harness/hostile/forge-attempts.js';
import { HOSTILE_CASE_IDS, type HostileAttempt } from '../../harness/hostile/types.js';
import { type HostileFixture, hostileFixture } from '../support/hostile-material.js';

let fixture: HostileFixture;
let attempts: HostileAttempt[];

beforeAll(async () => {
  fixture = await hostileFixture();
  attempts = await forgeAttempts(fixture.material);
});

describe('forgeAttempts', () => {
  it('forges at least one attempt for every catalog case when all material is present', () => {
    expect(unforgeableCases(fixture.material)).toEqual([]);
    for (const { id } of hostileCatalog())
      expect(
        attempts.some((attempt) => attempt.caseId === id),
        id,
      ).toBe(true);
  });

  it('returns attempts in catalog order, with variants unique within a case', () => {
    const order = [...new Set(attempts.map((attempt) => attempt.caseId))];
    expect(order).toEqual([...HOSTILE_CASE_IDS]);
    const keys = attempts.map((attempt) => `${attempt.caseId} / ${attempt.variant}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('gives every attempt a header, a query or both, and the token it is about', () => {
    for (const attempt of attempts) {
      expect(attempt.authorization !== undefined || attempt.query !== undefined, attempt.variant).toBe(true);
      expect(typeof attempt.token, attempt.variant).toBe('string');
    }
  });

  it('produces only header values node:http can send', () => {
    for (const attempt of attempts) {
      const lines =
        attempt.authorization === undefined
          ? []
          : typeof attempt.authorization === 'string'
            ? [attempt.authorization]
            : attempt.authorization;
      for (const line of lines)
        expect(() => validateHeaderValue('authorization', line), `${attempt.caseId} / ${attempt.variant}`).not.toThrow();
    }
  });

  it('forges only the requested cases, in catalog order, ignoring duplicates', async () => {
    const some = await forgeAttempts(fixture.material, ['scheme-case', 'sig-strip', 'scheme-case']);
    expect(some.map((attempt) => attempt.caseId)).toEqual(['sig-strip', 'scheme-case', 'scheme-case']);
  });

  it('refuses an unknown case id, naming the known ones', async () => {
    await expect(forgeAttempts(fixture.material, ['none', 'alg-none'])).rejects.toMatchObject({
      code: 'ERR_KCBOX_USAGE',
      message: expect.stringMatching(/"alg-none".*Known cases: none, sig-strip/),
    });
    expect(() => unforgeableCases(fixture.material, ['nope'])).toThrow(/Unknown hostile case "nope"/);
  });

  it('refuses a valid token that is not a compact JWS', async () => {
    await expect(forgeAttempts({ ...fixture.material, validToken: 'abc.def' })).rejects.toMatchObject({ code: 'ERR_KCBOX_USAGE' });
    await expect(forgeAttempts({ ...fixture.material, validToken: 'a.b.c' })).rejects.toMatchObject({ code: 'ERR_KCBOX_USAGE' });
  });

  it('refuses a listener URL that jku and x5u cannot point at', async () => {
    await expect(forgeAttempts({ ...fixture.material, listenerUrl: '127.0.0.1:40123' }, ['jku'])).rejects.toMatchObject({
      code: 'ERR_KCBOX_USAGE',
    });
    // Cases that do not use it do not care.
    await expect(forgeAttempts({ ...fixture.material, listenerUrl: '' }, ['none'])).resolves.toHaveLength(8);
  });

  it('generates one foreign key per call when the material brings none', async () => {
    const { foreignKey: _omitted, ...material } = fixture.material;
    const forged = await forgeAttempts(material, ['foreign-key', 'jku']);
    const kids = forged.map(
      (attempt) => JSON.parse(Buffer.from(attempt.token?.split('.')[0] ?? '', 'base64url').toString()) as { kid: string },
    );
    expect(kids[1]?.kid).toMatch(/^kcbox-foreign-/);
    expect(kids[1]?.kid).not.toBe(fixture.listener.foreignKey.kid);
  });
});
