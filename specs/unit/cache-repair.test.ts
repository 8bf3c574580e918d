import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  truncateSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cacheLayout } from '../../harness/runtime/distribution/cache.js';
import {
  type InitialisedDatabase,
  discardDatabaseTemplate,
  ensureDatabaseTemplate,
  h2StoreProblem,
} from '../../harness/runtime/distribution/database-template.js';
import {
  type InstallationRequest,
  checkInstallation,
  discardDamagedInstallation,
  ensureInstallation,
} from '../../harness/runtime/distribution/install.js';
import type { StartProgress } from '../../harness/runtime/progress.js';
import { KcboxError } from '../../harness/errors.js';
import { startKeycloak } from '../../harness/runtime/start-keycloak.js';
import { processesMentioning } from '../support/proc.js';
import { useTempDir } from '../support/temp.js';

const tempDir = useTempDir();

/** An empty zip: just the end-of-central-directory record, which is all a "whole jar" check looks for. */
const EMPTY_ZIP = Buffer.concat([Buffer.from([0x50, 0x4b, 0x05, 0x06]), Buffer.alloc(18)]);

/**
 * A stand-in for an unpacked distribution (KCBOX_DIST folder) whose `kc.sh build` writes what a
 * real build adds under lib/quarkus and counts its runs in `builds`.
 */
function fakeDistribution(root: string): { path: string; builds: () => number } {
  const path = join(root, 'keycloak-26.7.3');
  const counter = join(root, 'builds');
  mkdirSync(join(path, 'bin'), { recursive: true });
  mkdirSync(join(path, 'lib', 'lib', 'main'), { recursive: true });
  mkdirSync(join(path, 'conf'), { recursive: true });
  writeFileSync(join(path, 'version.txt'), 'Keycloak - Version 26.7.3\n');
  writeFileSync(join(path, 'conf', 'keycloak.conf'), '# defaults\n');
  writeFileSync(join(path, 'lib', 'quarkus-run.jar'), EMPTY_ZIP);
  writeFileSync(join(path, 'lib', 'lib', 'main', 'org.keycloak.keycloak-core.jar'), EMPTY_ZIP);
  writeFileSync(
    join(path, 'bin', 'kc.sh'),
    [
      '#!/bin/sh',
      'home="$(cd "$(dirname "$0")/.." && pwd)"',
      'mkdir -p "$home/lib/quarkus"',
      'cp "$home/lib/quarkus-run.jar" "$home/lib/quarkus/generated-bytecode.jar"',
      'echo "$@" > "$home/lib/quarkus/quarkus-application.dat"',
      `echo built >> '${counter}'`,
      '',
    ].join('\n'),
  );
  chmodSync(join(path, 'bin', 'kc.sh'), 0o755);
  const builds = () => (existsSync(counter) ? readFileSync(counter, 'utf8').trim().split('\n').length : 0);
  return { path, builds };
}

function installationRequest(root: string, distribution: string, events: StartProgress[]): InstallationRequest {
  return {
    version: '26.7.3',
    java: { home: '/nonexistent-jdk', feature: 21, version: '21.0.0', source: 'test' },
    layout: cacheLayout(join(root, 'cache')),
    buildArgs: ['--db=dev-file'],
    distribution: { path: distribution },
    onProgress: (event) => events.push(event),
  };
}

const messages = (events: StartProgress[]) => events.map((event) => ('message' in event ? event.message : event.phase));

describe('a damaged installation in the cache', () => {
  it('is built once, with a manifest; a later use reads no more than sizes and times', async () => {
    const root = tempDir();
    const dist = fakeDistribution(root);
    const events: StartProgress[] = [];
    const home = await ensureInstallation(installationRequest(root, dist.path, events));
    expect(dist.builds()).toBe(1);
    expect(await checkInstallation(home)).toMatchObject({ state: 'intact', manifest: { origin: 'built' } });
    expect(await ensureInstallation(installationRequest(root, dist.path, events))).toBe(home);
    expect(dist.builds()).toBe(1);
  });

  it('with lib/quarkus-run.jar deleted is removed and built again, once, saying why', async () => {
    const root = tempDir();
    const dist = fakeDistribution(root);
    const home = await ensureInstallation(installationRequest(root, dist.path, []));
    rmSync(join(home, 'lib', 'quarkus-run.jar'));
    const events: StartProgress[] = [];
    expect(await ensureInstallation(installationRequest(root, dist.path, events))).toBe(home);
    expect(dist.builds()).toBe(2);
    expect(existsSync(join(home, 'lib', 'quarkus-run.jar'))).toBe(true);
    expect(messages(events)).toContain(`the cached installation ${home} is damaged (lib/quarkus-run.jar is missing): building it again`);
    // Nothing of the removed copy is left beside it.
    expect(readdirSync(join(root, 'cache', 'installs')).filter((name) => !name.endsWith('.lock'))).toEqual([home.split('/').pop()]);
  });

  it('whose files only got new times (a copied cache) is kept, and its manifest takes the new times', async () => {
    const root = tempDir();
    const dist = fakeDistribution(root);
    const home = await ensureInstallation(installationRequest(root, dist.path, []));
    const later = new Date(Date.now() + 60_000);
    utimesSync(join(home, 'version.txt'), later, later);
    expect(await checkInstallation(home)).toMatchObject({ state: 'intact', refreshed: expect.anything() });
    await ensureInstallation(installationRequest(root, dist.path, []));
    expect(dist.builds()).toBe(1);
    expect(await checkInstallation(home)).toEqual({ state: 'intact', manifest: expect.anything() });
  });

  it('built by an older kcbox (no manifest) is adopted when whole, built again when a jar is cut short', async () => {
    const root = tempDir();
    const dist = fakeDistribution(root);
    const home = await ensureInstallation(installationRequest(root, dist.path, []));
    rmSync(join(home, '.kcbox-manifest.json'));
    expect(await checkInstallation(home)).toEqual({ state: 'unrecorded' });
    await ensureInstallation(installationRequest(root, dist.path, []));
    expect(dist.builds()).toBe(1);
    expect(await checkInstallation(home)).toMatchObject({ state: 'intact', manifest: { origin: 'adopted' } });

    rmSync(join(home, '.kcbox-manifest.json'));
    truncateSync(join(home, 'lib', 'lib', 'main', 'org.keycloak.keycloak-core.jar'), 10);
    const events: StartProgress[] = [];
    await ensureInstallation(installationRequest(root, dist.path, events));
    expect(dist.builds()).toBe(2);
    expect(messages(events).join('\n')).toContain('lib/lib/main/org.keycloak.keycloak-core.jar is not a whole jar');
    expect(await checkInstallation(home)).toMatchObject({ state: 'intact', manifest: { origin: 'built' } });
  });

  it('is discarded after a failed start only when a file differs or its manifest was adopted', async () => {
    const root = tempDir();
    const dist = fakeDistribution(root);
    const home = await ensureInstallation(installationRequest(root, dist.path, []));
    // As built: the failure has another cause, the installation stays.
    expect(await discardDamagedInstallation(home, 'ClassNotFoundException: x')).toBeUndefined();
    expect(existsSync(home)).toBe(true);
    // Same size, other content, time put back: only the full hash after a failure sees it.
    const jar = join(home, 'lib', 'lib', 'main', 'org.keycloak.keycloak-core.jar');
    const { atime, mtime } = statSync(jar);
    const damaged = Buffer.from(EMPTY_ZIP);
    damaged[10] = 1;
    writeFileSync(jar, damaged);
    utimesSync(jar, atime, mtime);
    expect(await discardDamagedInstallation(home, 'ClassNotFoundException: x')).toContain(
      'lib/lib/main/org.keycloak.keycloak-core.jar has changed',
    );
    expect(existsSync(home)).toBe(false);

    await ensureInstallation(installationRequest(root, dist.path, []));
    rmSync(join(home, '.kcbox-manifest.json'));
    await ensureInstallation(installationRequest(root, dist.path, []));
    expect(await discardDamagedInstallation(home, 'ClassNotFoundException: x')).toBe(
      'ClassNotFoundException: x; its files were recorded after an older kcbox built them',
    );
    expect(existsSync(home)).toBe(false);
  });
});

/** Writes an H2 MVStore file whose first header says `clean:1` or not. */
function writeH2(folder: string, clean: boolean): void {
  mkdirSync(folder, { recursive: true });
  const header = `H:2,block:6a,blockSize:1000,chunk:14,${clean ? 'clean:1,' : ''}created:1a22d49d40c,format:3,version:14,fletcher:615b9aaa\n`;
  writeFileSync(join(folder, 'keycloakdb.mv.db'), Buffer.concat([Buffer.from(header, 'latin1'), Buffer.alloc(8192 - header.length)]));
}

/** An `initialise` that hands out a fresh database each call and counts the calls. */
function fakeInitialise(root: string, outcomes: { clean: boolean; uncleanStop?: string }[] = []) {
  let calls = 0;
  const initialise = async (): Promise<InitialisedDatabase> => {
    const outcome = outcomes[calls] ?? { clean: true };
    calls++;
    const home = join(root, `server-${calls}`);
    writeH2(join(home, 'h2'), outcome.clean);
    return {
      h2Folder: join(home, 'h2'),
      admin: { username: 'kcbox-admin', password: `secret-${calls}` },
      uncleanStop: outcome.uncleanStop,
      discard: async () => rmSync(home, { recursive: true, force: true }),
    };
  };
  return { initialise, calls: () => calls };
}

describe('the database template', () => {
  it('is only taken from a database H2 closed cleanly', async () => {
    const folder = tempDir();
    writeH2(join(folder, 'clean'), true);
    writeH2(join(folder, 'killed'), false);
    expect(await h2StoreProblem(join(folder, 'clean', 'keycloakdb.mv.db'))).toBeUndefined();
    expect(await h2StoreProblem(join(folder, 'killed', 'keycloakdb.mv.db'))).toBe(
      'keycloakdb.mv.db was not closed cleanly (its header lacks clean:1)',
    );
    writeFileSync(join(folder, 'other.mv.db'), 'garbage');
    expect(await h2StoreProblem(join(folder, 'other.mv.db'))).toBe('other.mv.db has no H2 store header');
  });

  it('is made once, then reused', async () => {
    const root = tempDir();
    const install = join(root, 'install');
    const fake = fakeInitialise(root);
    const made = await ensureDatabaseTemplate(install, root, fake.initialise);
    expect(made.admin.password).toBe('secret-1');
    expect(await ensureDatabaseTemplate(install, root, fake.initialise)).toEqual(made);
    expect(fake.calls()).toBe(1);
    expect(existsSync(join(root, 'server-1'))).toBe(false);
  });

  it('whose database was damaged is made again, saying why', async () => {
    const root = tempDir();
    const install = join(root, 'install');
    const fake = fakeInitialise(root);
    const made = await ensureDatabaseTemplate(install, root, fake.initialise);
    truncateSync(join(made.h2Folder, 'keycloakdb.mv.db'), 4096);
    const damage: string[] = [];
    const again = await ensureDatabaseTemplate(install, root, fake.initialise, (message) => damage.push(message));
    expect(fake.calls()).toBe(2);
    expect(again.admin.password).toBe('secret-2');
    expect(damage).toEqual([
      `the database template ${made.root} is damaged (h2/keycloakdb.mv.db has 4096 bytes instead of 8192): making it again`,
    ]);
  });

  it('is not taken from a server that was killed or left its database open: one more try, then an error', async () => {
    const root = tempDir();
    const install = join(root, 'install');
    const retried = fakeInitialise(root, [{ clean: true, uncleanStop: 'Keycloak was killed after 10 s' }, { clean: true }]);
    expect((await ensureDatabaseTemplate(install, root, retried.initialise)).admin.password).toBe('secret-2');

    const other = join(root, 'other-install');
    const failing = fakeInitialise(join(root, 'failing'), [{ clean: false }, { clean: false }]);
    mkdirSync(join(root, 'failing'));
    const error = await ensureDatabaseTemplate(other, root, failing.initialise).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'ERR_KCBOX_START_FAILED' });
    expect((error as Error).message).toContain(`while kcbox initialised the database template ${join(other, 'kcbox-db-template')}`);
    expect((error as Error).message).toContain('was not closed cleanly');
    expect(failing.calls()).toBe(2);
    expect(existsSync(join(other, 'kcbox-db-template'))).toBe(false);
    expect(readdirSync(join(root, 'failing'))).toEqual([]);
  });

  it('made by an older kcbox is adopted when its database was closed cleanly, made again when not', async () => {
    const root = tempDir();
    const install = join(root, 'install');
    const fake = fakeInitialise(root);
    const made = await ensureDatabaseTemplate(install, root, fake.initialise);
    rmSync(join(made.root, 'manifest.json'));
    expect((await ensureDatabaseTemplate(install, root, fake.initialise)).admin).toEqual(made.admin);
    expect(fake.calls()).toBe(1);

    rmSync(join(made.root, 'manifest.json'));
    writeH2(made.h2Folder, false);
    const again = await ensureDatabaseTemplate(install, root, fake.initialise);
    expect(fake.calls()).toBe(2);
    expect(again.admin.password).toBe('secret-2');
  });

  it('is discarded after a start found it corrupt, unless another process already made a new one', async () => {
    const root = tempDir();
    const install = join(root, 'install');
    const fake = fakeInitialise(root);
    const first = await ensureDatabaseTemplate(install, root, fake.initialise);
    await discardDatabaseTemplate(install, root, first);
    expect(existsSync(first.root)).toBe(false);
    const second = await ensureDatabaseTemplate(install, root, fake.initialise);
    // A process that started from the first template must not remove the second.
    await discardDatabaseTemplate(install, root, first);
    expect(await ensureDatabaseTemplate(install, root, fake.initialise)).toEqual(second);
    expect(fake.calls()).toBe(2);
  });
});

/** A JDK folder kcbox accepts (a `release` file and a bin/java) without running anything of it. */
function fakeJdk(root: string): string {
  const home = join(root, 'jdk');
  mkdirSync(join(home, 'bin'), { recursive: true });
  writeFileSync(join(home, 'release'), 'JAVA_VERSION="21.0.1"\n');
  writeFileSync(join(home, 'bin', 'java'), '#!/bin/sh\nexit 1\n', { mode: 0o755 });
  return home;
}

/** Makes the fake distribution's `kc.sh start` fail like a JVM that misses its main class; `damage` also appends to the shared runner jar first. */
function failingStart(distribution: string, damage: boolean): void {
  const script = join(distribution, 'bin', 'kc.sh');
  const build = readFileSync(script, 'utf8');
  writeFileSync(
    script,
    [
      '#!/bin/sh',
      'if [ "$1" = start ]; then',
      // lib/ is a link into the cached installation: this writes into the cache.
      damage ? '  echo damage >> "$(cd "$(dirname "$0")/.." && pwd)/lib/quarkus-run.jar"' : '  :',
      '  echo "Error: Could not find or load main class io.quarkus.bootstrap.runner.QuarkusEntryPoint"',
      '  echo "Caused by: java.lang.ClassNotFoundException: io.quarkus.bootstrap.runner.QuarkusEntryPoint"',
      '  exit 1',
      'fi',
      build.replace('#!/bin/sh\n', ''),
    ].join('\n'),
  );
}

describe('a start that fails with signs of a damaged cache', () => {
  it('has the installation rebuilt once; failing again, the error names the folder to delete', async () => {
    const root = tempDir();
    const dist = fakeDistribution(root);
    failingStart(dist.path, true);
    const cacheDir = join(root, 'cache');
    const events: StartProgress[] = [];
    const error = await startKeycloak({
      runtime: 'dist',
      distribution: dist.path,
      javaHome: fakeJdk(root),
      cacheDir,
      onProgress: (event) => events.push(event),
    }).catch((caught: unknown) => caught);
    const [install] = readdirSync(join(cacheDir, 'installs')).filter((name) => !name.endsWith('.lock'));
    const home = join(cacheDir, 'installs', install ?? '');
    expect(dist.builds()).toBe(2);
    expect(messages(events)).toContain(
      `the cached installation ${home} is damaged (lib/quarkus-run.jar has 29 bytes instead of 22): building it again`,
    );
    expect(error).toBeInstanceOf(KcboxError);
    expect(error).toMatchObject({ code: 'ERR_KCBOX_DIST_INVALID' });
    const message = (error as Error).message;
    expect(message).toContain(
      `Keycloak 26.7.3 failed to start from the cached installation ${home} (Error: Could not find or load main class io.quarkus.bootstrap.runner.QuarkusEntryPoint), and again after kcbox rebuilt it`,
    );
    expect(message).toContain(`Delete ${home} and start again; if that fails too, check the distribution ${dist.path}`);
    // The start's own report follows: its log and what Keycloak printed.
    expect(message).toContain('Caused by: java.lang.ClassNotFoundException');
    expect(processesMentioning(cacheDir)).toEqual([]);
  });

  it('keeps an installation whose files are as built, and names it in the error', async () => {
    const root = tempDir();
    const dist = fakeDistribution(root);
    failingStart(dist.path, false);
    const cacheDir = join(root, 'cache');
    const error = await startKeycloak({ runtime: 'dist', distribution: dist.path, javaHome: fakeJdk(root), cacheDir }).catch(
      (caught: unknown) => caught,
    );
    const [install] = readdirSync(join(cacheDir, 'installs')).filter((name) => !name.endsWith('.lock'));
    const home = join(cacheDir, 'installs', install ?? '');
    expect(dist.builds()).toBe(1);
    expect(error).toMatchObject({ code: 'ERR_KCBOX_START_FAILED' });
    expect((error as Error).message).toContain(
      `Ran from the cached installation ${home}; if its files are damaged, delete that folder and kcbox builds it again.`,
    );
    expect(await checkInstallation(home)).toMatchObject({ state: 'intact' });
  });
});
