import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cacheLayout } from '../../harness/runtime/distribution/cache.js';
import { obtainDistributionZip } from '../../harness/runtime/distribution/install.js';
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
    expect(await obtainDistributionZip(DEFAULT_KEYCLOAK_VERSION, layout, (event) => events.push(event))).toBe(cached);
    expect(await inspectDistributionZip(cached, DEFAULT_KEYCLOAK_VERSION)).toBeGreaterThan(100);
    expect(events[0]).toMatchObject({ phase: 'download', source: `mvn ${DEFAULT_KEYCLOAK_VERSION}` });
    // Nothing half-written is left beside it.
    expect(readdirSync(layout.downloads).filter((name) => !name.endsWith('.lock'))).toEqual([
      `keycloak-quarkus-dist-${DEFAULT_KEYCLOAK_VERSION}.zip`,
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
