import { KcboxError } from '../errors.js';

/** One thing wrong with a matrix file, where it is and what was expected. */
export interface SpecProblem {
  readonly file: string;
  /** 1-based; undefined for specs given as objects. */
  readonly line: number | undefined;
  /** 1-based, for syntax errors that know it. */
  readonly column?: number | undefined;
  /** Where in the document, e.g. `endpoints[2].method`. */
  readonly path: string;
  readonly message: string;
}

export function formatProblem(problem: SpecProblem): string {
  const where =
    problem.line === undefined
      ? problem.file
      : `${problem.file}:${problem.line}${problem.column === undefined ? '' : `:${problem.column}`}`;
  return `${where}: ${problem.path ? `${problem.path}: ` : ''}${problem.message}`;
}

/** A matrix spec that cannot be run; lists every problem found, not only the first. Exit 2. */
export class MatrixSpecError extends KcboxError {
  readonly problems: readonly SpecProblem[];

  constructor(problems: readonly SpecProblem[]) {
    const count = problems.length === 1 ? 'a problem' : `${problems.length} problems`;
    super('ERR_KCBOX_MATRIX_SPEC', `The matrix spec has ${count}:\n${problems.map((p) => `  ${formatProblem(p)}`).join('\n')}`);
    this.problems = problems;
  }
}
