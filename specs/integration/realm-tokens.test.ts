import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { authzModel } from '../../harness/drift/authz-model.js';
import { diffValues } from '../../harness/drift/diff.js';
import { bundledAuthzConfigPath } from '../../harness/realm/bundled.js';
import { fixtureClient, fixturePassword } from '../../harness/realm/fixtures.js';
import { connectAdmin } from '../../harness/runtime/admin-client.js';
import { audiences, decodeClaims, grantedScopes } from '../../harness/tokens/claims.js';
import {
  type OAuthClient,
  clientCredentialsGrant,
  passwordGrant,
  refreshGrant,
  rptGrant,
  umaDecision,
  umaPermissions,
} from '../../harness/tokens/token-client.js';
import { TokenError } from '../../harness/tokens/token-error.js';
import { kcboxServer, useIsolatedRealm } from '../../harness/vitest/index.js';

const realm = useIsolatedRealm();
const SCOPES = ['inventory:view', 'inventory:add', 'inventory:edit', 'inventory:delete'];
const EXPECTED = {
  alice: { roles: ['inventory-admin'], scopes: SCOPES },
  bob: { roles: ['inventory-user'], scopes: ['inventory:view'] },
  carol: { roles: [], scopes: [] },
} as const;
type Fixture = keyof typeof EXPECTED;
const USERS = Object.keys(EXPECTED) as Fixture[];

const client = (clientId: string): OAuthClient => fixtureClient(realm().representation, clientId);
const login = (username: string, clientId = 'inventory-web') =>
  passwordGrant(realm(), client(clientId), { username, password: fixturePassword(realm().representation, username) ?? '' });

describe('isolated realm', () => {
  it('is a uniquely named copy of the bundled realm with its endpoints', () => {
    expect(realm().name).toMatch(/^inventory-[0-9a-f]{8}$/);
    expect(realm().issuer).toBe(`${kcboxServer().url}/realms/${realm().name}`);
    expect(realm().tokenUrl).toBe(`${realm().issuer}/protocol/openid-connect/token`);
    expect(realm().jwksUrl).toBe(`${realm().issuer}/protocol/openid-connect/certs`);
  });

  it('carries authorization settings equal to realm/inventory-authz-config.json (ids and order aside)', async () => {
    const server = kcboxServer();
    const admin = await connectAdmin(server.url, server.adminCredentials);
    const [api] = await admin.clients.find({ realm: realm().name, clientId: 'inventory-api' });
    const live = await admin.clients.exportResource({ realm: realm().name, id: api?.id ?? '' });
    const file: unknown = JSON.parse(readFileSync(bundledAuthzConfigPath(), 'utf8'));
    expect(diffValues(authzModel(file, 'realm/inventory-authz-config.json'), authzModel(live, 'live export'))).toEqual([]);
  });
});

describe.each(['inventory-web', 'inventory-api'])('password grant through %s', (clientId) => {
  it.each(USERS)('%s gets an access token with the expected claims', async (username) => {
    const tokens = await login(username, clientId);
    const claims = tokens.claims;
    expect(claims).toMatchObject({ iss: realm().issuer, typ: 'Bearer', azp: clientId, preferred_username: username });
    expect(audiences(claims)).toContain('inventory-api');
    expect(claims.resource_access?.['inventory-api']?.roles ?? []).toEqual(EXPECTED[username].roles);
    expect(tokens.expiresAt).toBeGreaterThan(Date.now());
    // ID and refresh tokens come along, each with its own type.
    expect(decodeClaims(tokens.idToken ?? '')).toMatchObject({ typ: 'ID', aud: clientId, azp: clientId });
    expect(decodeClaims(tokens.refreshToken ?? '')).toMatchObject({ typ: 'Refresh', azp: clientId });
  });
});

describe('other grants', () => {
  it('refresh returns a new access token for the same user', async () => {
    const first = await login('bob');
    const renewed = await refreshGrant(realm(), client('inventory-web'), first.refreshToken ?? '');
    expect(renewed.claims).toMatchObject({ preferred_username: 'bob', typ: 'Bearer' });
    expect(renewed.accessToken).not.toBe(first.accessToken);
  });

  it("client credentials give the API's service account", async () => {
    const tokens = await clientCredentialsGrant(realm(), client('inventory-api'));
    expect(tokens.claims).toMatchObject({ azp: 'inventory-api', preferred_username: 'service-account-inventory-api' });
  });
});

describe("Keycloak's policy decisions for the fixture users", () => {
  it.each(USERS)('%s: the RPT, the permissions and the yes/no decisions agree', async (username) => {
    const { accessToken } = await login(username);
    const audience = 'inventory-api';
    const expected = EXPECTED[username].scopes;
    if (expected.length === 0) {
      await expect(rptGrant(realm(), accessToken, { audience })).rejects.toMatchObject({ error: 'access_denied', status: 403 });
    } else {
      const rpt = await rptGrant(realm(), accessToken, { audience });
      expect(grantedScopes(rpt.claims).sort()).toEqual(expected.map((scope) => `Inventory#${scope}`).sort());
    }
    const permissions = await umaPermissions(realm(), accessToken, { audience });
    expect(permissions.flatMap((permission) => permission.scopes ?? []).sort()).toEqual([...expected].sort());
    for (const scope of SCOPES) {
      expect(await umaDecision(realm(), accessToken, { audience, permissions: [`Inventory#${scope}`] }), `${username} ${scope}`).toBe(
        (expected as readonly string[]).includes(scope),
      );
    }
  });
});

describe('refused grants say why', () => {
  it('a disabled user', async () => {
    const error = await login('dave').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TokenError);
    expect(error).toMatchObject({ code: 'ERR_KCBOX_TOKEN', status: 400, error: 'invalid_grant' });
    expect((error as Error).message).toBe(`User "dave" is disabled in realm "${realm().name}": no token can be issued.`);
  });

  it('a wrong password', async () => {
    await expect(passwordGrant(realm(), client('inventory-web'), { username: 'alice', password: 'nope' })).rejects.toThrow(
      /^Wrong password for user "alice"/,
    );
  });

  it('a client without direct access grants', async () => {
    await expect(
      passwordGrant(realm(), { clientId: 'account-console' }, { username: 'alice', password: 'alice-password' }),
    ).rejects.toThrow(/^Client "account-console" .* does not allow the password grant: set "directAccessGrantsEnabled": true/);
  });

  it('an unknown scope at the resource server', async () => {
    const { accessToken } = await login('alice');
    await expect(
      umaDecision(realm(), accessToken, { audience: 'inventory-api', permissions: ['Inventory#inventory:fly'] }),
    ).rejects.toThrow(/does not know what was asked \(invalid_scope/);
  });
});

describe('users created at run time', () => {
  it('log in with their password and get what their roles allow', async () => {
    const user = await realm().createUser({
      username: 'erin',
      password: 'erin-password',
      clientRoles: { 'inventory-api': ['inventory-user'] },
      attributes: { department: ['warehouse'] },
    });
    expect(user).toMatchObject({ username: 'erin', id: expect.any(String) });
    const tokens = await passwordGrant(realm(), client('inventory-web'), { username: 'erin', password: 'erin-password' });
    expect(tokens.claims.resource_access?.['inventory-api']?.roles).toEqual(['inventory-user']);
    expect(await umaDecision(realm(), tokens.accessToken, { audience: 'inventory-api', permissions: ['Inventory#inventory:view'] })).toBe(
      true,
    );
    expect(await umaDecision(realm(), tokens.accessToken, { audience: 'inventory-api', permissions: ['Inventory#inventory:add'] })).toBe(
      false,
    );
  });

  it('an unknown role is named', async () => {
    await expect(
      realm().createUser({ username: 'frank', password: 'p', clientRoles: { 'inventory-api': ['inventory-boss'] } }),
    ).rejects.toThrow('role "inventory-boss" of client "inventory-api": no such role');
  });
});
