import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../harness/cli/main.js';
import { readState, writeState } from '../../harness/runtime/state-file.js';
import type { ServerRecord } from '../../harness/runtime/types.js';
import { useTempDir } from '../support/temp.js';

const tempDir = useTempDir();

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (text) => out.push(text), err: (text) => err.push(text) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

let stateFile: string;
beforeEach(() => {
  stateFile = join(tempDir(), 'state.json');
  vi.stubEnv('KCBOX_STATE_FILE', stateFile);
});
afterEach(() => vi.unstubAllEnvs());

const record: ServerRecord = {
  runtime: 'dist',
  version: '26.7.3',
  // A port nothing listens on: the recorded server is gone.
  url: 'http://127.0.0.1:9',
  managementUrl: 'http://127.0.0.1:9',
  adminCredentials: { username: 'kcbox-admin', password: 'secret' },
  realms: ['inventory'],
  realmFiles: {},
  createdRealms: [],
  logFile: undefined,
  dataDir: undefined,
  pid: 2147483646,
  supervisorPid: 2147483645,
  containerId: undefined,
  startedAt: '2026-01-01T00:00:00.000Z',
};

describe('kcbox usage errors exit 2 with one line', () => {
  it.each([
    [['up', '--bogus'], "unknown option '--bogus'"],
    [['up', '--runtime', 'docker'], "argument 'docker' is invalid. Allowed choices are auto, dist, container, remote"],
    [['up', '--timeout', '0'], 'expected a number of seconds above 0'],
    [['frobnicate'], "unknown command 'frobnicate'"],
  ])('%j', async (argv, message) => {
    const result = await cli(...argv);
    expect(result.code).toBe(2);
    expect(result.err).toContain(message);
    expect(result.err.trim().split('\n')).toHaveLength(1);
  });

  it('a bad Keycloak version', async () => {
    const result = await cli('up', '--keycloak', 'latest', '--runtime', 'dist');
    expect(result).toMatchObject({
      code: 2,
      err: 'kcbox: Keycloak version "latest" is invalid: expected MAJOR.MINOR.PATCH such as 26.7.3.',
    });
  });

  it('no fitting JDK', async () => {
    vi.stubEnv('KCBOX_JAVA_HOME', join(tempDir(), 'no-jdk-here'));
    const result = await cli('up', '--runtime', 'dist');
    expect(result.code).toBe(2);
    expect(result.err).toMatch(/^kcbox: Keycloak 26\.7\.3 needs Java 17–25, found no Java installation/);
  });

  it('a realm file that does not parse, before anything starts', async () => {
    const file = join(tempDir(), 'broken-realm.json');
    writeFileSync(file, '{ "realm": ');
    const result = await cli('up', '--runtime', 'dist', '--realm', file);
    expect(result.code).toBe(2);
    expect(result.err).toContain(`${file}:1:12: malformed JSON`);
  });
});

describe('kcbox status and down without a running server', () => {
  it('status exits 1 when nothing is recorded', async () => {
    const result = await cli('status', '--json');
    expect(result.code).toBe(1);
    expect(JSON.parse(result.out)).toEqual({ running: false, stateFile });
  });

  it('status exits 1 when the recorded server does not answer', async () => {
    await writeState(record, stateFile);
    const result = await cli('status');
    expect(result.code).toBe(1);
    expect(result.out).toContain('does not answer');
  });

  it('down exits 0 when nothing is recorded, and clears a stale record', async () => {
    expect((await cli('down')).code).toBe(0);
    await writeState(record, stateFile);
    expect((await cli('down')).code).toBe(0);
    expect(await readState(stateFile)).toBeUndefined();
  });

  it('a damaged state file is an environment error that says what to do', async () => {
    writeFileSync(stateFile, '{"url":');
    const result = await cli('status');
    expect(result.code).toBe(2);
    expect(result.err).toContain(`State file ${stateFile} is damaged`);
    expect(result.err).toContain('Delete it');
  });
});

describe('state file', () => {
  it('is readable by its owner only: it holds the admin password', async () => {
    await writeState(record, stateFile);
    expect(statSync(stateFile).mode & 0o777).toBe(0o600);
    expect(await readState(stateFile)).toEqual(record);
  });
});
