import { processAlive } from '../../harness/runtime/process-alive.js';

/** True while any process of the group lives. */
export function groupAlive(groupId: number): boolean {
  return processAlive(groupId, true);
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
