import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type AotRecording,
  aotCacheFiles,
  aotCacheRefused,
  aotCacheUseOptions,
  aotTrainingUnderWay,
  claimAotTraining,
  describeAotCaches,
  readyAotCache,
  refuseAotCache,
} from '../../harness/runtime/distribution/aot-cache.js';
import { aotPolicy } from '../../harness/runtime/distribution/start-distribution.js';
import type { JavaInstallation } from '../../harness/runtime/distribution/java.js';

const java25: JavaInstallation = { home: '/nonexistent/jdk-25', feature: 25, version: '25.0.1', source: 'test' };
const java21: JavaInstallation = { ...java25, home: '/nonexistent/jdk-21', feature: 21, version: '21.0.7' };

describe('aotPolicy', () => {
  const base = {
    java: java25,
    env: undefined,
    cacheFolder: '/cache/installs/x',
    detached: false,
    firstRunAfterBuild: false,
    processEnv: {},
  };

  it('trains on Java 25 when an attached server runs after the build', () => {
    expect(aotPolicy(base)).toBe('train');
  });

  it('only uses a cache on the first run after a build and for detached servers', () => {
    expect(aotPolicy({ ...base, firstRunAfterBuild: true })).toBe('use');
    expect(aotPolicy({ ...base, detached: true })).toBe('use');
  });

  it('is off before Java 25, when switched off, when the caller sets JVM options, or for a path kc.sh would split', () => {
    expect(aotPolicy({ ...base, java: java21 })).toBe('off');
    expect(aotPolicy({ ...base, processEnv: { KCBOX_AOT_CACHE: '0' } })).toBe('off');
    expect(aotPolicy({ ...base, env: { JAVA_OPTS_APPEND: '-Xss2m' } })).toBe('off');
    expect(aotPolicy({ ...base, cacheFolder: '/Users/me/My Cache/installs/x' })).toBe('off');
  });
});

describe('the AOT cache files', () => {
  let install: string;
  beforeEach(async () => {
    install = await mkdtemp(join(tmpdir(), 'kcbox-aot-'));
    await mkdir(join(install, 'lib'));
    await writeFile(join(install, 'lib', 'quarkus-run.jar'), 'the class path');
  });
  afterEach(async () => {
    await rm(install, { recursive: true, force: true });
  });

  const outputOf = (recording: AotRecording) =>
    recording.jvmOptions.find((option) => option.startsWith('-XX:AOTCacheOutput='))!.split('=')[1]!;

  it('names the cache after the Java build and home, so another JDK gets its own', () => {
    const a = aotCacheFiles(install, java25);
    const b = aotCacheFiles(install, { ...java25, home: '/other/jdk-25' });
    const c = aotCacheFiles(install, { ...java25, version: '25.0.2' });
    expect(a.cache).toContain(join(install, 'kcbox-aot', 'java-25.0.1-'));
    expect(new Set([a.cache, b.cache, c.cache]).size).toBe(3);
    expect(aotCacheUseOptions(a.cache)[0]).toBe(`-XX:AOTCache=${a.cache}`);
  });

  it('gives one training claim at a time and keeps the cache only when the JVM said it is complete', async () => {
    const files = aotCacheFiles(install, java25);
    const first = await claimAotTraining(files, java25);
    expect(first).toBeDefined();
    expect(await aotTrainingUnderWay(files)).toBe(true);
    expect(await claimAotTraining(files, java25)).toBeUndefined();

    await writeFile(outputOf(first!), 'cut short');
    await writeFile(`${outputOf(first!)}.config`, 'the configuration');
    expect(await first!.finish('Launching child process … to assemble AOT cache')).toMatch(/did not finish writing/);
    expect(existsSync(outputOf(first!))).toBe(false);
    expect(existsSync(`${outputOf(first!)}.config`)).toBe(false);
    expect(await readyAotCache(files)).toBeUndefined();
    expect(await aotTrainingUnderWay(files)).toBe(false);

    const second = await claimAotTraining(files, java25);
    await writeFile(outputOf(second!), 'a whole cache');
    expect(await second!.finish(`AOTCache creation is complete: ${outputOf(second!)} 13 bytes`)).toBeUndefined();
    expect(await readyAotCache(files)).toBe(files.cache);
    expect(await aotTrainingUnderWay(files)).toBe(false);
  });

  it('drops what a failed start wrote and gives the claim back', async () => {
    const files = aotCacheFiles(install, java25);
    const recording = await claimAotTraining(files, java25);
    await writeFile(outputOf(recording!), 'half');
    await recording!.discard();
    expect(existsSync(outputOf(recording!))).toBe(false);
    expect(await claimAotTraining(files, java25)).toBeDefined();
  });

  it('takes over a claim nobody refreshed, and removes what a killed training left', async () => {
    const files = aotCacheFiles(install, java25);
    await mkdir(files.claim, { recursive: true });
    const longAgo = new Date(Date.now() - 10 * 60_000);
    await utimes(files.claim, longAgo, longAgo);
    const leftover = `${files.cache}.tmp-999999999-abcd1234`;
    await writeFile(leftover, 'cut');
    await writeFile(`${leftover}.config`, 'cut');
    expect(await claimAotTraining(files, java25)).toBeDefined();
    expect(existsSync(leftover)).toBe(false);
    expect(existsSync(`${leftover}.config`)).toBe(false);
  });

  it('records nothing when the cache folder cannot be written, instead of failing the start', async () => {
    await writeFile(join(install, 'kcbox-aot'), 'a file where the folder would be');
    expect(await claimAotTraining(aotCacheFiles(install, java25), java25)).toBeUndefined();
  });

  it('does not use a cache whose size, or whose class path jar, is not what the training saw', async () => {
    const files = aotCacheFiles(install, java25);
    const recording = await claimAotTraining(files, java25);
    await writeFile(outputOf(recording!), 'a whole cache');
    await recording!.finish('AOTCache creation is complete');
    expect(await readyAotCache(files)).toBe(files.cache);
    // Copied without times: the JVM would skip the cache silently, so it must be trained again.
    const later = new Date(Date.now() + 60_000);
    await utimes(join(install, 'lib', 'quarkus-run.jar'), later, later);
    expect(await readyAotCache(files)).toBeUndefined();
    await writeFile(files.cache, 'a cache cut');
    expect(await readyAotCache(files)).toBeUndefined();
  });

  it('a cache the server cannot start with is refused: neither used nor trained again, until the installation changes', async () => {
    const files = aotCacheFiles(install, java25);
    const recording = await claimAotTraining(files, java25);
    await writeFile(outputOf(recording!), 'a whole cache');
    await recording!.finish('AOTCache creation is complete');
    await refuseAotCache(files, java25, 'Keycloak 26.4.7 exited with code 1 before it was ready.');
    expect(await readyAotCache(files)).toBeUndefined();
    expect(await aotCacheRefused(files)).toBe(true);
    expect(existsSync(files.cache)).toBe(false);
    const later = new Date(Date.now() + 60_000);
    await utimes(join(install, 'lib', 'quarkus-run.jar'), later, later);
    expect(await aotCacheRefused(files)).toBe(false);
  });

  it('describes each Java build the installation holds a cache record for, as doctor prints it', async () => {
    const files = aotCacheFiles(install, java25);
    const recording = await claimAotTraining(files, java25);
    await writeFile(outputOf(recording!), 'a whole cache');
    await recording!.finish('AOTCache creation is complete');
    expect(await describeAotCaches(install)).toEqual(['java-25.0.1 (ready)']);
    await refuseAotCache(files, java25, 'Keycloak 26.4.7 exited with code 1 before it was ready.');
    expect(await describeAotCaches(install)).toEqual(['java-25.0.1 (refused: Keycloak 26.4.7 exited with code 1 before it was ready)']);
  });
});
