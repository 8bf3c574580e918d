import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, inject, it } from 'vitest';
import { KeycloakStartError } from '../../harness/errors.js';
import { adminLogin } from '../../harness/runtime/admin-login.js';
import { startKeycloak } from '../../harness/runtime/start-keycloak.js';
import { prepareDistribution } from '../../harness/runtime/distribution/start-distribution.js';
import { aotCacheFiles, aotTrainingUnderWay, readyAotCache } from '../../harness/runtime/distribution/aot-cache.js';
import '../../harness/vitest/provided.js';
import { getStatus } from '../support/http.js';
import { groupAlive } from '../support/processes.js';
import { processesMentioning } from '../support/proc.js';
import { decideTool, requiredByCi } from '../support/optional-tool.js';

const shared = inject('kcbox');

describe('dist runtime lifecycle', () => {
  it('runs a second server beside the shared one; stop() ends its processes and removes its data folder', async () => {
    const server = await startKeycloak({ runtime: 'dist' });
    const record = server.toRecord();
    try {
      expect(server.url).not.toBe(shared.url);
      expect(server.managementUrl).not.toBe(shared.managementUrl);
      expect(await getStatus(`${server.managementUrl}/health/ready`)).toBe(200);
      expect(await getStatus(`${shared.managementUrl}/health/ready`)).toBe(200);
      await adminLogin(server.url, server.adminCredentials);
      // Both start from the installation's database template, which holds one random admin.
      expect(server.adminCredentials).toEqual(shared.adminCredentials);
      expect(server.adminCredentials.password).not.toBe('admin');
      expect(record.dataDir && existsSync(join(record.dataDir, 'data', 'h2', 'keycloakdb.mv.db'))).toBeTruthy();
      expect(record.dataDir && existsSync(record.dataDir)).toBeTruthy();
      expect(groupAlive(record.pid ?? -1)).toBe(true);
    } finally {
      await server[Symbol.asyncDispose]();
    }
    expect(groupAlive(record.pid ?? -1)).toBe(false);
    expect(existsSync(record.dataDir ?? '')).toBe(false);
    expect(await getStatus(`${server.url}/realms/master`)).toBe('ECONNREFUSED');
    // The log outlives the server, for post-mortems.
    expect(readFileSync(server.logFile ?? '', 'utf8')).toContain('stopping Keycloak: stop requested');
    await server.stop();
  });

  it('a start that fails throws the log tail and its path, and leaves nothing running', async () => {
    // Valid to kcbox's checks, refused by Keycloak itself.
    const refused = { realm: 'refused-at-import', passwordPolicy: 'noSuchPolicy(3)' };
    const error = await startKeycloak({ runtime: 'dist', realms: [refused] }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(KeycloakStartError);
    const startError = error as KeycloakStartError;
    expect(startError.code).toBe('ERR_KCBOX_START_FAILED');
    expect(startError.message).toContain('before it was ready. Keycloak said:\n');
    expect(startError.message).toContain('\n  Password policy not found\n');
    expect(startError.message).toContain(`Full log: ${startError.logFile}`);
    expect(startError.logTail.length).toBeGreaterThan(0);
    expect(startError.logTail.length).toBeLessThanOrEqual(50);
    expect(existsSync(startError.logFile ?? '')).toBe(true);
    // The supervisor exits only after Keycloak's whole process group is gone.
    expect(processesMentioning(startError.logFile ?? '')).toEqual([]);
  });

  it("maps the installation's JVM AOT cache on Java 25+, recorded by kcbox fetch", async (context) => {
    // What `kcbox fetch` does: a training run when the installation has no cache for this Java yet.
    const prepared = await prepareDistribution({});
    const java25 = decideTool({
      name: `a JDK 25+ for the JVM AOT cache (kcbox chose Java ${prepared.java.version})`,
      installHint: 'install a JDK 25 in /usr/lib/jvm or set KCBOX_JAVA_HOME to one',
      present: prepared.java.feature >= 25,
      requiredBy: requiredByCi(),
    });
    if (!java25.available) return context.skip(java25.reason);
    const files = aotCacheFiles(prepared.installHome, prepared.java);
    const cache = await readyAotCache(files);
    // On a machine's first `npm test` without `kcbox fetch`, the suite's own shared server records it until the run ends.
    if (!cache && (await aotTrainingUnderWay(files)) && !process.env.CI) {
      return context.skip("the suite's shared server is recording the AOT cache (no `kcbox fetch` ran first)");
    }
    expect(cache).toBeDefined();
    const server = await startKeycloak({ runtime: 'dist' });
    try {
      const group = String(server.toRecord().pid);
      const java = execFileSync('ps', ['-o', 'pid=,args=', '-g', group], { encoding: 'utf8' })
        .split('\n')
        .find((line) => /\/bin\/java\s/.test(line));
      const javaPid = java?.trim().split(/\s+/)[0];
      expect(javaPid).toBeDefined();
      // Mapped, not only named on the command line: the JVM skips a cache it cannot use.
      expect(readFileSync(`/proc/${javaPid}/maps`, 'utf8')).toContain(cache);
    } finally {
      await server.stop();
    }
  });
});
