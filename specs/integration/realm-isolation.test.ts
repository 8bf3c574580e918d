import { describe, expect, it } from 'vitest';
import { bundledRealmPath } from '../../harness/realm/bundled.js';
import { fixtureClient } from '../../harness/realm/fixtures.js';
import { passwordGrant } from '../../harness/tokens/token-client.js';
import { connectKcbox, kcboxServer } from '../../harness/vitest/index.js';
import { getStatus } from '../support/http.js';

const realmStatus = (name: string) => getStatus(`${kcboxServer().url}/realms/${name}`);

describe('isolated realm imports', () => {
  it('two isolated imports of one realm run side by side', async () => {
    const server = await connectKcbox();
    try {
      const [first, second] = await Promise.all([
        server.importRealm(bundledRealmPath(), { isolate: true }),
        server.importRealm(bundledRealmPath(), { isolate: true }),
      ]);
      expect(first.name).not.toBe(second.name);
      for (const realm of [first, second]) {
        const tokens = await passwordGrant(realm, fixtureClient(realm.representation, 'inventory-web'), {
          username: 'alice',
          password: 'alice-password',
        });
        expect(tokens.claims.iss).toBe(realm.issuer);
      }
      await first.delete();
      expect(await realmStatus(first.name)).toBe(404);
      expect(await realmStatus(second.name)).toBe(200);
    } finally {
      await server.stop();
    }
  });

  it('stopping removes exactly the realms it created, nothing else', async () => {
    const server = await connectKcbox();
    const created = [
      await server.importRealm(bundledRealmPath(), { isolate: true }),
      await server.importRealm({ realm: `kcbox-plain-${Date.now()}` }),
    ];
    expect(server.toRecord().createdRealms).toEqual(created.map((realm) => realm.name));
    const bystander = await (await connectKcbox()).importRealm(bundledRealmPath(), { isolate: true });
    await server.stop();
    for (const realm of created) expect(await realmStatus(realm.name)).toBe(404);
    expect(await realmStatus(bystander.name)).toBe(200);
    expect(await realmStatus('inventory')).toBe(200);
    await bystander.delete();
    expect(await realmStatus(bystander.name)).toBe(404);
  });

  it('a bad realm is refused before it reaches Keycloak, naming the path', async () => {
    const server = await connectKcbox();
    try {
      await expect(
        server.importRealm(
          { realm: 'bad', users: [{ username: 'u', credentials: [{ type: 'password', value: 'p' }], clientRoles: { ghost: ['r'] } }] },
          { isolate: true },
        ),
      ).rejects.toMatchObject({
        code: 'ERR_KCBOX_REALM_INVALID',
        message: expect.stringContaining('$.users[0].clientRoles.ghost[0]: client "ghost" is not defined'),
      });
      expect(server.toRecord().createdRealms).toEqual([]);
    } finally {
      await server.stop();
    }
  });
});
