import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { aotCacheFiles, aotCacheUseOptions, claimAotTraining, readyAotCache } from '../../harness/runtime/distribution/aot-cache.js';
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
  });
  afterEach(async () => {
    await rm(install, { recursive: true, force: true });
  });

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
    // This process holds the claim and is alive: nobody else records.
    expect(await claimAotTraining(files, java25)).toBeUndefined();

    const output = first!.jvmOptions.find((option) => option.startsWith('-XX:AOTCacheOutput='))!.split('=')[1]!;
    await writeFile(output, 'cut short');
    expect(await first!.finish('Launching child process … to assemble AOT cache')).toMatch(/did not finish writing/);
    expect(existsSync(output)).toBe(false);
    expect(await readyAotCache(files)).toBeUndefined();

    const second = await claimAotTraining(files, java25);
    const secondOutput = second!.jvmOptions.find((option) => option.startsWith('-XX:AOTCacheOutput='))!.split('=')[1]!;
    await writeFile(secondOutput, 'a whole cache');
    expect(await second!.finish(`AOTCache creation is complete: ${secondOutput} 13 bytes`)).toBeUndefined();
    expect(await readyAotCache(files)).toBe(files.cache);
    expect(existsSync(files.claim)).toBe(false);
  });

  it('takes over a claim whose process is gone', async () => {
    const files = aotCacheFiles(install, java25);
    await claimAotTraining(files, java25);
    await writeFile(files.claim, '999999999');
    expect(await claimAotTraining(files, java25)).toBeDefined();
    expect(await readFile(files.claim, 'utf8')).toBe(String(process.pid));
  });

  it('does not use a cache whose size is not the recorded one', async () => {
    const files = aotCacheFiles(install, java25);
    const recording = await claimAotTraining(files, java25);
    const output = recording!.jvmOptions.find((option) => option.startsWith('-XX:AOTCacheOutput='))!.split('=')[1]!;
    await writeFile(output, 'a whole cache');
    await recording!.finish('AOTCache creation is complete');
    await writeFile(files.cache, 'a cache cut');
    expect(await readyAotCache(files)).toBeUndefined();
  });
});
