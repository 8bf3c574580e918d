import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { kcboxServer } from '../../harness/vitest/index.js';
import { runKcbox, sharedServerEnv } from '../support/cli-process.js';
import { useTempDir } from '../support/temp.js';

const tempDir = useTempDir();

/** The recipes' kcbox commands, as written (`npx kcbox …` → the arguments). */
function kcboxCommands(): string[][] {
  const github = parse(readFileSync('examples/ci/github-actions.yml', 'utf8')) as {
    jobs: Record<string, { steps: Array<{ run?: string }> }>;
  };
  const gitlab = parse(readFileSync('examples/ci/gitlab-ci.yml', 'utf8')) as Record<string, { before_script: string[]; script: string[] }>;
  const lines = [
    ...Object.values(github.jobs).flatMap((job) => job.steps.flatMap((step) => (step.run ? [step.run] : []))),
    ...Object.values(gitlab).flatMap((job) => [...job.before_script, ...job.script]),
  ];
  return lines.filter((line) => line.trim().startsWith('npx kcbox ')).map((line) => line.trim().split(/\s+/).slice(2));
}

describe('the CI recipes, run here as written', () => {
  it("every kcbox command they contain works: fetch, and check with each recipe's reports", async () => {
    const provided = kcboxServer();
    const folder = tempDir();
    const env = sharedServerEnv(provided, folder);
    const commands = kcboxCommands();
    expect(commands.map((args) => args[0])).toEqual(['fetch', 'check', 'fetch', 'check']);
    for (const args of commands) {
      // The user's matrix is the bundled example here, and the reports go to a temporary folder.
      const adapted = args.map((arg) =>
        arg === 'matrix.yaml' ? 'examples/express-inventory/matrix.yaml' : arg.replace(/=reports\//, `=${folder}/reports/`),
      );
      const run = await runKcbox([...adapted, ...(args[0] === 'check' ? ['--hostile', 'none,scheme-case'] : [])], env);
      expect(run.code, `kcbox ${adapted.join(' ')}\n${run.stderr}`).toBe(0);
    }
    for (const report of ['kcbox.sarif', 'kcbox.xml', 'kcbox.html', 'kcbox.md'])
      expect(existsSync(join(folder, 'reports', report)), report).toBe(true);
  });
});
