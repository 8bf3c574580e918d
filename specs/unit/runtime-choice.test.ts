import { describe, expect, it } from 'vitest';
import { remoteOptionsFromEnv } from '../../harness/runtime/remote/connect-remote.js';
import { decideRuntime, parseRuntimeChoice, resolveRuntime, startKeycloak } from '../../harness/runtime/start-keycloak.js';

const docker = (answers: boolean) => async () => answers;

describe('resolveRuntime', () => {
  it('keeps an explicit choice', async () => {
    expect(await resolveRuntime('dist', { KCBOX_URL: 'http://kc' }, docker(true))).toBe('dist');
  });

  it('auto: remote when KCBOX_URL is set', async () => {
    expect(await resolveRuntime('auto', { KCBOX_URL: 'http://kc' }, docker(true))).toBe('remote');
  });

  it('auto: container when the container runtime is usable, else dist', async () => {
    expect(await resolveRuntime('auto', {}, docker(true))).toBe('container');
    expect(await resolveRuntime('auto', {}, docker(false))).toBe('dist');
  });
});

describe('decideRuntime', () => {
  it('auto: gives the reason with the choice, in one line', async () => {
    const image = async () => ({ usable: false, reason: 'a Docker engine answers, but quay.io/keycloak/keycloak:26.7.3 is not in it …' });
    expect(await decideRuntime('auto', {}, image)).toEqual({
      runtime: 'dist',
      reason: 'a Docker engine answers, but quay.io/keycloak/keycloak:26.7.3 is not in it …',
    });
    expect(await decideRuntime('auto', {}, async () => ({ usable: true, reason: 'the engine holds it' }))).toEqual({
      runtime: 'container',
      reason: 'the engine holds it',
    });
    expect(await decideRuntime('auto', { KCBOX_URL: 'http://kc' }, image)).toEqual({ runtime: 'remote', reason: 'KCBOX_URL is set' });
  });

  it('tls: a remote server refuses it (kcbox does not choose how it listens), before connecting', async () => {
    await expect(startKeycloak({ runtime: 'remote', tls: true })).rejects.toMatchObject({
      code: 'ERR_KCBOX_TLS',
      message: expect.stringContaining('set KCBOX_CA_FILE'),
    });
  });

  it('an explicit choice asks nothing', async () => {
    let asked = false;
    const check = async () => ((asked = true), { usable: true, reason: 'an engine answers' });
    expect(await decideRuntime('container', {}, check)).toEqual({ runtime: 'container', reason: 'asked for' });
    expect(asked).toBe(false);
  });
});

describe('parseRuntimeChoice', () => {
  it('names the source and the choices', () => {
    expect(() => parseRuntimeChoice('docker', 'KCBOX_RUNTIME')).toThrow(
      'KCBOX_RUNTIME "docker" is not a runtime: expected one of auto, dist, container, remote.',
    );
  });
});

describe('remoteOptionsFromEnv', () => {
  it('is undefined without KCBOX_URL', () => expect(remoteOptionsFromEnv({})).toBeUndefined());

  it('reads the URL and admin credentials', () => {
    expect(remoteOptionsFromEnv({ KCBOX_URL: 'http://kc:8080', KCBOX_ADMIN_USER: 'a', KCBOX_ADMIN_PASSWORD: 'p' })).toEqual({
      url: 'http://kc:8080',
      adminCredentials: { username: 'a', password: 'p' },
    });
  });

  it('names the missing variables', () => {
    expect(() => remoteOptionsFromEnv({ KCBOX_URL: 'http://kc' })).toThrow(/KCBOX_ADMIN_USER and KCBOX_ADMIN_PASSWORD are not/);
  });
});
