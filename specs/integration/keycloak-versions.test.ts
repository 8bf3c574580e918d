import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import type { VersionsJsonReport } from '../../harness/report/versions-report.js';
import { findMaven } from '../../harness/runtime/distribution/maven.js';
import { runKcbox } from '../support/cli-process.js';
import { failedCells } from '../support/cells.js';
import { optionalTool } from '../support/optional-tool.js';
import { useTempDir } from '../support/temp.js';

/** The older version is fetched through Maven the first time (some 200 MB); the newer one is kcbox's default. */
const VERSIONS = ['26.4.7', '26.7.3'];
const maven = optionalTool('Maven (mvn on PATH), to fetch Keycloak 26.4.7', () => findMaven() !== undefined, 'apt-get install maven');
const tempDir = useTempDir();
/** Two servers started one after the other (plus 26.4.7's first fetch and build) on a shared machine. */
const RUN_TIMEOUT_MS = 900_000;

describe.skipIf(!maven.available)('kcbox check --keycloak across versions (dist runtime)', () => {
  it(
    'runs the matrix once per version and reports each version on its own; the worst decides the exit code',
    async () => {
      const folder = tempDir();
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        KCBOX_STATE_FILE: join(folder, 'no-state.json'),
        NO_COLOR: '1',
        FAULTY_VERSION: '26.4.',
      };
      delete env.KCBOX_URL;
      const reports = ['json', 'junit', 'md', 'sarif'].map((format) => `${format}=${join(folder, `kcbox.${format}`)}`);
      const run = await runKcbox(
        [
          'check',
          '--matrix',
          'specs/fixtures/versions/matrix.yaml',
          '--keycloak',
          VERSIONS.join(','),
          '--runtime',
          'dist',
          '--no-hostile',
          ...reports.flatMap((report) => ['--report', report]),
        ],
        env,
        RUN_TIMEOUT_MS,
      );
      // Only 26.4.7's backend is broken: one version's failure fails the check.
      expect(run.code, run.stderr).toBe(1);
      expect(run.stdout).toMatch(/Keycloak 26\.4\.7: FAIL · [^\n]*1 failed/);
      expect(run.stdout).toMatch(/Keycloak 26\.7\.3: PASS/);
      expect(run.stdout.indexOf('━━ Keycloak 26.4.7 ━━')).toBeLessThan(run.stdout.indexOf('━━ Keycloak 26.7.3 ━━'));

      const json = JSON.parse(readFileSync(join(folder, 'kcbox.json'), 'utf8')) as VersionsJsonReport;
      expect(Object.keys(json.versions)).toEqual(VERSIONS);
      expect(json.passed).toBe(false);
      expect(failedCells(json.versions['26.4.7']!)).toEqual(['DELETE /api/inventory/2 × bob']);
      expect(json.versions['26.7.3']!.passed).toBe(true);
      // Each version's backend saw its own Keycloak.
      expect(json.versions['26.4.7']!.backendOutput).toContain('Keycloak 26.4.7 at');
      expect(json.versions['26.7.3']!.backendOutput).toContain('Keycloak 26.7.3 at');

      const junit = new XMLParser({ ignoreAttributes: false, isArray: (name) => ['testsuite', 'testcase'].includes(name) }).parse(
        readFileSync(join(folder, 'kcbox.junit'), 'utf8'),
      ) as { testsuites: { testsuite: { '@_name': string; '@_failures': string }[] } };
      const suites = junit.testsuites.testsuite.map((suite) => [suite['@_name'], Number(suite['@_failures'])]);
      expect(suites.filter(([name]) => String(name).startsWith('Keycloak 26.4.7 · ')).some(([, failures]) => failures === 1)).toBe(true);
      expect(suites.filter(([name]) => String(name).startsWith('Keycloak 26.7.3 · ')).every(([, failures]) => failures === 0)).toBe(true);

      expect(readFileSync(join(folder, 'kcbox.md'), 'utf8')).toMatch(
        /^# kcbox across Keycloak versions[\s\S]*## Keycloak 26\.4\.7 · kcbox[\s\S]*## Keycloak 26\.7\.3 · kcbox/,
      );
      for (const version of VERSIONS) expect(existsSync(join(folder, `kcbox-${version}.sarif`))).toBe(true);
      expect(existsSync(join(folder, 'kcbox.sarif'))).toBe(false);
    },
    RUN_TIMEOUT_MS + 30_000,
  );
});
