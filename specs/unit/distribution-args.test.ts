import { describe, expect, it } from 'vitest';
import { distributionBuildArgs, distributionEnv, distributionStartArgs } from '../../harness/runtime/distribution/start-distribution.js';
import { parseKeycloakVersion } from '../../harness/runtime/distribution/versions.js';

const plan = {
  version: parseKeycloakVersion('26.7.3'),
  httpPort: 41001,
  managementPort: 41002,
  importRealms: true,
  serverOptions: {},
};

describe('distributionStartArgs', () => {
  it('starts the optimized build on loopback with the picked ports and a local cache', () => {
    const args = distributionStartArgs(plan);
    expect(args.slice(0, 2)).toEqual(['start', '--optimized']);
    expect(args).toEqual(
      expect.arrayContaining(['--http-host=127.0.0.1', '--http-port=41001', '--http-management-port=41002', '--cache=local', '--import-realm', '--hostname-strict=false']),
    );
    expect(args.some((arg) => arg.startsWith('--http-management-host'))).toBe(false);
  });

  it('imports realms only when there are some', () => {
    expect(distributionStartArgs({ ...plan, importRealms: false })).not.toContain('--import-realm');
  });

  it('drops shutdown delays where the version supports it, and never passes them to older versions', () => {
    expect(distributionStartArgs(plan)).toEqual(expect.arrayContaining(['--shutdown-delay=0s', '--shutdown-timeout=1s']));
    const old = distributionStartArgs({ ...plan, version: parseKeycloakVersion('26.5.6') });
    expect(old.some((arg) => arg.startsWith('--shutdown'))).toBe(false);
  });

  it('appends server options as flags', () => {
    expect(distributionStartArgs({ ...plan, serverOptions: { 'log-level': 'debug' } }).at(-1)).toBe('--log-level=debug');
  });
});

describe('distributionBuildArgs', () => {
  it('builds for an in-memory database with health, features sorted so the cache key is stable', () => {
    expect(distributionBuildArgs({})).toEqual(['--db=dev-mem', '--health-enabled=true']);
    expect(distributionBuildArgs({ features: ['token-exchange', 'admin-fine-grained-authz'] }).at(-1)).toBe('--features=admin-fine-grained-authz,token-exchange');
  });
});

describe('distributionEnv', () => {
  it('sets Java and the bootstrap admin, and drops inherited Keycloak settings', () => {
    const env = distributionEnv(
      { PATH: '/bin', KC_DB: 'postgres', KC_BOOTSTRAP_ADMIN_PASSWORD: 'admin', JAVA_OPTS: '-Xmx8g', HOME: '/root' },
      { home: '/jdk', feature: 21, version: '21.0.1', source: 'test' },
      { username: 'kcbox-admin', password: 'secret' },
      { KC_LOG_LEVEL: 'debug' },
    );
    expect(env).toMatchObject({
      PATH: '/bin',
      HOME: '/root',
      JAVA_HOME: '/jdk',
      JAVA: '/jdk/bin/java',
      KC_BOOTSTRAP_ADMIN_USERNAME: 'kcbox-admin',
      KC_BOOTSTRAP_ADMIN_PASSWORD: 'secret',
      KC_LOG_LEVEL: 'debug',
    });
    expect(env).not.toHaveProperty('KC_DB');
    expect(env).not.toHaveProperty('JAVA_OPTS');
  });
});
