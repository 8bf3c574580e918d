import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, rmSync, statSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type FileManifest,
  collectManifest,
  describeProblems,
  readManifest,
  verifyManifest,
  writeManifest,
  zipLooksWhole,
} from '../../harness/runtime/distribution/manifest.js';
import { cacheDamageSign } from '../../harness/runtime/distribution/cache-damage.js';
import { useTempDir } from '../support/temp.js';
import { writeZip } from '../support/zip-fixture.js';

const tempDir = useTempDir();

function fakeInstall(): string {
  const folder = tempDir();
  mkdirSync(join(folder, 'lib', 'quarkus'), { recursive: true });
  writeFileSync(join(folder, 'lib', 'quarkus-run.jar'), 'runner jar');
  writeFileSync(join(folder, 'lib', 'quarkus', 'generated-bytecode.jar'), 'generated');
  writeFileSync(join(folder, 'version.txt'), 'Keycloak - Version 26.7.3');
  writeFileSync(join(folder, 'kcbox-build.log'), 'not recorded');
  return folder;
}

const recordedFiles = (path: string) => !path.startsWith('kcbox-');

/** Moves a file's modification time, as a copy without timestamps or a cache restore does. */
function retouch(file: string, secondsLater = 60): void {
  const { mtime } = statSync(file);
  const later = new Date(mtime.getTime() + secondsLater * 1000);
  utimesSync(file, later, later);
}

describe('file manifest', () => {
  it('records size, time and SHA-256 of the files it is asked for, with / separators', async () => {
    const folder = fakeInstall();
    const manifest = await collectManifest(folder, recordedFiles);
    expect(Object.keys(manifest.files)).toEqual(['lib/quarkus-run.jar', 'lib/quarkus/generated-bytecode.jar', 'version.txt']);
    expect(manifest.files['lib/quarkus-run.jar']).toEqual({
      size: 10,
      mtimeMs: statSync(join(folder, 'lib', 'quarkus-run.jar')).mtimeMs,
      sha256: createHash('sha256').update('runner jar').digest('hex'),
    });
    expect(manifest.origin).toBe('built');
    expect(await verifyManifest(folder, manifest)).toEqual({ intact: true });
  });

  it('names a deleted file and a file cut short, without reading any content', async () => {
    const folder = fakeInstall();
    const manifest = await collectManifest(folder, recordedFiles);
    rmSync(join(folder, 'lib', 'quarkus-run.jar'));
    truncateSync(join(folder, 'version.txt'), 3);
    const check = await verifyManifest(folder, manifest);
    expect(check).toEqual({
      intact: false,
      problems: ['lib/quarkus-run.jar is missing', 'version.txt has 3 bytes instead of 25'],
    });
  });

  it('hashes a file whose time changed: same content is intact (and the new time is handed back), other content is not', async () => {
    const folder = fakeInstall();
    const manifest = await collectManifest(folder, recordedFiles);
    const jar = join(folder, 'lib', 'quarkus-run.jar');
    retouch(jar);
    const check = await verifyManifest(folder, manifest);
    expect(check.intact).toBe(true);
    const refreshed = (check as { refreshed?: FileManifest }).refreshed;
    expect(refreshed?.files['lib/quarkus-run.jar']?.mtimeMs).toBe(statSync(jar).mtimeMs);
    expect(refreshed && (await verifyManifest(folder, refreshed))).toEqual({ intact: true });

    writeFileSync(jar, 'RUNNER JAR');
    expect(await verifyManifest(folder, manifest)).toEqual({
      intact: false,
      problems: ['lib/quarkus-run.jar has changed (its SHA-256 differs)'],
    });
  });

  it('sees same-size damage behind an unchanged time only when asked to hash everything', async () => {
    const folder = fakeInstall();
    const jar = join(folder, 'lib', 'quarkus-run.jar');
    // A whole second, so that setting it again restores it exactly.
    const built = new Date('2026-01-02T03:04:05Z');
    utimesSync(jar, built, built);
    const manifest = await collectManifest(folder, recordedFiles);
    writeFileSync(jar, 'runner JAR');
    utimesSync(jar, built, built);
    expect(await verifyManifest(folder, manifest, 'changed')).toEqual({ intact: true });
    expect(await verifyManifest(folder, manifest, 'all')).toEqual({
      intact: false,
      problems: ['lib/quarkus-run.jar has changed (its SHA-256 differs)'],
    });
  });

  it('is written whole or not at all, and read back; a missing one and a torn one are told apart', async () => {
    const folder = fakeInstall();
    const file = join(folder, 'manifest.json');
    expect(await readManifest(file)).toBeUndefined();
    const manifest = await collectManifest(folder, recordedFiles);
    await writeManifest(file, manifest);
    expect(await readManifest(file)).toEqual(manifest);
    expect(readdirSync(folder).filter((name) => name.includes('.tmp-'))).toEqual([]);
    writeFileSync(file, readFileSync(file, 'utf8').slice(0, 40));
    expect(await readManifest(file)).toBe('unreadable');
  });

  it('summarises many problems in one line', () => {
    expect(describeProblems(['a', 'b', 'c', 'd', 'e'])).toBe('a; b; c; and 2 more');
    expect(describeProblems(['a'])).toBe('a');
  });
});

describe('zipLooksWhole', () => {
  it('accepts a whole jar and refuses one cut short, an empty file and a text file', async () => {
    const folder = tempDir();
    const jar = join(folder, 'a.jar');
    await writeZip(jar, { 'META-INF/MANIFEST.MF': 'Manifest-Version: 1.0\n', 'A.class': 'x'.repeat(5000) });
    expect(await zipLooksWhole(jar)).toBe(true);
    truncateSync(jar, statSync(jar).size - 30);
    expect(await zipLooksWhole(jar)).toBe(false);
    writeFileSync(join(folder, 'empty.jar'), '');
    expect(await zipLooksWhole(join(folder, 'empty.jar'))).toBe(false);
    writeFileSync(join(folder, 'text.jar'), 'not a zip at all, but long enough to be read');
    expect(await zipLooksWhole(join(folder, 'text.jar'))).toBe(false);
    expect(await zipLooksWhole(join(folder, 'absent.jar'))).toBe(false);
  });
});

describe('cacheDamageSign', () => {
  it('reads a missing runner jar as a damaged installation', () => {
    // What Keycloak 26.7.3 logs when lib/quarkus-run.jar is gone.
    const log = [
      'JAVA_OPTS_KC_HEAP already set in environment; overriding default settings',
      'Error: Could not find or load main class io.quarkus.bootstrap.runner.QuarkusEntryPoint',
      'Caused by: java.lang.ClassNotFoundException: io.quarkus.bootstrap.runner.QuarkusEntryPoint',
      '[kcbox-supervisor 2026-11-30T16:50:19.798Z] Keycloak exited by itself (code 1, signal null)',
    ];
    expect(cacheDamageSign(log)).toEqual({
      kind: 'installation',
      evidence: 'Error: Could not find or load main class io.quarkus.bootstrap.runner.QuarkusEntryPoint',
    });
  });

  it('reads H2 "File corrupted" as a corrupt database template, without the timestamp', () => {
    // What Keycloak 26.7.3 logs when the copied keycloakdb.mv.db is cut short.
    const log = [
      '2026-11-30 16:50:58,545 INFO  [io.quarkus] (main) Profile prod activated. ',
      '2026-11-30 16:50:59,481 ERROR [org.keycloak.quarkus.runtime.cli.ExecutionExceptionHandler] (executor-thread-1) ERROR: Failed to obtain JDBC connection',
      '2026-11-30 16:50:59,481 ERROR [org.keycloak.quarkus.runtime.cli.ExecutionExceptionHandler] (executor-thread-1) ERROR: File corrupted while reading record: "/tmp/kcbox-server-7A00z3/data/h2/keycloakdb.mv.db". Possible solution: use the recovery tool [90030-240]',
    ];
    expect(cacheDamageSign(log)).toEqual({
      kind: 'database-template',
      evidence:
        'File corrupted while reading record: "/tmp/kcbox-server-7A00z3/data/h2/keycloakdb.mv.db". Possible solution: use the recovery tool [90030-240]',
    });
  });

  it('finds nothing in a failure that is not the cache’s, nor in the supervisor’s own notes', () => {
    const log = [
      '2026-11-30 16:51:00,001 ERROR [org.keycloak.quarkus.runtime.cli.ExecutionExceptionHandler] (main) ERROR: Password policy not found',
      '[kcbox-supervisor 2026-11-30T16:51:00.100Z] could not start /tmp/x/bin/kc.sh: java.lang.ClassNotFoundException',
    ];
    expect(cacheDamageSign(log)).toBeUndefined();
  });

  it('prefers the installation when both show, since a rebuilt installation gets a new template', () => {
    expect(
      cacheDamageSign(['org.h2.mvstore.MVStoreException: File is corrupted', 'java.lang.NoClassDefFoundError: org/h2/Driver'])?.kind,
    ).toBe('installation');
  });
});
