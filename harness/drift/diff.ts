import { formatJsonPath } from '../realm/json-path.js';

/** One difference between an expected (file) and an actual (live) value, at a JSON path. */
export interface DiffEntry {
  readonly kind: 'added' | 'removed' | 'changed';
  /** e.g. `$.policies["View inventory"].config.applyPolicies` */
  readonly path: string;
  /** What the file says (absent for `added`). */
  readonly expected?: unknown;
  /** What the live realm has (absent for `removed`). */
  readonly actual?: unknown;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function child(path: string, key: string): string {
  return `${path}${formatJsonPath([key]).slice(1)}`;
}

/**
 * Differences from `expected` to `actual`: objects by key, lists as sets (what was added or
 * removed), anything else by value. Keys present on one side only are added or removed whole.
 */
export function diffValues(expected: unknown, actual: unknown, path = '$'): DiffEntry[] {
  if (isObject(expected) && isObject(actual)) {
    const keys = [...new Set([...Object.keys(expected), ...Object.keys(actual)])].sort();
    return keys.flatMap((key) => {
      if (!(key in actual)) return [{ kind: 'removed' as const, path: child(path, key), expected: expected[key] }];
      if (!(key in expected)) return [{ kind: 'added' as const, path: child(path, key), actual: actual[key] }];
      return diffValues(expected[key], actual[key], child(path, key));
    });
  }
  if (Array.isArray(expected) && Array.isArray(actual)) {
    const key = (item: unknown) => JSON.stringify(item);
    const before = new Set(expected.map(key));
    const after = new Set(actual.map(key));
    return [
      ...expected.filter((item) => !after.has(key(item))).map((item) => ({ kind: 'removed' as const, path, expected: item })),
      ...actual.filter((item) => !before.has(key(item))).map((item) => ({ kind: 'added' as const, path, actual: item })),
    ];
  }
  return JSON.stringify(expected) === JSON.stringify(actual) ? [] : [{ kind: 'changed', path, expected, actual }];
}
