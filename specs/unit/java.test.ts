import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type JavaInstallation, chooseJava, findJavaInstallations, javaFeatureRelease } from '../../harness/runtime/distribution/java.js';
import { useTempDir } from '../support/temp.js';

const tempDir = useTempDir();

function fakeJdk(root: string, name: string, version: string | undefined): string {
  const home = join(root, name);
  mkdirSync(join(home, 'bin'), { recursive: true });
  writeFileSync(join(home, 'bin', 'java'), '#!/bin/sh\necho "java.version = 99" >&2\n');
  chmodSync(join(home, 'bin', 'java'), 0o755);
  if (version) writeFileSync(join(home, 'release'), `IMPLEMENTOR="Test"\nJAVA_VERSION="${version}"\n`);
  return home;
}

const jdk = (feature: number, home = `/jdk/${feature}`): JavaInstallation => ({ home, feature, version: `${feature}.0.1`, source: 'test' });

describe('javaFeatureRelease', () => {
  it.each([
    ['17.0.15', 17],
    ['25', 25],
    ['1.8.0_392', 8],
    ['21.0.2+13-LTS', 21],
  ])('%s → %d', (text, feature) => expect(javaFeatureRelease(text)).toBe(feature));
  it('returns undefined for text without a version', () => expect(javaFeatureRelease('openjdk')).toBeUndefined());
});

describe('chooseJava', () => {
  it('prefers the newest installation inside the range', () => {
    expect(chooseJava([jdk(11), jdk(17), jdk(21), jdk(26)], { min: 17, max: 25 }, '26.7.3').feature).toBe(21);
  });

  it('lists what it found and what is needed when nothing fits', () => {
    let error: unknown;
    try {
      chooseJava([jdk(11), jdk(26)], { min: 17, max: 25 }, '26.7.3');
    } catch (caught) {
      error = caught;
    }
    expect(error).toMatchObject({ code: 'ERR_KCBOX_JAVA_NOT_FOUND' });
    const message = (error as Error).message;
    expect(message).toContain('Keycloak 26.7.3 needs Java 17–25');
    expect(message).toContain('Java 11.0.1 at /jdk/11');
    expect(message).toContain('Java 26.0.1 at /jdk/26');
    expect(message).toContain('KCBOX_JAVA_HOME');
  });

  it('says when only the explicit KCBOX_JAVA_HOME was tried', () => {
    expect(() => chooseJava([], { min: 17, max: 25 }, '26.7.3', '/opt/none')).toThrow(
      /found no Java installation \(KCBOX_JAVA_HOME=\/opt\/none was given/,
    );
  });
});

describe('findJavaInstallations', () => {
  it('reads JDK folders, de-duplicates, and sorts newest first', async () => {
    const root = tempDir();
    fakeJdk(root, 'jdk-17', '17.0.9');
    fakeJdk(root, 'jdk-25', '25.0.1');
    const found = await findJavaInstallations({ env: { PATH: '' }, jdkRoots: [root] });
    expect(found.map((java) => java.feature)).toEqual([25, 17]);
    expect(found[0]).toMatchObject({ version: '25.0.1', source: root });
  });

  it('uses only KCBOX_JAVA_HOME when given', async () => {
    const root = tempDir();
    const home = fakeJdk(root, 'chosen', '21.0.2');
    fakeJdk(root, 'other', '25.0.1');
    const found = await findJavaInstallations({ explicitHome: home, env: { PATH: '' }, jdkRoots: [root] });
    expect(found).toEqual([{ home, feature: 21, version: '21.0.2', source: 'KCBOX_JAVA_HOME' }]);
  });

  it('falls back to asking the binary when there is no release file', async () => {
    const root = tempDir();
    fakeJdk(root, 'bare', undefined);
    const found = await findJavaInstallations({ env: { PATH: '' }, jdkRoots: [root] });
    expect(found.map((java) => java.version)).toEqual(['99']);
  });

  it('ignores folders without bin/java', async () => {
    const root = tempDir();
    mkdirSync(join(root, 'not-a-jdk'));
    expect(await findJavaInstallations({ env: { PATH: '' }, jdkRoots: [root] })).toEqual([]);
  });
});
