import { describe, expect, it } from 'vitest';
import { hostileCase } from '../../harness/hostile/catalog.js';
import { ADDED_LATENCY_LIMIT_MS, judgeAttempt } from '../../harness/hostile/judge-attempt.js';
import type { HostileCase } from '../../harness/hostile/types.js';
import { answered as observation, type Observation } from '../../harness/http/observation.js';

const kase = (id: string) => hostileCase(id) as HostileCase;
const answered = (status: number, durationMs = 5): Observation => observation(status, '', durationMs);

describe('judging hostile attempts', () => {
  it('passes a refusal with the case status, and flags acceptance at the case severity', () => {
    expect(judgeAttempt(kase('none'), answered(401), 5)).toMatchObject({ pass: true });
    expect(judgeAttempt(kase('none'), answered(200), 5)).toEqual({
      pass: false,
      severity: 'critical',
      reason: 'the backend accepted it (200)',
    });
    // 404 means the handler ran: the token got in.
    expect(judgeAttempt(kase('id-token'), answered(404), 5)).toMatchObject({ pass: false, severity: 'high' });
  });

  it('treats a refusal with another status as a policy matter, never above the case', () => {
    expect(judgeAttempt(kase('none'), answered(403), 5)).toEqual({
      pass: false,
      severity: 'policy',
      reason: 'refused with 403; expected 401',
    });
    expect(judgeAttempt(kase('revoked-session'), answered(403), 5)).toMatchObject({ pass: false, severity: 'advisory' });
    expect(judgeAttempt(kase('dup-header'), answered(400), 5)).toMatchObject({ pass: true });
    expect(judgeAttempt(kase('oversized'), answered(431), 5)).toMatchObject({ pass: true });
  });

  it('flags server errors; silence is inconclusive, never a finding; a reset after an oversized header is the 431 it is', () => {
    expect(judgeAttempt(kase('format'), answered(500), 5)).toMatchObject({
      pass: false,
      reason: 'the backend failed with 500 instead of refusing the token',
    });
    expect(
      judgeAttempt(kase('none'), { kind: 'timeout', status: undefined, excerpt: 'no answer within 10 ms', durationMs: 10 }, 5),
    ).toMatchObject({ pass: false, inconclusive: true, reason: 'no answer (timeout): no answer within 10 ms' });
    expect(
      judgeAttempt(kase('format'), { kind: 'network-error', status: undefined, excerpt: 'read ECONNRESET', durationMs: 3 }, 5),
    ).toMatchObject({ pass: true });
    expect(
      judgeAttempt(kase('none'), { kind: 'network-error', status: undefined, excerpt: 'read ECONNRESET', durationMs: 3 }, 5),
    ).toMatchObject({ pass: false, inconclusive: true });
    expect(judgeAttempt(kase('none'), answered(200), 5).inconclusive).toBeUndefined();
  });

  it('requires controls to get in', () => {
    expect(judgeAttempt(kase('scheme-case'), answered(200), 5)).toMatchObject({ pass: true });
    expect(judgeAttempt(kase('scheme-case'), answered(401), 5)).toEqual({
      pass: false,
      severity: 'high',
      reason: 'a valid token was refused with 401',
    });
  });

  it('flags a kid trick that is refused only after a delay', () => {
    expect(judgeAttempt(kase('kid-inject'), answered(401, 40 + ADDED_LATENCY_LIMIT_MS + 1), 40)).toMatchObject({
      pass: false,
      severity: 'critical',
      reason: expect.stringContaining('refused, but after'),
    });
    expect(judgeAttempt(kase('kid-inject'), answered(401, 60), 40)).toMatchObject({ pass: true });
    expect(judgeAttempt(kase('none'), answered(401, 9_000), 40)).toMatchObject({ pass: true });
  });
});
