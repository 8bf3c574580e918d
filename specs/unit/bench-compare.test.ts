import { describe, expect, it } from 'vitest';
import { regressions } from '../../bench/compare.js';

const figure = (median: number) => ({ median });

describe('bench regressions against the previous results.json', () => {
  it('flags times more than 10 % longer and rates more than 10 % lower, worst first', () => {
    const previous = { 'warm start': figure(10_000), 'cells/s': figure(1000), import: figure(1000), 'RSS, MB': figure(500) };
    const current = { 'warm start': figure(11_500), 'cells/s': figure(800), import: figure(1090), 'RSS, MB': figure(400) };
    expect(regressions(previous, current)).toEqual([
      { figure: 'cells/s', previous: 1000, current: 800, worse: 0.25 },
      { figure: 'warm start', previous: 10_000, current: 11_500, worse: expect.closeTo(0.15, 5) },
    ]);
  });

  it('compares only figures both runs have', () => {
    expect(regressions({ old: figure(1) }, { new: figure(100) })).toEqual([]);
  });
});
