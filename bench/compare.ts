import type { Figure } from './stats.js';

/** A figure that got worse than the previous run by more than the tolerance. */
export interface Regression {
  readonly figure: string;
  readonly previous: number;
  readonly current: number;
  /** How much worse, as a fraction: 0.25 is 25 % worse. */
  readonly worse: number;
}

/** Rates (`…/s`) are better higher; times, sizes and ratios lower. */
export const higherIsBetter = (name: string) => name.includes('/s');

/**
 * Every figure present in both runs whose median is worse than the previous one by more than
 * `tolerance` (default 10 %), worst first. Figures only one run has are not compared.
 */
export function regressions(
  previous: Readonly<Record<string, Pick<Figure, 'median'>>>,
  current: Readonly<Record<string, Pick<Figure, 'median'>>>,
  tolerance = 0.1,
): Regression[] {
  return Object.entries(current)
    .flatMap(([name, figure]) => {
      const before = previous[name]?.median;
      if (before === undefined || !Number.isFinite(before) || before <= 0 || !Number.isFinite(figure.median)) return [];
      const worse = higherIsBetter(name) ? before / figure.median - 1 : figure.median / before - 1;
      return worse > tolerance ? [{ figure: name, previous: before, current: figure.median, worse }] : [];
    })
    .sort((a, b) => b.worse - a.worse);
}
