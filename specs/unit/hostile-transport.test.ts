import { beforeAll, describe, expect, it } from 'vitest';
import { forgeAttempts } from '../../harness/hostile/forge-attempts.js';
import { GARBAGE_BEARER } from '../../harness/hostile/forge-transport.js';
import type { HostileAttempt } from '../../harness/hostile/types.js';
import { attemptsFor, hostileFixture } from '../support/hostile-material.js';

let validToken: string;
let attempts: HostileAttempt[];

beforeAll(async () => {
  const { material } = await hostileFixture();
  validToken = material.validToken;
  attempts = await forgeAttempts(material, ['query-token', 'header-and-query', 'dup-header', 'scheme-case']);
});

describe('transport cases', () => {
  it('query-token sends the token only as access_token', () => {
    const [attempt] = attemptsFor(attempts, 'query-token');
    expect(attempt).toMatchObject({ query: { access_token: validToken } });
    expect(attempt?.authorization).toBeUndefined();
  });

  it('header-and-query sends a garbage header beside the valid query token: only a backend reading the query lets it in', () => {
    const [attempt] = attemptsFor(attempts, 'header-and-query');
    expect(attempt).toMatchObject({ authorization: GARBAGE_BEARER, query: { access_token: validToken } });
  });

  it('dup-header sends two lines: both valid, and valid with garbage in both orders', () => {
    const lines = attemptsFor(attempts, 'dup-header').map((attempt) => attempt.authorization);
    const valid = `Bearer ${validToken}`;
    expect(lines).toEqual([
      [valid, valid],
      [valid, GARBAGE_BEARER],
      [GARBAGE_BEARER, valid],
    ]);
  });

  it('scheme-case writes the scheme in lower and upper case', () => {
    expect(attemptsFor(attempts, 'scheme-case').map((attempt) => attempt.authorization)).toEqual([
      `bearer ${validToken}`,
      `BEARER ${validToken}`,
    ]);
  });

  it('carries no query on header-only attempts', () => {
    for (const attempt of attempts.filter((candidate) => candidate.caseId === 'dup-header' || candidate.caseId === 'scheme-case')) {
      expect(attempt.query).toBeUndefined();
    }
  });
});
