import { readFileSync, readdirSync } from 'node:fs';

/** Whether a process (or, with `group`, any process of that group) exists; EPERM means it does. */
export function processAlive(pid: number, group = false): boolean {
  try {
    process.kill(group ? -pid : pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether any process of the group still runs: like `processAlive(groupId, true)`, except that on
 * Linux a zombie (exited, waiting for init to reap it) does not count.
 */
export function groupRunning(groupId: number): boolean {
  if (!processAlive(groupId, true)) return false;
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return true;
  }
  return entries.some((entry) => {
    if (!/^[0-9]+$/.test(entry)) return false;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid pgrp …: comm may hold spaces and parentheses, so read after the last ')'.
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return Number(pgrp) === groupId && state !== 'Z';
    } catch {
      return false;
    }
  });
}
