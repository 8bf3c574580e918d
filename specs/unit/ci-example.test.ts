import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildProgram } from '../../harness/cli/main.js';
import { parseReportTargets } from '../../harness/report/index.js';

const WORKFLOW = 'examples/ci/github-actions.yml';

interface Step {
  readonly name?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly if?: string;
  readonly with?: Record<string, string>;
}

const steps = (parse(readFileSync(WORKFLOW, 'utf8')) as { jobs: Record<string, { steps: Step[] }> }).jobs['scope-matrix']!.steps;

describe('the GitHub Actions example', () => {
  it('runs kcbox check with flags the CLI has, and uploads the SARIF file it writes', () => {
    const check = steps.find((step) => step.run?.includes('kcbox check'))!;
    const args = check.run!.trim().split(/\s+/).slice(2);
    expect(args[0]).toBe('check');
    const command = buildProgram({ out: () => {}, err: () => {} }, () => {}).commands.find((entry) => entry.name() === 'check')!;
    const flags = new Set(command.options.map((option) => option.long));
    expect(args.filter((arg) => arg.startsWith('--') && !flags.has(arg))).toEqual([]);
    const reports = parseReportTargets(args.flatMap((arg, index) => (args[index - 1] === '--report' ? [arg] : [])));
    expect(reports.map((report) => report.format)).toEqual(['sarif', 'junit', 'html']);

    const upload = steps.find((step) => step.uses?.startsWith('github/codeql-action/upload-sarif'))!;
    expect(upload.with?.sarif_file).toBe(reports.find((report) => report.format === 'sarif')?.path);
    // A failing check (exit 1) still publishes what it found.
    expect(upload.if).toContain('!cancelled()');
    expect(steps.findIndex((step) => step.run === 'npx kcbox fetch')).toBeLessThan(steps.indexOf(check));
  });
});

describe('the GitLab CI example', () => {
  const job = (parse(readFileSync('examples/ci/gitlab-ci.yml', 'utf8')) as Record<string, GitLabJob>).kcbox!;

  it('runs kcbox check with flags the CLI has, keeps the JUnit report and caches inside the project', () => {
    const check = job.script.find((line) => line.includes('kcbox check'))!;
    const args = check.trim().split(/\s+/).slice(2);
    const command = buildProgram({ out: () => {}, err: () => {} }, () => {}).commands.find((entry) => entry.name() === 'check')!;
    const flags = new Set(command.options.map((option) => option.long));
    expect(args.filter((arg) => arg.startsWith('--') && !flags.has(arg))).toEqual([]);
    const reports = parseReportTargets(args.flatMap((arg, index) => (args[index - 1] === '--report' ? [arg] : [])));
    expect(job.artifacts.reports.junit).toBe(reports.find((report) => report.format === 'junit')?.path);
    expect(job.artifacts.when).toBe('always');
    // GitLab caches only paths inside the project: kcbox's cache is moved there.
    expect(job.variables.KCBOX_CACHE).toBe('$CI_PROJECT_DIR/.cache/kcbox');
    expect(job.cache.paths).toContain('.cache/kcbox');
    expect(job.before_script.indexOf('npx kcbox fetch')).toBeGreaterThan(job.before_script.indexOf('npm ci'));
  });
});

interface GitLabJob {
  readonly variables: Record<string, string>;
  readonly cache: { readonly paths: readonly string[] };
  readonly before_script: readonly string[];
  readonly script: readonly string[];
  readonly artifacts: { readonly when: string; readonly reports: { readonly junit: string } };
}
