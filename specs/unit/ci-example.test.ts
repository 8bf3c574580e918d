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
