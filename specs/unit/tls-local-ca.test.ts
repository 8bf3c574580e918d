import { X509Certificate } from 'node:crypto';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { ensureLocalTls } from '../../harness/tls/local-ca.js';
import { useTempDir } from '../support/temp.js';

const DAY_MS = 86_400_000;
const temporaryFolder = useTempDir('kcbox-tls-');

describe('ensureLocalTls', () => {
  it('makes the CA once and reuses it', async () => {
    const cacheDir = temporaryFolder();
    const first = await ensureLocalTls({ cacheDir });
    const ca = await readFile(first.caFile, 'utf8');
    const server = new X509Certificate(await readFile(first.certificateFile, 'utf8'));
    expect(server.checkIssued(new X509Certificate(ca))).toBe(true);
    expect((await stat(first.keyFile)).mode & 0o777).toBe(0o600);
    const second = await ensureLocalTls({ cacheDir });
    expect(second).toEqual(first);
    expect(await readFile(second.caFile, 'utf8')).toBe(ca);
  });

  it('makes one CA when many first uses race', async () => {
    const cacheDir = temporaryFolder();
    const all = await Promise.all(Array.from({ length: 4 }, () => ensureLocalTls({ cacheDir })));
    const cas = await Promise.all(all.map((files) => readFile(files.caFile, 'utf8')));
    expect(new Set(cas).size).toBe(1);
    const server = new X509Certificate(await readFile(all[0]!.certificateFile, 'utf8'));
    expect(server.checkIssued(new X509Certificate(cas[0]!))).toBe(true);
  });

  it('makes a damaged CA again, and with it the server certificate', async () => {
    const cacheDir = temporaryFolder();
    const files = await ensureLocalTls({ cacheDir });
    await writeFile(files.caFile, 'not a certificate');
    await ensureLocalTls({ cacheDir });
    const ca = new X509Certificate(await readFile(files.caFile, 'utf8'));
    expect(new X509Certificate(await readFile(files.certificateFile, 'utf8')).checkIssued(ca)).toBe(true);
  });

  it('renews an expiring server certificate and keeps the CA', async () => {
    const cacheDir = temporaryFolder();
    const files = await ensureLocalTls({ cacheDir });
    const ca = await readFile(files.caFile, 'utf8');
    const before = await readFile(files.certificateFile, 'utf8');
    // A year on, the server certificate (one year) is due, the CA (five years) is not.
    await ensureLocalTls({ cacheDir, now: () => Date.now() + 365 * DAY_MS });
    expect(await readFile(files.caFile, 'utf8')).toBe(ca);
    expect(await readFile(files.certificateFile, 'utf8')).not.toBe(before);
  });
});
