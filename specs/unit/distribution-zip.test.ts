import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { versionOfDistribution } from '../../harness/runtime/distribution/install.js';
import { inspectDistributionZip, unpackZip } from '../../harness/runtime/distribution/zip.js';
import { useTempDir } from '../support/temp.js';
import { writeZip } from '../support/zip-fixture.js';

const tempDir = useTempDir();

async function fakeDistribution(folder: string, version = '26.7.3'): Promise<string> {
  const zip = join(folder, `keycloak-${version}.zip`);
  await writeZip(zip, {
    [`keycloak-${version}/bin/kc.sh`]: '#!/bin/sh\n',
    [`keycloak-${version}/version.txt`]: `Keycloak - Version ${version}\n`,
  });
  return zip;
}

describe('inspectDistributionZip', () => {
  it('accepts a zip that holds the version launcher and counts its entries', async () => {
    expect(await inspectDistributionZip(await fakeDistribution(tempDir()), '26.7.3')).toBe(2);
  });

  it('refuses a zip of another version', async () => {
    await expect(inspectDistributionZip(await fakeDistribution(tempDir(), '26.5.6'), '26.7.3')).rejects.toMatchObject({
      code: 'ERR_KCBOX_DIST_INVALID',
      message: expect.stringContaining('has no keycloak-26.7.3/bin/kc.sh'),
    });
  });

  it('detects a truncated download', async () => {
    const zip = await fakeDistribution(tempDir());
    writeFileSync(zip, readFileSync(zip).subarray(0, statSync(zip).size - 30));
    await expect(inspectDistributionZip(zip, '26.7.3')).rejects.toMatchObject({ code: 'ERR_KCBOX_DIST_INVALID' });
  });

  it('detects garbage', async () => {
    const zip = join(tempDir(), 'keycloak-26.7.3.zip');
    writeFileSync(zip, 'not a zip at all');
    await expect(inspectDistributionZip(zip, '26.7.3')).rejects.toThrow(/is not a readable zip/);
  });
});

describe('unpackZip', () => {
  it('unpacks with file modes and reports each entry', async () => {
    const folder = tempDir();
    const seen: number[] = [];
    await unpackZip(await fakeDistribution(folder), join(folder, 'out'), (done) => seen.push(done));
    expect(seen).toEqual([1, 2]);
    const launcher = join(folder, 'out', 'keycloak-26.7.3', 'bin', 'kc.sh');
    expect(existsSync(launcher)).toBe(true);
    expect(statSync(launcher).mode & 0o111).not.toBe(0);
  });
});

describe('versionOfDistribution (KCBOX_DIST)', () => {
  it('reads the version from a zip name or an unpacked folder', async () => {
    const folder = tempDir();
    expect(await versionOfDistribution(await fakeDistribution(folder))).toBe('26.7.3');
    await unpackZip(join(folder, 'keycloak-26.7.3.zip'), join(folder, 'out'), () => {});
    expect(await versionOfDistribution(join(folder, 'out', 'keycloak-26.7.3'))).toBe('26.7.3');
  });

  it('names the variable and what was expected', async () => {
    await expect(versionOfDistribution('/no/such/keycloak.zip')).rejects.toThrow(
      'KCBOX_DIST=/no/such/keycloak.zip: no such file or folder.',
    );
    const folder = tempDir();
    await expect(versionOfDistribution(folder)).rejects.toThrow(
      /is not an unpacked Keycloak distribution: expected bin\/kc\.sh and a version\.txt/,
    );
  });
});
