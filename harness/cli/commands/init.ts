import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { KcboxError, describeError } from '../../errors.js';
import { plural } from '../../report/words.js';
import { initMatrix } from '../../openapi/init-matrix.js';
import type { CliOutput } from '../output.js';

export interface InitOptions {
  readonly openapi: string;
  readonly realm?: string;
  readonly policyEnforcer?: string;
  readonly out: string;
  readonly force: boolean;
}

/** Writes a matrix file from an OpenAPI document for a person to review. Exit 0, or 2 on bad input. */
export async function init(options: InitOptions, output: CliOutput): Promise<number> {
  // Before reading anything: a reviewed matrix is work that must not be lost to a second run.
  if (!options.force && existsSync(options.out))
    throw new KcboxError(
      'ERR_KCBOX_OUT_EXISTS',
      `${options.out} exists; kcbox init does not overwrite it: pass --force, or --out OTHER_FILE.`,
    );
  const matrix = await initMatrix({
    openapi: options.openapi,
    realm: options.realm,
    policyEnforcer: options.policyEnforcer,
    out: options.out,
  });
  try {
    await writeFile(options.out, matrix.text, { flag: options.force ? 'w' : 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST')
      throw new KcboxError(
        'ERR_KCBOX_OUT_EXISTS',
        `${options.out} exists; kcbox init does not overwrite it: pass --force, or --out OTHER_FILE.`,
      );
    throw new KcboxError('ERR_KCBOX_USAGE', `--out ${options.out}: cannot write it (${describeError(error)}).`, { cause: error });
  }
  output.err(
    `Wrote ${options.out}: ${plural(matrix.operations, 'operation')}, ${plural(matrix.guesses, 'value')} marked "guess:" to review. Then: kcbox check --matrix ${options.out}`,
  );
  return 0;
}
