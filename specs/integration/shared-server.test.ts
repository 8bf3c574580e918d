import { networkInterfaces } from 'node:os';
import { describe, expect, inject, it } from 'vitest';
import { adminLogin } from '../../harness/runtime/admin-login.js';
import '../../harness/vitest/provided.js';
import { decodeJwt } from 'jose';
import { getStatus, passwordGrant } from '../support/http.js';

const server = inject('kcbox');

describe('the server the global setup started', () => {
  it('is ready: health UP and the admin API accepts the provided credentials', async () => {
    expect(server.managementUrl).not.toBeNull();
    expect(await getStatus(`${server.managementUrl}/health/ready`)).toBe(200);
    const token = await adminLogin(server.url, server.adminCredentials);
    expect(decodeJwt(token).iss).toBe(`${server.url}/realms/master`);
  });

  it('has a random bootstrap admin password, not admin/admin', async () => {
    expect(server.adminCredentials.password).not.toBe('admin');
    expect(server.adminCredentials.password.length).toBeGreaterThanOrEqual(20);
    const refused = await passwordGrant(server.url, 'master', 'admin-cli', 'admin', 'admin');
    expect(refused.body).toMatchObject({ error: 'invalid_grant' });
    expect(refused.body.access_token).toBeUndefined();
  });

  it('imported the bundled realm at start, and its fixture users get real tokens', async () => {
    expect(server.realms).toEqual(['inventory']);
    const alice = await passwordGrant(server.url, 'inventory', 'inventory-web', 'alice', 'alice-password');
    expect(alice.status).toBe(200);
    const claims = decodeJwt(String(alice.body.access_token));
    expect(claims.iss).toBe(`${server.url}/realms/inventory`);
    expect(claims.aud).toContain('inventory-api');
    const dave = await passwordGrant(server.url, 'inventory', 'inventory-web', 'dave', 'dave-password');
    expect(dave).toMatchObject({ status: 400, body: { error_description: 'Account disabled' } });
  });

  it('listens on loopback only', async (context) => {
    const port = new URL(server.url).port;
    const external = Object.values(networkInterfaces())
      .flat()
      .find((address) => address && address.family === 'IPv4' && !address.internal);
    if (!external) return context.skip('this machine has no non-loopback IPv4 address to try');
    expect(await getStatus(`http://${external.address}:${port}/realms/master`)).toBe('ECONNREFUSED');
  });
});
