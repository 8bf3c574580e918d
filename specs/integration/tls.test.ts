import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkMatrix } from '../../harness/check/check-matrix.js';
import { loadMatrixSpecSync } from '../../harness/matrix/spec-load.js';
import { startKeycloak } from '../../harness/runtime/start-keycloak.js';
import type { KeycloakServer } from '../../harness/runtime/types.js';
import { localTlsFiles } from '../../harness/tls/local-ca.js';
import { passwordGrant, umaDecision } from '../../harness/tokens/index.js';
import { failedCells, statusGrid } from '../support/cells.js';
import { runKcbox } from '../support/cli-process.js';
import { optionalTool } from '../support/optional-tool.js';
import { useTempDir } from '../support/temp.js';

const EXPRESS = 'examples/express-inventory/matrix.yaml';
const APACHE = 'examples/mod-auth-openidc/matrix.yaml';
const tempDir = useTempDir();

const apache = optionalTool(
  'Apache httpd with mod_auth_openidc',
  () => existsSync('/usr/sbin/apache2') && existsSync('/usr/lib/apache2/modules/mod_auth_openidc.so'),
  'apt-get install apache2 libapache2-mod-auth-openidc',
);

// One server of its own: the shared one serves plain http.
let server: KeycloakServer;
beforeAll(async () => {
  server = await startKeycloak({ runtime: 'dist', tls: true });
});
afterAll(async () => {
  await server?.stop();
});

describe('Keycloak over https with the CA kcbox makes', () => {
  it("serves https only, and kcbox's own calls trust the CA without the process trusting it", async () => {
    expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(server.managementUrl).toMatch(/^https:/);
    expect(server.caFile).toBe(localTlsFiles().caFile);
    expect(server.toRecord().caFile).toBe(server.caFile);
    // The global fetch was not told about the CA: verification is on everywhere else.
    await expect(fetch(`${server.url}/realms/master`)).rejects.toThrow();
    // Plain http on the same port gets no page.
    const plain = await fetch(`${server.url.replace('https:', 'http:')}/realms/master`).then(
      (response) => response.status,
      () => 'refused',
    );
    expect(plain).not.toBe(200);

    await using realm = await server.importRealm('realm/inventory-realm.json', { isolate: true });
    expect(realm.issuer).toBe(`${server.url}/realms/${realm.name}`);
    const alice = await passwordGrant(realm, { clientId: 'inventory-web' }, { username: 'alice', password: 'alice-password' });
    expect(alice.claims.iss).toBe(realm.issuer);
    const carol = await passwordGrant(realm, { clientId: 'inventory-web' }, { username: 'carol', password: 'carol-password' });
    const ask = { audience: 'inventory-api', permissions: ['Inventory#inventory:view'] };
    expect(await umaDecision(realm, alice.accessToken, ask)).toBe(true);
    expect(await umaDecision(realm, carol.accessToken, ask)).toBe(false);
  });

  it('an express backend verifies tokens against the JWKS over https (NODE_EXTRA_CA_CERTS), hostile suite included', async () => {
    const result = await checkMatrix({ spec: loadMatrixSpecSync(EXPRESS), server });
    expect(failedCells(result)).toEqual([]);
    expect(result.hostile?.blocking).toBe(0);
    expect(result.hostile?.skipped).toEqual([]);
    expect(result.passed).toBe(true);
  });

  it('kcbox ca prints the CA file, made on first use', async () => {
    const cache = tempDir();
    const { code, stdout } = await runKcbox(['ca'], { ...process.env, KCBOX_CACHE: cache });
    expect(code).toBe(0);
    expect(stdout.trim()).toBe(localTlsFiles(cache).caFile);
    expect(readFileSync(stdout.trim(), 'utf8')).toMatch(/^-----BEGIN CERTIFICATE-----/);
  });

  it('a matrix that asks for keycloak.tls refuses a plain-http server and says how to get https', async () => {
    const spec = loadMatrixSpecSync(APACHE);
    const http = { url: 'http://127.0.0.1:9', adminCredentials: { username: 'x', password: 'y' } };
    await expect(checkMatrix({ spec, server: http })).rejects.toMatchObject({
      code: 'ERR_KCBOX_TLS',
      message: expect.stringContaining('kcbox up --detach --tls'),
    });
  });
});

describe.skipIf(!apache.available)('the mod_auth_openidc example (Apache httpd as an OAuth 2.0 resource server)', () => {
  it('enforces the role matrix and refuses the hostile catalog but policy and advisory cases', async () => {
    const result = await checkMatrix({ spec: loadMatrixSpecSync(APACHE), server });
    expect(failedCells(result)).toEqual([]);
    expect(statusGrid(result)).toMatchObject({
      'GET /health × anonymous': 200,
      'GET /api/me × carol': 200,
      'GET /api/me × anonymous': 401,
      'GET /api/inventory × bob': 200,
      'GET /api/inventory × carol': 403,
      'POST /api/inventory × alice': 201,
      'POST /api/inventory × bob': 403,
      'DELETE /api/inventory/2 × carol': 403,
    });
    expect(result.hostile?.blocking).toBe(0);
    expect(result.hostile?.listenerRequests).toEqual([]);
    expect(result.passed).toBe(true);
  });

  it('FAULT=skip-delete-role fails exactly the DELETE cells Keycloak does not grant', async () => {
    const result = await checkMatrix({
      spec: loadMatrixSpecSync(APACHE),
      server,
      env: { ...process.env, FAULT: 'skip-delete-role' },
      hostile: false,
    });
    expect(failedCells(result)).toEqual(['DELETE /api/inventory/2 × bob', 'DELETE /api/inventory/2 × carol']);
    expect(result.passed).toBe(false);
  });

  it('FAULT=any-issuer (no iss, aud or typ check) is caught by the hostile suite', async () => {
    const result = await checkMatrix({ spec: loadMatrixSpecSync(APACHE), server, env: { ...process.env, FAULT: 'any-issuer' } });
    expect(failedCells(result)).toEqual([]);
    const blocking = new Set(result.hostile?.findings.filter((finding) => finding.blocking).map((finding) => finding.caseId));
    expect([...blocking].sort()).toEqual(['id-token', 'other-client']);
    expect(result.passed).toBe(false);
  });
});
