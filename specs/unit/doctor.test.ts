import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { doctor, doctorExitCode, renderDoctor, renderFact } from '../../harness/cli/commands/doctor.js';
import { type DoctorReport, canRunHere, formatBytes, gatherDoctorReport } from '../../harness/runtime/doctor.js';
import { useTempDir } from '../support/temp.js';

const tempDir = useTempDir();
// picocolors may colour (CI set, a terminal): compare the plain text.
const plain = (text: string) => text.replace(/\u001b\[[0-9;]*m/g, '');

function report(overrides: Partial<DoctorReport> = {}): DoctorReport {
  return {
    facts: [
      { name: 'java', ok: true, detail: 'chose Java 25.0.3 at /jdk (JAVA_HOME)' },
      { name: 'docker', ok: false, detail: 'no Docker engine answers', fix: 'start Docker' },
    ],
    runtime: 'dist',
    javaFits: true,
    containerUsable: false,
    ...overrides,
  };
}

describe('kcbox doctor rendering', () => {
  it('renders a present fact as ✓ name: detail and a missing one with its fix', () => {
    expect(plain(renderFact({ name: 'java', ok: true, detail: 'chose Java 25' }))).toBe('✓ java: chose Java 25');
    expect(plain(renderFact({ name: 'docker', ok: false, detail: 'no engine', fix: 'start Docker' }))).toBe(
      '✗ docker: no engine — start Docker',
    );
    expect(plain(renderFact({ name: 'chromium', ok: false, detail: 'not found' }))).toBe('✗ chromium: not found');
  });

  it('renders one line per fact and a verdict line', () => {
    const lines = renderDoctor(report()).map(plain);
    expect(lines).toEqual([
      '✓ java: chose Java 25.0.3 at /jdk (JAVA_HOME)',
      '✗ docker: no Docker engine answers — start Docker',
      '✓ kcbox can run a check here (runtime dist).',
    ]);
    expect(plain(renderDoctor(report({ javaFits: false })).at(-1)!)).toMatch(/^✗ kcbox cannot run a check here/);
  });

  it('formats sizes', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(354.4 * 1024 * 1024)).toBe('354.4 MiB');
  });
});

describe('kcbox doctor exit code', () => {
  it.each([
    [{ javaFits: true, containerUsable: false }, 0],
    [{ javaFits: false, containerUsable: true }, 0],
    [{ javaFits: false, containerUsable: false, remoteUrl: 'http://keycloak:8080' }, 0],
    [{ javaFits: false, containerUsable: false }, 1],
  ] as const)('%o → %i', (decisive, code) => {
    const facts = report(decisive);
    expect(canRunHere(facts)).toBe(code === 0);
    expect(doctorExitCode(facts)).toBe(code);
  });

  it('a failing informational fact (Chromium, Docker) does not change the exit code', () => {
    const withMissing = report({
      facts: [...report().facts, { name: 'chromium', ok: false, detail: 'not at /usr/bin/chromium', fix: 'install chromium' }],
    });
    expect(doctorExitCode(withMissing)).toBe(0);
  });

  it('--json prints one object with the facts; text prints one line each', async () => {
    const out: string[] = [];
    const output = { out: (text: string) => out.push(text), err: () => {} };
    expect(await doctor({ json: true }, output, async () => report({ javaFits: false }))).toBe(1);
    expect(out).toHaveLength(1);
    const parsed = JSON.parse(out[0]!) as Record<string, unknown>;
    expect(parsed).toMatchObject({ ok: false, runtime: 'dist', javaFits: false, containerUsable: false, remoteUrl: null });
    expect(parsed.facts).toEqual(report().facts);

    out.length = 0;
    expect(await doctor({ json: false }, output, async () => report())).toBe(0);
    expect(out.map(plain)).toHaveLength(3);
  });
});

describe('gatherDoctorReport', () => {
  it('without a JDK reports the fix, and reports a cached installation that fails its manifest check', async () => {
    const cache = tempDir();
    const home = join(cache, 'installs', '26.7.3-abcdef012345');
    mkdirSync(home, { recursive: true });
    writeFileSync(join(home, '.kcbox-install.json'), JSON.stringify({ version: '26.7.3', buildArgs: ['--db=dev-file'] }));
    // The manifest records a file the installation no longer has.
    writeFileSync(
      join(home, '.kcbox-manifest.json'),
      JSON.stringify({
        format: 1,
        origin: 'built',
        createdAt: '2026-01-01T00:00:00.000Z',
        files: { 'lib/quarkus-run.jar': { size: 10, mtimeMs: 1, sha256: 'x' } },
      }),
    );
    const env = { PATH: '', KCBOX_CACHE: cache, KCBOX_STATE_FILE: join(cache, 'state.json'), KCBOX_CHROMIUM: join(cache, 'none') };

    const result = await gatherDoctorReport({ env, jdkRoots: [] });
    const fact = (name: string) => result.facts.find((candidate) => candidate.name === name)!;
    expect(result.facts.map((candidate) => candidate.name)).toEqual(['java', 'maven', 'docker', 'runtime', 'cache', 'server', 'chromium']);
    expect(result.javaFits).toBe(false);
    expect(fact('java')).toMatchObject({ ok: false, fix: expect.stringContaining('KCBOX_JAVA_HOME') });
    expect(fact('maven').ok).toBe(false);
    expect(fact('cache')).toMatchObject({ ok: false });
    expect(fact('cache').detail).toContain(cache);
    expect(fact('cache').detail).toContain('26.7.3 (26.7.3-abcdef012345, --db=dev-file)');
    expect(fact('cache').detail).toContain('lib/quarkus-run.jar is missing');
    expect(fact('server')).toMatchObject({ ok: true, detail: expect.stringContaining('none recorded') });
    expect(fact('chromium')).toMatchObject({ ok: false, fix: expect.stringContaining('KCBOX_CHROMIUM') });
    expect(result.remoteUrl).toBeUndefined();
  });

  it('with KCBOX_URL, auto picks remote and kcbox can run a check even without a JDK', async () => {
    const cache = tempDir();
    // A port nothing listens on.
    const env = { PATH: '', KCBOX_CACHE: join(cache, 'empty'), KCBOX_URL: 'http://127.0.0.1:9', KCBOX_CHROMIUM: join(cache, 'none') };
    const result = await gatherDoctorReport({ env, jdkRoots: [] });
    expect(result.runtime).toBe('remote');
    expect(canRunHere(result)).toBe(true);
    expect(result.facts.find((fact) => fact.name === 'server')).toMatchObject({
      ok: false,
      detail: expect.stringContaining('does not answer'),
    });
    expect(result.facts.find((fact) => fact.name === 'cache')).toMatchObject({ ok: true, detail: expect.stringContaining('empty') });
  });
});
