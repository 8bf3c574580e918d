import { describe, expect, it } from 'vitest';
import { describeMatrix } from '../../harness/vitest/index.js';

const EXPRESS = 'examples/express-inventory/matrix.yaml';

// One named test per cell and per hostile case: this is what a user's own suite looks like.
describeMatrix(EXPRESS);
// A case that cannot be forged shows as skipped with its reason (other-realm needs the realm file).
describeMatrix(EXPRESS, { hostile: { cases: ['none', 'scheme-case'] } });

describe('toEnforceMatrix', () => {
  it('passes for the example and fails, with the grid in the message, for its faulty variant', async () => {
    await expect(undefined).toEnforceMatrix(EXPRESS);
    const failure = await expect(undefined)
      .toEnforceMatrix(EXPRESS, { env: { ...process.env, FAULT: 'skip-delete-scope' }, hostile: false })
      .then(
        () => undefined,
        (error: unknown) => error as Error,
      );
    expect(failure?.message).toContain('does not enforce the matrix');
    expect(failure?.message).toContain('DELETE /api/inventory/2 × bob');
    await expect(undefined).not.toEnforceMatrix(EXPRESS, { env: { ...process.env, FAULT: 'skip-delete-scope' }, hostile: false });
  });

  it('refuses a received value that is not a URL', async () => {
    await expect(expect(42).toEnforceMatrix(EXPRESS)).rejects.toThrow(/expected the backend's base URL/);
  });
});
