import { describe, expect, it } from 'vitest';
import { runHostileSuite, unreachableListenerCases } from '../../harness/hostile/run-hostile.js';
import type { HostileRunContext } from '../../harness/hostile/run-hostile.js';
import type { MatrixSpec } from '../../harness/matrix/types.js';

const image = { name: 'example/api:local', port: 3000, command: undefined, env: {} };
const specWith = (backendImage: typeof image | undefined) =>
  ({ endpoints: [], users: [], callers: {}, backend: { image: backendImage } }) as unknown as MatrixSpec;

describe('a backend in a container and the key listener on the host’s loopback', () => {
  it('skips jku and x5u, with the reason, only when the backend is an image', () => {
    expect(unreachableListenerCases(specWith(undefined), ['none', 'jku', 'x5u'])).toEqual([]);
    const skipped = unreachableListenerCases(specWith(image), ['none', 'jku', 'x5u']);
    expect(skipped.map((entry) => entry.id)).toEqual(['jku', 'x5u']);
    expect(skipped[0]?.reason).toContain("cannot reach kcbox's key listener on the host's loopback");
    expect(unreachableListenerCases(specWith(image), ['none'])).toEqual([]);
  });

  it('reports them as skipped in the suite’s result', async () => {
    const result = await runHostileSuite({
      spec: specWith(image),
      cells: [],
      backendUrl: 'http://127.0.0.1:1',
      concurrency: 1,
      timeoutMs: 1000,
      options: { cases: ['none', 'jku', 'x5u'] },
      showTokens: false,
    } as unknown as HostileRunContext);
    expect(result.skipped.map((entry) => entry.id)).toEqual(['jku', 'x5u']);
    expect(result.attempts).toEqual([]);
  });
});
