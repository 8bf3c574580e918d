import { describe, expect, it } from 'vitest';
import { newRealmSigningKey, withSigningKey } from '../../harness/hostile/realm-signing-key.js';

describe("the hostile suite's signing key, added to the realm's import", () => {
  it('is an RS256 key provider above Keycloak’s own keys, with the private key kcbox holds', async () => {
    const { privateKey, component } = await newRealmSigningKey();
    expect(component).toMatchObject({
      providerId: 'rsa',
      config: { algorithm: ['RS256'], keyUse: ['SIG'], active: ['true'], priority: ['1000000'] },
    });
    expect((component.config as { privateKey: string[] }).privateKey[0]).toBe(
      privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
    );
  });

  it("joins the realm file's own key providers and other components, leaving the file's object as it was", () => {
    const own = { name: 'own-key', providerId: 'rsa-generated' };
    const ldap = { name: 'ldap' };
    const realm = {
      realm: 'inventory',
      components: { 'org.keycloak.keys.KeyProvider': [own], 'org.keycloak.storage.UserStorageProvider': [ldap] },
    };
    const added = { name: 'kcbox-hostile-suite' };
    expect(withSigningKey(realm, added).components).toEqual({
      'org.keycloak.keys.KeyProvider': [own, added],
      'org.keycloak.storage.UserStorageProvider': [ldap],
    });
    expect(realm.components['org.keycloak.keys.KeyProvider']).toEqual([own]);
    expect(withSigningKey({ realm: 'bare' }, added).components).toEqual({ 'org.keycloak.keys.KeyProvider': [added] });
  });
});
