import { spawnSync } from 'node:child_process';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkMatrix } from '../../harness/check/check-matrix.js';
import { loadMatrixSpecSync } from '../../harness/matrix/spec-load.js';
import { adminLogin } from '../../harness/runtime/admin-login.js';
import { containerAvailability } from '../../harness/runtime/container/container-availability.js';
import { OWNER_LABEL, ownerLabel } from '../../harness/runtime/container/container-owner.js';
import { DETACHED_LABEL, SERVER_LABEL, removeAbandonedContainers } from '../../harness/runtime/container/keycloak-container.js';
import { decideRuntime, startKeycloak } from '../../harness/runtime/start-keycloak.js';
import type { KeycloakServer } from '../../harness/runtime/types.js';
import { tarArchive } from '../../harness/runtime/container/tar.js';
import { optimizedImageReference } from '../../harness/runtime/container/optimized-image.js';
import { distributionBuildArgs } from '../../harness/runtime/distribution/start-distribution.js';
import { TEST_IMAGE, containerExists, dockerForTests } from '../support/docker.js';
import { getStatus } from '../support/http.js';
import { localTlsFiles } from '../../harness/tls/local-ca.js';
import { keycloakDispatcher } from '../../harness/tls/trust.js';
import { passwordGrant } from '../../harness/tokens/index.js';

const { engine, tool } = await dockerForTests();
const EXPRESS = 'examples/express-inventory/matrix.yaml';

describe.skipIf(!tool.available)('container runtime (needs a Docker engine and the Keycloak image)', () => {
  let server: KeycloakServer;
  let containerId: string;

  beforeAll(async () => {
    // The first container start on a machine derives the optimized image (a build and a first start): minutes on a busy one.
    server = await startKeycloak({ runtime: 'container', realms: ['realm/inventory-realm.json'], startupTimeoutMs: 280_000 });
    containerId = server.toRecord().containerId ?? '';
  }, 900_000);
  afterAll(async () => {
    await server?.stop();
  });

  it('starts the image with the bundled realm, ready for an admin login, published on loopback only', async () => {
    expect(server.runtime).toBe('container');
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await getStatus(`${server.managementUrl}/health/ready`)).toBe(200);
    await adminLogin(server.url, server.adminCredentials);
    expect(server.adminCredentials.password).not.toBe('admin');
    expect(await getStatus(`${server.url}/realms/inventory`)).toBe(200);
    const { body } = await engine!.call('GET', `/containers/${containerId}/json`);
    const inspected = JSON.parse(body.toString('utf8')) as {
      Config: { Image: string; Cmd: string[]; Labels: Record<string, string> };
      NetworkSettings: { Ports: Record<string, { HostIp: string }[]> };
    };
    // Owned by this process (a later start removes it once this process is gone), never detached.
    expect(inspected.Config.Labels).toMatchObject({ [SERVER_LABEL]: 'true', [OWNER_LABEL]: ownerLabel() });
    expect(inspected.Config.Labels[DETACHED_LABEL]).toBeUndefined();
    expect(inspected.NetworkSettings.Ports['8080/tcp']?.map((binding) => binding.HostIp)).toEqual(['127.0.0.1']);
    // From the optimized image derived for these build options, without a build at start.
    expect(inspected.Config.Image).toBe(optimizedImageReference(server.version, distributionBuildArgs({})));
    expect(inspected.Config.Cmd.slice(0, 2)).toEqual(['start', '--optimized']);
  });

  it('kcbox check: the express example enforces its matrix against the container', async () => {
    const result = await checkMatrix({
      spec: loadMatrixSpecSync(EXPRESS),
      server: { url: server.url, adminCredentials: server.adminCredentials },
      hostile: false,
    });
    expect(result.cells.filter((cell) => !cell.pass).map((cell) => `${cell.endpoint} × ${cell.user}`)).toEqual([]);
    expect(result.passed).toBe(true);
    expect(result.cells.length).toBeGreaterThan(10);
  });

  it('stop() removes the container; a second stop() does nothing', async () => {
    await server.stop();
    expect(await containerExists(engine!, containerId)).toBe(false);
    expect(await getStatus(`${server.url}/realms/master`)).toBe('ECONNREFUSED');
    await server.stop();
  });
});

describe.skipIf(!tool.available)('container runtime over https (tls)', () => {
  it("serves https only with kcbox's CA: trusted by kcbox's dispatcher, not by the global fetch; tokens for an imported realm", async () => {
    const server = await startKeycloak({
      runtime: 'container',
      tls: true,
      realms: ['realm/inventory-realm.json'],
      startupTimeoutMs: 280_000,
    });
    const containerId = server.toRecord().containerId ?? '';
    try {
      expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      expect(server.managementUrl).toMatch(/^https:/);
      expect(server.caFile).toBe(localTlsFiles().caFile);
      expect(server.toRecord().caFile).toBe(server.caFile);
      // The global fetch was not told about the CA.
      await expect(fetch(`${server.url}/realms/inventory`)).rejects.toThrow();
      const discovery = await request(`${server.url}/realms/inventory/.well-known/openid-configuration`, {
        dispatcher: keycloakDispatcher(),
      });
      expect(discovery.statusCode).toBe(200);
      const { issuer, token_endpoint: tokenUrl } = (await discovery.body.json()) as { issuer: string; token_endpoint: string };
      expect(issuer).toBe(`${server.url}/realms/inventory`);
      const alice = await passwordGrant(
        { name: 'inventory', tokenUrl },
        { clientId: 'inventory-web' },
        { username: 'alice', password: 'alice-password' },
      );
      expect(alice.claims.iss).toBe(issuer);
      const { body } = await engine!.call('GET', `/containers/${containerId}/json`);
      const inspected = JSON.parse(body.toString('utf8')) as {
        Config: { Cmd: string[] };
        NetworkSettings: { Ports: Record<string, unknown> };
      };
      // The listener is a runtime option: the optimized image serves https as it is.
      expect(inspected.Config.Cmd.slice(0, 2)).toEqual(['start', '--optimized']);
      expect(inspected.Config.Cmd).toEqual(expect.arrayContaining(['--http-enabled=false', '--https-port=8443']));
      // Only the https port is published (the image's own EXPOSE 8080 stays unbound): no plain-http way in.
      const published = Object.entries(inspected.NetworkSettings.Ports).filter(([, bindings]) => bindings !== null);
      expect(published.map(([port]) => port).sort()).toEqual(['8443/tcp', '9000/tcp']);
    } finally {
      await server.stop();
    }
    expect(await containerExists(engine!, containerId)).toBe(false);
  }, 900_000);
});

describe.skipIf(!tool.available)('containers left behind, and the auto choice', () => {
  it('a start removes containers whose starter is gone, never a detached one or one whose starter lives', async () => {
    // Containers from an empty image, never started: cheap to create on any storage driver.
    const emptyImage = `kcbox-test-empty:${process.pid}`;
    const imported = await engine!.call('POST', `/images/create?fromSrc=-&repo=kcbox-test-empty&tag=${process.pid}`, {
      body: tarArchive([]),
      contentType: 'application/x-tar',
    });
    expect(imported.status, imported.body.toString()).toBe(200);
    // A process that has exited: its pid is free.
    const gone = spawnSync(process.execPath, ['-e', '']);
    const deadOwner = ownerLabel(gone.pid);
    const created: string[] = [];
    const create = async (name: string, labels: Record<string, string>) => {
      const id = await engine!.create(`${name}-${process.pid}`, {
        Image: emptyImage,
        Cmd: ['none'],
        Labels: { [SERVER_LABEL]: 'true', ...labels },
      });
      created.push(id);
      return id;
    };
    try {
      const abandoned = await create('kcbox-test-abandoned', { [OWNER_LABEL]: deadOwner });
      const detached = await create('kcbox-test-detached', { [DETACHED_LABEL]: 'true' });
      const owned = await create('kcbox-test-owned', { [OWNER_LABEL]: ownerLabel() });
      const foreign = await create('kcbox-test-foreign', { [OWNER_LABEL]: deadOwner.replace(/^[^|]*/, 'another-host') });
      await removeAbandonedContainers(engine!);
      expect(await containerExists(engine!, abandoned)).toBe(false);
      expect(await containerExists(engine!, detached)).toBe(true);
      expect(await containerExists(engine!, owned)).toBe(true);
      expect(await containerExists(engine!, foreign)).toBe(true);
    } finally {
      for (const id of created) await engine!.remove(id);
      await engine!.call('DELETE', `/images/${emptyImage}`);
    }
  });

  it('auto picks the container runtime when the image is in the engine, else dist with the reason', async () => {
    const env = { ...process.env, KCBOX_URL: '' };
    const present = await decideRuntime('auto', env, () => containerAvailability({ env }));
    expect(present).toEqual({ runtime: 'container', reason: expect.stringContaining(`holds ${TEST_IMAGE}`) });
    // A version nobody built here, and no registry reachable from CI (or none that serves it).
    const absent = await decideRuntime('auto', env, () => containerAvailability({ env, version: '26.0.99' }));
    expect(absent.runtime).toBe('dist');
    expect(absent.reason).toMatch(
      /a Docker engine answers, but quay\.io\/keycloak\/keycloak:26\.0\.99 is not in it and its registry does not serve it \(.+\)/,
    );
  });
});

describe.skipIf(engine !== undefined)('container runtime without an engine', () => {
  it('asking for it explicitly says what was tried and what to do', async () => {
    await expect(startKeycloak({ runtime: 'container' })).rejects.toMatchObject({
      code: 'ERR_KCBOX_DOCKER_UNAVAILABLE',
      message: expect.stringContaining('Start Docker or use --runtime dist'),
    });
  });
});
