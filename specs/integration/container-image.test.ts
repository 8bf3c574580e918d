import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StartProgress } from '../../harness/runtime/progress.js';
import {
  BASE_IMAGE_LABEL,
  BUILD_OPTIONS_LABEL,
  ensureOptimizedImage,
  optimizedImageReference,
} from '../../harness/runtime/container/optimized-image.js';
import { tarArchive } from '../../harness/runtime/container/tar.js';
import { distributionBuildArgs } from '../../harness/runtime/distribution/start-distribution.js';
import { DEFAULT_KEYCLOAK_VERSION } from '../../harness/runtime/distribution/versions.js';
import { startKeycloak } from '../../harness/runtime/start-keycloak.js';
import { TEST_IMAGE, dockerForTests } from '../support/docker.js';

const { engine, tool } = await dockerForTests();
const version = process.env.KCBOX_KEYCLOAK_VERSION ?? DEFAULT_KEYCLOAK_VERSION;
/** A derivation is a build and a first start: minutes on a busy 2-core machine. */
const DERIVATION_MS = 600_000;

/** Containers the engine still holds whose name says kcbox derived in them from this process. */
async function derivationContainers(): Promise<string[]> {
  const filters = encodeURIComponent(JSON.stringify({ name: [`kcbox-derive-${process.pid}-`] }));
  const { body } = await engine!.call('GET', `/containers/json?all=1&filters=${filters}`);
  return (JSON.parse(body.toString('utf8')) as { Id: string }[]).map((container) => container.Id);
}

describe.skipIf(!tool.available)('the optimized container image (needs a Docker engine and the Keycloak image)', () => {
  const events: StartProgress[] = [];
  const request = (buildArgs: readonly string[], base = TEST_IMAGE) => ({
    engine: engine!,
    base,
    version,
    buildArgs,
    startupTimeoutMs: DERIVATION_MS,
    onProgress: (event: StartProgress) => events.push(event),
  });
  // Other options than a default start's: an image of its own, removed afterwards.
  const testBuild = distributionBuildArgs({ features: ['token-exchange'] });
  const emptyBase = `kcbox-test-empty-base:${process.pid}`;

  beforeAll(async () => {
    // An image that cannot run anything (no shell, no Keycloak): every derivation from it fails.
    const imported = await engine!.call('POST', `/images/create?fromSrc=-&repo=kcbox-test-empty-base&tag=${process.pid}`, {
      body: tarArchive([]),
      contentType: 'application/x-tar',
    });
    expect(imported.status, imported.body.toString()).toBe(200);
  });
  afterAll(async () => {
    await engine?.removeImage(optimizedImageReference(version, testBuild)).catch(() => {});
    await engine?.removeImage(emptyBase).catch(() => {});
  });

  it(
    'derives once per build options (two concurrent callers: one derives, one waits and reuses), then reuses it',
    async () => {
      const base = await engine!.inspectImage(TEST_IMAGE);
      const [one, two] = await Promise.all([ensureOptimizedImage(request(testBuild)), ensureOptimizedImage(request(testBuild))]);
      expect([one.derived, two.derived].sort()).toEqual([false, true]);
      expect(two.id).toBe(one.id);
      expect(one.reference).toBe(optimizedImageReference(version, testBuild));
      expect(one.reference).not.toBe(optimizedImageReference(version, distributionBuildArgs({})));
      const image = await engine!.inspectImage(one.reference);
      expect(image?.Config?.Labels).toMatchObject({ [BASE_IMAGE_LABEL]: base!.Id, [BUILD_OPTIONS_LABEL]: testBuild.join(' ') });
      expect(events.filter((event) => event.phase === 'build').map((event) => (event as { message: string }).message)).toEqual([
        expect.stringMatching(/^deriving kcbox-keycloak-optimized:.* \(it is not in the engine yet\)/),
      ]);

      const again = await ensureOptimizedImage(request(testBuild));
      expect(again).toMatchObject({ id: one.id, derived: false, admin: one.admin });
      expect(await derivationContainers()).toEqual([]);
    },
    DERIVATION_MS * 2,
  );

  it('a failed derivation throws why, and leaves no image under the name and no container', async () => {
    const buildArgs = distributionBuildArgs({ features: [`kcbox-failing-${process.pid}`] });
    await expect(ensureOptimizedImage(request(buildArgs, emptyBase))).rejects.toThrow(/.+/);
    expect(await engine!.inspectImage(optimizedImageReference(version, buildArgs))).toBeUndefined();
    expect(await derivationContainers()).toEqual([]);
  });

  it('a start whose derivation fails falls back to the official image, with one line saying why', async () => {
    // A version whose "official image" is the empty one: the derivation fails, and so does the start from it.
    const fakeVersion = '26.0.97';
    const fake = `quay.io/keycloak/keycloak:${fakeVersion}`;
    await engine!.call('POST', `/images/${emptyBase}/tag?repo=quay.io/keycloak/keycloak&tag=${fakeVersion}`);
    const progress: StartProgress[] = [];
    try {
      await expect(
        startKeycloak({
          runtime: 'container',
          version: fakeVersion,
          startupTimeoutMs: 60_000,
          onProgress: (event) => progress.push(event),
        }),
      ).rejects.toMatchObject({ code: 'ERR_KCBOX_START_FAILED', message: expect.stringContaining(fake) });
      const lines = progress.filter((event) => event.phase === 'build').map((event) => (event as { message: string }).message);
      expect(lines.filter((line) => line.startsWith('no optimized image ('))).toEqual([
        expect.stringMatching(new RegExp(`^no optimized image \\(.+\\): starting ${fake.replace(/[.]/g, '\\.')} as it is`)),
      ]);
      expect(await engine!.inspectImage(optimizedImageReference(fakeVersion, distributionBuildArgs({})))).toBeUndefined();
      expect(await derivationContainers()).toEqual([]);
    } finally {
      await engine!.call('DELETE', `/images/${fake}`);
    }
  });
});
