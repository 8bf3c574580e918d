/**
 * The smallest pieces of report wording, shared by the matrix and the hostile facts: counts,
 * one-line excerpts, a status in a few characters.
 */
import type { Observation } from '../matrix/types.js';

/** `1 cell`, `2 cells`. */
export const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

/** Whitespace collapsed to single spaces and cut to `max` characters with an ellipsis. */
export function oneLine(text: string, max = 200): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

/**
 * Short status for a grid cell: `200`, `timeout`, `conn. refused`, `no answer`. (Never a bare
 * `refused`: in the hostile suite that word means the backend refused the token.)
 */
export function statusLabel(observed: Observation): string {
  switch (observed.kind) {
    case 'timeout':
      return 'timeout';
    case 'network-error':
      return /refused/i.test(observed.excerpt) ? 'conn. refused' : 'no answer';
    default:
      return observed.status === undefined ? '—' : String(observed.status);
  }
}
