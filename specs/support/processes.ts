import { groupRunning, processAlive } from '../../harness/process/process-alive.js';

/** True while any process of the group runs (a zombie waiting for init to reap it does not). */
export function groupAlive(groupId: number): boolean {
  return groupRunning(groupId);
}

export { processAlive };
/** Polls until `check` is false or `ms` passes; returns whether it became false. */
export async function becomesFalse(check: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (check()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return true;
}
