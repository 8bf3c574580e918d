import { randomBytes } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import { startKeycloak } from '../../harness/runtime/start-keycloak.js';
import '../../harness/vitest/provided.js';
import { getStatus } from '../support/http.js';

const shared = inject('kcbox');
const remote = { url: `${shared.url}/`, adminCredentials: shared.adminCredentials };

describe('remote runtime against a running Keycloak', () => {
  it('creates the given realms, and stop() deletes exactly those while the server keeps running', async () => {
    const realm = `kcbox-remote-${randomBytes(4).toString('hex')}`;
    const server = await startKeycloak({ runtime: 'remote', remote, realms: [{ realm, enabled: true }] });
    expect(server).toMatchObject({
      runtime: 'remote',
      url: shared.url,
      realms: [realm],
      managementUrl: undefined,
      version: shared.version,
    });
    expect(await getStatus(`${shared.url}/realms/${realm}`)).toBe(200);
    await server.stop();
    expect(await getStatus(`${shared.url}/realms/${realm}`)).toBe(404);
    expect(await getStatus(`${shared.url}/realms/inventory`)).toBe(200);
    expect(await getStatus(`${shared.managementUrl}/health/ready`)).toBe(200);
  });

  it('refuses to take over a realm it did not create, and leaves it alone', async () => {
    await expect(startKeycloak({ runtime: 'remote', remote, realms: [{ realm: 'inventory' }] })).rejects.toMatchObject({
      code: 'ERR_KCBOX_REALM_IMPORT',
      message: expect.stringContaining('realm "inventory" already exists'),
    });
    expect(await getStatus(`${shared.url}/realms/inventory`)).toBe(200);
  });

  it('rolls back the realms it created when a later one is refused', async () => {
    const first = `kcbox-remote-${randomBytes(4).toString('hex')}`;
    const error = await startKeycloak({
      runtime: 'remote',
      remote,
      realms: [{ realm: first }, { realm: `${first}-bad`, passwordPolicy: 'noSuchPolicy(3)' }],
    }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({
      code: 'ERR_KCBOX_REALM_IMPORT',
      message: expect.stringContaining(`Keycloak refused realm "${first}-bad": HTTP 400: Password policy not found`),
    });
    expect(await getStatus(`${shared.url}/realms/${first}`)).toBe(404);
  });

  it('says how to start a server when the URL does not answer', async () => {
    await expect(startKeycloak({ runtime: 'remote', remote: { ...remote, url: 'http://127.0.0.1:9' } })).rejects.toMatchObject({
      code: 'ERR_KCBOX_REMOTE_UNREACHABLE',
      message: expect.stringContaining('npx kcbox up --detach'),
    });
  });

  it('names the user when the admin login is refused', async () => {
    await expect(
      startKeycloak({ runtime: 'remote', remote: { ...remote, adminCredentials: { ...remote.adminCredentials, password: 'wrong' } } }),
    ).rejects.toMatchObject({
      code: 'ERR_KCBOX_ADMIN_LOGIN',
      message: expect.stringContaining(`Admin login as "${shared.adminCredentials.username}"`),
    });
  });
});
