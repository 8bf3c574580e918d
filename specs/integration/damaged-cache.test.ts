import { existsSync } from 'node:fs';
import { cp, readdir, rm, stat, truncate } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { adminLogin } from '../../harness/runtime/admin-login.js';
import { cacheRoot } from '../../harness/runtime/distribution/cache.js';
import { checkInstallation } from '../../harness/runtime/distribution/install.js';
import { prepareDistribution } from '../../harness/runtime/distribution/start-distribution.js';
import type { StartProgress } from '../../harness/runtime/progress.js';
import { startKeycloak } from '../../harness/runtime/start-keycloak.js';
import { getStatus } from '../support/http.js';
import { groupAlive } from '../support/processes.js';
import { processesMentioning } from '../support/proc.js';
import { useTempDir } from '../support/temp.js';

const tempDir = useTempDir('kcbox-damaged-cache-');

/** The path, relative to `folder`, of the first file whose name passes `test`. */
async function findFile(folder: string, test: (name: string) => boolean): Promise<string> {
  const found = (await readdir(folder, { recursive: true })).find((path) => test(basename(path)));
  if (!found) throw new Error(`no such file under ${folder}`);
  return found;
}

describe('a damaged distribution cache', () => {
  it(
    'missing lib/quarkus-run.jar and holding a corrupt database template: rebuilt once, then Keycloak starts',
    { timeout: 240_000 },
    async () => {
      // The shared cache as every start finds it (built, verified) is the seed; it is only read.
      const shared = await prepareDistribution({});
      const sharedZip = join(cacheRoot(), 'downloads', `keycloak-quarkus-dist-${shared.version.text}.zip`);
      const cacheDir = tempDir();
      const install = join(cacheDir, 'installs', basename(shared.installHome));
      // Times kept, as a CI cache restore keeps them: the copy passes the fast check like the original.
      await cp(shared.installHome, install, { recursive: true, preserveTimestamps: true });
      // The rebuild unpacks this zip again instead of downloading it.
      if (existsSync(sharedZip)) {
        await cp(sharedZip, join(cacheDir, 'downloads', basename(sharedZip)), { preserveTimestamps: true });
      }

      const runner = await findFile(install, (name) => name === 'quarkus-run.jar');
      await rm(join(install, runner));
      const templateFolder = join(install, 'kcbox-db-template');
      const database = join(templateFolder, await findFile(templateFolder, (name) => name.endsWith('.mv.db')));
      await truncate(database, Math.floor((await stat(database)).size / 2));

      const events: StartProgress[] = [];
      const server = await startKeycloak({ runtime: 'dist', cacheDir, onProgress: (event) => events.push(event) });
      const record = server.toRecord();
      try {
        const messages = events.map((event) => ('message' in event ? event.message : event.phase));
        expect(messages).toContain(`the cached installation ${install} is damaged (${runner} is missing): building it again`);
        expect(messages.filter((message) => message.startsWith('kc.sh build'))).toHaveLength(1);
        expect(messages.filter((message) => message.startsWith('initialising the database'))).toHaveLength(1);
        expect(await getStatus(`${server.managementUrl}/health/ready`)).toBe(200);
        await adminLogin(server.url, server.adminCredentials);
        expect(existsSync(join(install, runner))).toBe(true);
        expect(await checkInstallation(install)).toMatchObject({ state: 'intact', manifest: { origin: 'built' } });
        // A new template was made, with an admin of its own.
        expect(server.adminCredentials).not.toEqual(shared.template.admin);
      } finally {
        await server.stop();
      }
      expect(groupAlive(record.pid ?? -1)).toBe(false);
      expect(existsSync(record.dataDir ?? '')).toBe(false);
      expect(processesMentioning(cacheDir)).toEqual([]);
      // The shared installation the copy came from is as it was.
      expect(await checkInstallation(shared.installHome)).toMatchObject({ state: 'intact' });
    },
  );
});
