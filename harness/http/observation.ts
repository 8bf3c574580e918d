/**
 * What a backend did with one request, and nothing more: the status it answered, or which kind of
 * no-answer. Whether that is right is decided elsewhere, by the judge that knows what was expected.
 */

/** The request got no HTTP answer at all. */
export type NoAnswerKind = 'network-error' | 'timeout';

export type Observation = {
  /** The first few hundred characters of the body, or what went wrong on the wire. */
  readonly excerpt: string;
  readonly durationMs: number;
} & ({ readonly kind: 'answered'; readonly status: number } | { readonly kind: NoAnswerKind; readonly status: undefined });

export function answered(status: number, excerpt: string, durationMs: number): Observation {
  return { kind: 'answered', status, excerpt, durationMs };
}

export function noAnswer(kind: NoAnswerKind, excerpt: string, durationMs: number): Observation {
  return { kind, status: undefined, excerpt, durationMs };
}

/** `403`, or `timeout` / `network-error` when nothing answered. */
export function answerLabel(observed: Observation): string {
  return observed.kind === 'answered' ? String(observed.status) : observed.kind;
}
