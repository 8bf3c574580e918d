import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, openSync, closeSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import extract from 'extract-zip';
import getPort from 'get-port';
import { request } from 'undici';
import { javaOfGroup, peakRssMb } from './memory.js';

export interface ByHandOptions {
  readonly zip: string;
  readonly version: string;
  readonly realmFile: string;
  readonly realmName: string;
  readonly javaHome: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function answers(url: string): Promise<boolean> {
  try {
    const response = await request(url, { headersTimeout: 2_000, bodyTimeout: 2_000 });
    await response.body.dump();
    return response.statusCode === 200;
  } catch {
    return false;
  }
}

/**
 * The way a user starts Keycloak for tests by hand: an unpacked distribution (unpacking not timed),
 * the realm file in data/import, `kc.sh start-dev --import-realm` on a fresh data folder, ready when
 * the realm answers.
 */
export async function byHandStart(options: ByHandOptions): Promise<{ readyMs: number; jvmPeakRssMb: number | undefined }> {
  const folder = await mkdtemp(join(tmpdir(), 'kcbox-bench-by-hand-'));
  try {
    await extract(options.zip, { dir: folder });
    const home = join(folder, `keycloak-${options.version}`);
    mkdirSync(join(home, 'data', 'import'), { recursive: true });
    copyFileSync(options.realmFile, join(home, 'data', 'import', 'realm.json'));
    const [httpPort, managementPort] = [await getPort({ host: '127.0.0.1' }), await getPort({ host: '127.0.0.1' })];
    const log = openSync(join(folder, 'keycloak.log'), 'a');
    const env: Record<string, string> = Object.fromEntries(
      Object.entries(process.env).filter(
        (entry): entry is [string, string] => entry[1] !== undefined && !/^(KC_|JAVA_OPTS|QUARKUS_)/.test(entry[0]),
      ),
    );
    const started = performance.now();
    const child = spawn(
      join(home, 'bin', 'kc.sh'),
      ['start-dev', '--import-realm', '--http-host=127.0.0.1', `--http-port=${httpPort}`, `--http-management-port=${managementPort}`],
      {
        detached: true,
        stdio: ['ignore', log, log],
        env: { ...env, JAVA_HOME: options.javaHome, KC_BOOTSTRAP_ADMIN_USERNAME: 'admin', KC_BOOTSTRAP_ADMIN_PASSWORD: 'admin' },
      },
    );
    closeSync(log);
    try {
      const url = `http://127.0.0.1:${httpPort}/realms/${options.realmName}`;
      const deadline = Date.now() + 300_000;
      while (!(await answers(url))) {
        if (Date.now() > deadline || child.exitCode !== null)
          throw new Error(`kc.sh start-dev did not serve ${url} (see ${folder}/keycloak.log)`);
        await sleep(100);
      }
      const readyMs = performance.now() - started;
      const java = javaOfGroup(child.pid!);
      return { readyMs, jvmPeakRssMb: java ? peakRssMb(java) : undefined };
    } finally {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // Already gone.
      }
      await new Promise((resolve) => (child.exitCode !== null ? resolve(undefined) : child.once('exit', resolve)));
    }
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}
