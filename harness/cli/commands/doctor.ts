import pc from 'picocolors';
import { type DoctorFact, type DoctorReport, canRunHere, gatherDoctorReport } from '../../runtime/doctor.js';
import type { CliOutput } from '../output.js';

/** One line per fact: `✓ name: detail` or `✗ name: detail — fix`. */
export function renderFact(fact: DoctorFact): string {
  if (fact.ok) return `${pc.green('✓')} ${pc.bold(fact.name)}: ${fact.detail}`;
  return `${pc.red('✗')} ${pc.bold(fact.name)}: ${fact.detail}${fact.fix ? ` — ${pc.cyan(fact.fix)}` : ''}`;
}

/** The text report: the facts, then one verdict line. */
export function renderDoctor(report: DoctorReport): string[] {
  const verdict = canRunHere(report)
    ? `${pc.green('✓')} kcbox can run a check here (runtime ${report.runtime}).`
    : `${pc.red('✗')} kcbox cannot run a check here: no JDK fits, no container runtime is usable and KCBOX_URL is not set.`;
  return [...report.facts.map(renderFact), verdict];
}

/** 0 when kcbox can run a check here, 1 otherwise. */
export function doctorExitCode(report: DoctorReport): number {
  return canRunHere(report) ? 0 : 1;
}

export async function doctor(
  options: { json: boolean },
  output: CliOutput,
  gather: () => Promise<DoctorReport> = () => gatherDoctorReport(),
): Promise<number> {
  const report = await gather();
  const code = doctorExitCode(report);
  if (options.json) {
    output.out(
      JSON.stringify({
        ok: code === 0,
        runtime: report.runtime,
        javaFits: report.javaFits,
        containerUsable: report.containerUsable,
        remoteUrl: report.remoteUrl ?? null,
        facts: report.facts,
      }),
    );
  } else {
    for (const line of renderDoctor(report)) output.out(line);
  }
  return code;
}
