import { describe, expect, it } from 'vitest';
import { hostileCase } from '../../harness/hostile/catalog.js';
import { ADDED_LATENCY_LIMIT_MS, judgeAttempt } from '../../harness/hostile/judge-attempt.js';
import { HOSTILE_CASE_IDS, type HostileCase } from '../../harness/hostile/types.js';
import { answered as observation, noAnswer, type Observation } from '../../harness/http/observation.js';

const kase = (id: string) => hostileCase(id) as HostileCase;
const answered = (status: number, durationMs = 5): Observation => observation(status, '', durationMs);
/** What a valid token got on the endpoint. */
const valid = answered(200, 5);

describe('judging hostile attempts', () => {
  it('passes a refusal with the case status, and flags acceptance at the case severity', () => {
    expect(judgeAttempt(kase('none'), answered(401), valid)).toMatchObject({ pass: true });
    expect(judgeAttempt(kase('none'), answered(200), valid)).toEqual({
      pass: false,
      severity: 'critical',
      reason: 'the backend accepted it (200)',
    });
    // The valid token's own answer, whatever it is, means the forged token got as far.
    expect(judgeAttempt(kase('id-token'), answered(404), answered(404))).toMatchObject({
      pass: false,
      severity: 'high',
      reason: 'the backend accepted it (404, as for a valid token)',
    });
  });

  it('counts any other refusal status as a refusal, at most advisory', () => {
    expect(judgeAttempt(kase('none'), answered(403), valid)).toEqual({
      pass: false,
      severity: 'advisory',
      reason: 'refused with 403 where 401 is conventional',
    });
    // An API that hides what a caller may not see, or sends browsers to its login page.
    expect(judgeAttempt(kase('other-realm'), answered(404), valid)).toMatchObject({ pass: false, severity: 'advisory' });
    expect(judgeAttempt(kase('other-realm'), answered(302), valid)).toMatchObject({ pass: false, severity: 'advisory' });
    expect(judgeAttempt(kase('revoked-session'), answered(403), valid)).toMatchObject({ pass: false, severity: 'advisory' });
    expect(judgeAttempt(kase('dup-header'), answered(400), valid)).toMatchObject({ pass: true });
    expect(judgeAttempt(kase('oversized'), answered(431), valid)).toMatchObject({ pass: true });
  });

  it('lowers a variant to its cap: two identical Authorization lines are advisory at most', () => {
    expect(judgeAttempt(kase('dup-header'), answered(200), valid, 'advisory')).toMatchObject({ pass: false, severity: 'advisory' });
    expect(judgeAttempt(kase('dup-header'), answered(200), valid)).toMatchObject({ pass: false, severity: 'policy' });
  });

  it('flags server errors; silence is inconclusive, never a finding; a reset after an oversized header is the 431 it is', () => {
    expect(judgeAttempt(kase('format'), answered(500), valid)).toMatchObject({
      pass: false,
      reason: 'the backend failed with 500 instead of refusing the token',
    });
    expect(judgeAttempt(kase('none'), noAnswer('timeout', 'no answer within 10 ms', 10), valid)).toMatchObject({
      pass: false,
      inconclusive: true,
      reason: 'no answer (timeout): no answer within 10 ms',
    });
    expect(judgeAttempt(kase('format'), noAnswer('network-error', 'read ECONNRESET', 3), valid)).toMatchObject({ pass: true });
    expect(judgeAttempt(kase('none'), noAnswer('network-error', 'read ECONNRESET', 3), valid)).toMatchObject({
      pass: false,
      inconclusive: true,
    });
    expect(judgeAttempt(kase('none'), answered(200), valid).inconclusive).toBeUndefined();
  });

  it('never takes an answer that cannot tell refusal from acceptance as either', () => {
    // A valid token gets 400 here too (a body the handler rejects).
    expect(judgeAttempt(kase('none'), answered(400), answered(400))).toMatchObject({ pass: false, inconclusive: true });
    expect(judgeAttempt(kase('none'), answered(429), valid)).toMatchObject({ pass: false, inconclusive: true });
    expect(judgeAttempt(kase('none'), answered(408), valid)).toMatchObject({ pass: false, inconclusive: true });
    // A reset, then a refused connection: the backend went down, which is no refusal.
    const crashed = noAnswer('network-error', 'no answer, twice: socket hang up; then on a fresh connection: connect ECONNREFUSED', 3);
    expect(judgeAttempt(kase('oversized'), crashed, valid)).toMatchObject({ pass: false, inconclusive: true });
  });

  it('requires controls to get in; a refused control is interoperability, not security', () => {
    expect(judgeAttempt(kase('scheme-case'), answered(302), valid)).toMatchObject({ pass: false, severity: 'advisory' });
    expect(judgeAttempt(kase('scheme-case'), answered(404), answered(404))).toMatchObject({ pass: true });
    expect(judgeAttempt(kase('scheme-case'), answered(200), valid)).toMatchObject({ pass: true });
    expect(judgeAttempt(kase('scheme-case'), answered(401), valid)).toEqual({
      pass: false,
      severity: 'advisory',
      reason: 'a valid token was refused with 401',
    });
  });

  it('flags a kid trick that is refused only after a delay', () => {
    const baseline = answered(200, 40);
    expect(judgeAttempt(kase('kid-inject'), answered(401, 40 + ADDED_LATENCY_LIMIT_MS + 1), baseline)).toMatchObject({
      pass: false,
      severity: 'critical',
      reason: expect.stringContaining('refused, but after'),
    });
    expect(judgeAttempt(kase('kid-inject'), answered(401, 60), baseline)).toMatchObject({ pass: true });
    expect(judgeAttempt(kase('none'), answered(401, 9_000), baseline)).toMatchObject({ pass: true });
  });
});

describe('severity by exploitability', () => {
  it('rates critical or high only what someone without the realm key can make or obtain', () => {
    const keyHolderOnly = HOSTILE_CASE_IDS.filter((id) => kase(id).exploitableBy.startsWith('only a holder'));
    expect(keyHolderOnly).toEqual([
      'crit-unknown',
      'not-yet-valid',
      'iat-future',
      'exp-missing',
      'iss-other-realm',
      'iss-missing',
      'aud-other-client',
      'typ-id',
      'typ-refresh',
    ]);
    for (const id of keyHolderOnly) expect(kase(id).severity, id).toBe('policy');
    expect(kase('scheme-case')).toMatchObject({ control: true, severity: 'advisory' });
    // Their real, obtainable counterparts stay high: another client's token, an ID token.
    expect(kase('other-client').severity).toBe('high');
    expect(kase('id-token').severity).toBe('high');
    for (const id of HOSTILE_CASE_IDS) expect(kase(id).exploitableBy.length, id).toBeGreaterThan(10);
  });
});
