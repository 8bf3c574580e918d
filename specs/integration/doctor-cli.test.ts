import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runKcbox } from '../support/cli-process.js';
import { cacheRoot } from '../../harness/runtime/distribution/cache.js';
import { useTempDir } from '../support/temp.js';

const tempDir = useTempDir();

interface DoctorJson {
  ok: boolean;
  runtime: string;
  javaFits: boolean;
  containerUsable: boolean;
  remoteUrl: string | null;
  facts: Array<{ name: string; ok: boolean; detail: string; fix?: string }>;
}

describe('kcbox doctor (real CLI)', () => {
  it('--json prints one object naming the chosen JDK and the cache folder, and exits 0 where a JDK fits', async () => {
    const { KCBOX_URL: _url, KCBOX_RUNTIME: _runtime, ...inherited } = process.env;
    const env = { ...inherited, KCBOX_STATE_FILE: join(tempDir(), 'state.json'), NO_COLOR: '1' };
    const result = await runKcbox(['doctor', '--json'], env);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.trim().split('\n')).toHaveLength(1);
    const report = JSON.parse(result.stdout) as DoctorJson;

    expect(report).toMatchObject({ ok: true, javaFits: true, remoteUrl: null });
    expect(['dist', 'container']).toContain(report.runtime);
    expect(report.facts.map((fact) => fact.name)).toEqual(['java', 'maven', 'docker', 'runtime', 'cache', 'server', 'chromium']);
    for (const fact of report.facts) {
      expect(typeof fact.ok).toBe('boolean');
      expect(fact.detail).not.toBe('');
      if (!fact.ok) expect(fact.fix).toBeTruthy();
    }
    const fact = (name: string) => report.facts.find((candidate) => candidate.name === name)!;
    expect(fact('java')).toMatchObject({ ok: true, detail: expect.stringMatching(/^chose Java \d+\S* at \//) });
    expect(fact('cache').detail.startsWith(cacheRoot(undefined, env))).toBe(true);
    // The suite's shared server was built from this cache.
    expect(fact('cache').detail).toMatch(/builds: \d+\.\d+\.\d+/);
    expect(fact('server')).toMatchObject({ ok: true, detail: expect.stringContaining('none recorded') });
  });

  it('prints one ✓/✗ line per fact in text', async () => {
    const env = { ...process.env, KCBOX_STATE_FILE: join(tempDir(), 'state.json'), NO_COLOR: '1' };
    const result = await runKcbox(['doctor'], env);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toHaveLength(8);
    for (const line of lines) expect(line).toMatch(/^[✓✗] /);
    expect(lines[0]).toMatch(/^✓ java: chose Java/);
  });
});
