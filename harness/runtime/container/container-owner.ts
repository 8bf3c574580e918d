import { readFileSync, readlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import { processAlive } from '../../process/process-alive.js';

/**
 * Who started a container, as a label value: `host|pid-namespace|pid|start-time`. A later start on
 * the same machine tells from it whether that process is gone; a pid alone would not do (pids are
 * reused, and one engine can serve several machines or containers with their own pid numbering).
 */
export const OWNER_LABEL = 'org.kcbox.owner';

function pidNamespace(): string {
  try {
    return readlinkSync('/proc/self/ns/pid');
  } catch {
    return '';
  }
}

/** A process's start time in clock ticks since boot (Linux), '' where it cannot be read. */
function startTime(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22; the command name in field 2 may hold spaces and parentheses.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? '';
  } catch {
    return '';
  }
}

/** The label value naming this process (or `pid`, on this machine). */
export function ownerLabel(pid: number = process.pid): string {
  return [hostname(), pidNamespace(), String(pid), startTime(pid)].join('|');
}

/**
 * True only when the owner is certainly gone: it ran on this machine, in this pid namespace, and
 * its pid is free or now belongs to a process that started at another time. An owner elsewhere,
 * or a label this version does not read, is never judged.
 */
export function ownerIsGone(label: string): boolean {
  const parts = label.split('|');
  if (parts.length !== 4) return false;
  const [host, namespace, pidText, started] = parts as [string, string, string, string];
  if (host !== hostname() || namespace !== pidNamespace() || !/^\d+$/.test(pidText)) return false;
  const pid = Number(pidText);
  if (!processAlive(pid)) return true;
  const now = startTime(pid);
  return started !== '' && now !== '' && now !== started;
}
