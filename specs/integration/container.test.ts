import { describe, expect, it } from 'vitest';
import { probeDocker } from '../../harness/runtime/container/docker-probe.js';
import { adminLogin } from '../../harness/runtime/admin-login.js';
import { startKeycloak } from '../../harness/runtime/start-keycloak.js';
import { getStatus } from '../support/http.js';

describe('container runtime (needs a Docker engine)', () => {
  it('starts the official image with the bundled realm, ready for an admin login', async (context) => {
    const docker = await probeDocker();
    if (!docker.available) return context.skip(`no Docker engine answers here (${docker.tried.join('; ')})`);
    await using server = await startKeycloak({ runtime: 'container', realms: ['realm/inventory-realm.json'] });
    expect(server.runtime).toBe('container');
    expect(await getStatus(`${server.managementUrl}/health/ready`)).toBe(200);
    await adminLogin(server.url, server.adminCredentials);
    expect(await getStatus(`${server.url}/realms/inventory`)).toBe(200);
  });

  it('without an engine, asking for it explicitly says what was tried', async (context) => {
    const docker = await probeDocker();
    if (docker.available) return context.skip('a Docker engine answers here');
    await expect(startKeycloak({ runtime: 'container' })).rejects.toMatchObject({
      code: 'ERR_KCBOX_DOCKER_UNAVAILABLE',
      message: expect.stringContaining('Start Docker or use --runtime dist'),
    });
  });
});
