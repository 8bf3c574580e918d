import { readFileSync, readdirSync } from 'node:fs';

/** Peak resident set size (VmHWM) of a process in MB; undefined when it cannot be read. */
export function peakRssMb(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/^VmHWM:\s+(\d+)\s+kB/m.exec(status)?.[1]);
    return Number.isFinite(kb) ? kb / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** The java process of a process group (kc.sh execs or forks it). */
export function javaOfGroup(groupId: number): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const command = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      if (Number(fields[2]) === groupId && command === 'java') return Number(entry);
    } catch {
      // Gone while we looked.
    }
  }
  return undefined;
}
