import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cacheRoot, removeAbandonedTemporaries, withCacheLock, writeAtomically } from '../../harness/runtime/distribution/cache.js';
import { useTempDir } from '../support/temp.js';

const tempDir = useTempDir();
const DEAD_PID = 2147483646;

describe('cache folder', () => {
  it('is KCBOX_CACHE when set, else under the user cache folder', () => {
    expect(cacheRoot(undefined, { KCBOX_CACHE: '/x/cache' })).toBe('/x/cache');
    expect(cacheRoot('/explicit', { KCBOX_CACHE: '/x/cache' })).toBe('/explicit');
    expect(cacheRoot(undefined, {})).toMatch(/kcbox$/);
    // Relative paths would break unpacking and the links of server homes.
    expect(cacheRoot(undefined, { KCBOX_CACHE: 'rel/cache' })).toBe(resolve('rel/cache'));
  });
});

describe('writeAtomically', () => {
  it('moves the finished result into place', async () => {
    const target = join(tempDir(), 'dist.zip');
    await writeAtomically(target, (temporary) => writeFile(temporary, 'whole'));
    expect(readFileSync(target, 'utf8')).toBe('whole');
  });

  it('leaves neither a partial file nor a temporary behind when producing fails, and keeps the old one', async () => {
    const folder = tempDir();
    const target = join(folder, 'dist.zip');
    writeFileSync(target, 'previous');
    await expect(
      writeAtomically(target, async (temporary) => {
        await writeFile(temporary, 'half');
        throw new Error('connection reset');
      }),
    ).rejects.toThrow('connection reset');
    expect(readdirSync(folder)).toEqual(['dist.zip']);
    expect(readFileSync(target, 'utf8')).toBe('previous');
  });
});

describe('removeAbandonedTemporaries', () => {
  it('removes what dead processes left mid-download or mid-build, and nothing else', async () => {
    const folder = tempDir();
    mkdirSync(join(folder, `26.7.3-abc.tmp-${DEAD_PID}-0123abcd`));
    mkdirSync(join(folder, `26.7.3-abc.tmp-${DEAD_PID}-0123abcd-unpack`));
    writeFileSync(join(folder, `dist.zip.tmp-${process.pid}-89abcdef`), 'mine, still being written');
    mkdirSync(join(folder, `mvn.tmp-${DEAD_PID}-Xy12Zq`));
    mkdirSync(join(folder, '26.7.3-abc'));
    expect((await removeAbandonedTemporaries(folder)).sort()).toEqual([
      `26.7.3-abc.tmp-${DEAD_PID}-0123abcd`,
      `26.7.3-abc.tmp-${DEAD_PID}-0123abcd-unpack`,
      `mvn.tmp-${DEAD_PID}-Xy12Zq`,
    ]);
    expect(readdirSync(folder).sort()).toEqual(['26.7.3-abc', `dist.zip.tmp-${process.pid}-89abcdef`]);
  });

  it('runs whenever the cache lock is taken', async () => {
    const folder = tempDir();
    mkdirSync(join(folder, `x.tmp-${DEAD_PID}-0123abcd`));
    expect(await withCacheLock(folder, 'x', async () => readdirSync(folder).filter((name) => !name.endsWith('.lock')))).toEqual([]);
    expect(existsSync(join(folder, 'x.lock'))).toBe(false);
  });
});
