import { copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cacheLayout } from '../../harness/runtime/distribution/cache.js';
import { localRepositoryZip, obtainDistributionZip } from '../../harness/runtime/distribution/install.js';
import { findMaven } from '../../harness/runtime/distribution/maven.js';
import { DEFAULT_KEYCLOAK_VERSION } from '../../harness/runtime/distribution/versions.js';
import { inspectDistributionZip } from '../../harness/runtime/distribution/zip.js';
import type { StartProgress } from '../../harness/runtime/progress.js';
import { optionalTool } from '../support/optional-tool.js';
import { useTempDir } from '../support/temp.js';

const tempDir = useTempDir();

// These fetch through Maven and name it in their assertions; without it kcbox downloads the release instead.
const maven = optionalTool('Maven (mvn on PATH)', () => findMaven() !== undefined, 'apt-get install maven');

describe.skipIf(!maven.available)('distribution cache (real Maven, real artifact)', () => {
  it('detects a corrupt cached zip and fetches it again', async () => {
    const layout = cacheLayout(tempDir());
    mkdirSync(layout.downloads, { recursive: true });
    const cached = join(layout.downloads, `keycloak-quarkus-dist-${DEFAULT_KEYCLOAK_VERSION}.zip`);
    writeFileSync(cached, 'PK\u0003\u0004 truncated by a crash');
    const events: StartProgress[] = [];
    expect(await obtainDistributionZip(DEFAULT_KEYCLOAK_VERSION, layout, (event) => events.push(event), { mavenLocalHome: false })).toBe(
      cached,
    );
    expect(await inspectDistributionZip(cached, DEFAULT_KEYCLOAK_VERSION)).toBeGreaterThan(100);
    expect(events[0]).toMatchObject({ phase: 'download', source: `mvn ${DEFAULT_KEYCLOAK_VERSION}` });
    // Nothing half-written is left beside it.
    expect(readdirSync(layout.downloads).filter((name) => !name.endsWith('.lock'))).toEqual([
      `keycloak-quarkus-dist-${DEFAULT_KEYCLOAK_VERSION}.zip`,
    ]);
  });

  it("copies the zip straight out of Maven's local repository when it is there, without starting Maven", async () => {
    const home = tempDir();
    const layout = cacheLayout(tempDir());
    // A zip Maven fetched earlier; the test fetches one through Maven first when this machine has none yet.
    const source = await obtainDistributionZip(DEFAULT_KEYCLOAK_VERSION, cacheLayout(tempDir()), () => {}, { mavenLocalHome: false });
    const local = localRepositoryZip(DEFAULT_KEYCLOAK_VERSION, home);
    mkdirSync(dirname(local), { recursive: true });
    copyFileSync(source, local);
    const events: StartProgress[] = [];
    const cached = await obtainDistributionZip(DEFAULT_KEYCLOAK_VERSION, layout, (event) => events.push(event), { mavenLocalHome: home });
    expect(events).toEqual([{ phase: 'download', source: `Maven's local repository ${DEFAULT_KEYCLOAK_VERSION}`, receivedBytes: 0 }]);
    expect(await inspectDistributionZip(cached, DEFAULT_KEYCLOAK_VERSION)).toBeGreaterThan(100);

    // A damaged zip there is passed over: Maven fetches a whole one.
    writeFileSync(local, 'PK\u0003\u0004 cut short');
    const again = cacheLayout(tempDir());
    const later: StartProgress[] = [];
    await obtainDistributionZip(DEFAULT_KEYCLOAK_VERSION, again, (event) => later.push(event), { mavenLocalHome: home });
    expect(later.map((event) => (event as { source?: string }).source)).toEqual([
      `Maven's local repository ${DEFAULT_KEYCLOAK_VERSION}`,
      `mvn ${DEFAULT_KEYCLOAK_VERSION}`,
    ]);
  });

  it('an unknown version fails with every attempt named, and leaves the cache as it was', async () => {
    const layout = cacheLayout(tempDir());
    const error = await obtainDistributionZip('26.99.0', layout, () => {}).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'ERR_KCBOX_DIST_UNAVAILABLE' });
    const message = (error as Error).message;
    expect(message).toContain('Keycloak 26.99.0 could not be obtained');
    expect(message).toContain('mvn dependency:copy org.keycloak:keycloak-quarkus-dist:26.99.0:zip');
    expect(message).toContain('download https://github.com/keycloak/keycloak/releases/download/26.99.0/keycloak-26.99.0.zip');
    expect(message).toContain('set KCBOX_DIST');
    expect(existsSync(join(layout.downloads, 'keycloak-quarkus-dist-26.99.0.zip'))).toBe(false);
    expect(readdirSync(layout.downloads).filter((name) => !name.endsWith('.lock'))).toEqual([]);
  });
});
