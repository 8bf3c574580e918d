import { describe, expect, it } from 'vitest';
import {
  distributionBuildArgs,
  distributionEnv,
  distributionStartArgs,
  keycloakErrors,
} from '../../harness/runtime/distribution/start-distribution.js';
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
      expect.arrayContaining([
        '--http-host=127.0.0.1',
        '--http-port=41001',
        '--http-management-port=41002',
        '--cache=local',
        '--import-realm',
        '--hostname-strict=false',
      ]),
    );
    expect(args.some((arg) => arg.startsWith('--http-management-host'))).toBe(false);
  });

  it('serves https only with the given certificate when tls is on', () => {
    const args = distributionStartArgs({ ...plan, tls: { certificateFile: '/c/server.pem', keyFile: '/c/server-key.pem' } });
    expect(args).toEqual(
      expect.arrayContaining([
        '--http-enabled=false',
        '--https-port=41001',
        '--https-certificate-file=/c/server.pem',
        '--https-certificate-key-file=/c/server-key.pem',
        '--http-host=127.0.0.1',
        '--http-management-port=41002',
      ]),
    );
    expect(args.some((arg) => arg.startsWith('--http-port') || arg === '--http-enabled=true')).toBe(false);
    expect(distributionStartArgs(plan)).toContain('--http-enabled=true');
  });

  it('imports realms only when there are some', () => {
    expect(distributionStartArgs({ ...plan, importRealms: false })).not.toContain('--import-realm');
  });

  it('drops shutdown delays where the version supports it, and never passes them to older versions', () => {
    expect(distributionStartArgs(plan)).toEqual(expect.arrayContaining(['--shutdown-delay=0s', '--shutdown-timeout=1s']));
    const old = distributionStartArgs({ ...plan, version: parseKeycloakVersion('26.5.6') });
    expect(old.some((arg) => arg.startsWith('--shutdown'))).toBe(false);
  });

  it('quiets health-check logging by default and lets server options override it', () => {
    expect(distributionStartArgs(plan)).toContain('--log-level=info,io.smallrye.health:warn');
    const args = distributionStartArgs({ ...plan, serverOptions: { 'log-level': 'debug', 'metrics-enabled': 'true' } });
    expect(args.filter((arg) => arg.startsWith('--log-level'))).toEqual(['--log-level=debug']);
    expect(args.at(-1)).toBe('--metrics-enabled=true');
  });
});

describe('distributionBuildArgs', () => {
  it('builds for an in-memory database with health, features sorted so the cache key is stable', () => {
    expect(distributionBuildArgs({})).toEqual(['--db=dev-file', '--health-enabled=true']);
    expect(distributionBuildArgs({ features: ['token-exchange', 'admin-fine-grained-authz'] }).at(-1)).toBe(
      '--features=admin-fine-grained-authz,token-exchange',
    );
  });
});

describe('distributionEnv', () => {
  it('sets Java and the bootstrap admin, and drops inherited Keycloak settings', () => {
    const env = distributionEnv(
      {
        PATH: '/bin',
        KC_DB: 'postgres',
        KC_BOOTSTRAP_ADMIN_PASSWORD: 'admin',
        JAVA_OPTS: '-Xmx8g',
        HOME: '/root',
        DEBUG: 'true',
        JAVA_ADD_OPENS: 'x',
        CONFIG_ARGS: '--db=postgres',
      },
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
      JAVA_OPTS_KC_HEAP: '-Xms64m -Xmx512m',
    });
    expect(env).not.toHaveProperty('KC_DB');
    for (const name of ['JAVA_OPTS', 'DEBUG', 'JAVA_ADD_OPENS', 'CONFIG_ARGS']) expect(env).not.toHaveProperty(name);
  });

  it('lets the start options override the test JVM settings', () => {
    const env = distributionEnv(
      {},
      { home: '/jdk', feature: 25, version: '25', source: 'test' },
      { username: 'a', password: 'b' },
      { JAVA_OPTS_KC_HEAP: '-Xmx1g' },
    );
    expect(env.JAVA_OPTS_KC_HEAP).toBe('-Xmx1g');
  });
});

describe('keycloakErrors', () => {
  it("pulls Keycloak's own error messages out of the log tail", () => {
    const tail = [
      '2026-11-28 15:40:38,908 INFO  [org.keycloak.services] (executor-thread-1) KC-SERVICES0030: Full model import requested.',
      '2026-11-28 15:40:39,996 ERROR [org.keycloak.quarkus.runtime.cli.ExecutionExceptionHandler] (executor-thread-1) ERROR: Failed to start server in (production) mode',
      '2026-11-28 15:40:39,996 ERROR [org.keycloak.quarkus.runtime.cli.ExecutionExceptionHandler] (executor-thread-1) ERROR: Unable to find client role mappings for client: no-such-client',
      "2026-11-28 15:40:39,996 ERROR [org.keycloak.quarkus.runtime.cli.ExecutionExceptionHandler] (executor-thread-1) For more details run the same command passing the '--verbose' option.",
    ];
    expect(keycloakErrors(tail)).toEqual([
      'Failed to start server in (production) mode',
      'Unable to find client role mappings for client: no-such-client',
    ]);
  });
});
