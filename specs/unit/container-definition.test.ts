import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type GenericContainer } from 'testcontainers';
import { describe, expect, it } from 'vitest';
import { OWNER_LABEL } from '../../harness/runtime/container/container-owner.js';
import {
  CONTAINER_HTTPS_PORT,
  CONTAINER_HTTP_PORT,
  CONTAINER_MANAGEMENT_PORT,
  CONTAINER_TLS_FILES,
  DETACHED_LABEL,
  KEYCLOAK_IMAGE,
  SERVER_LABEL,
  type ContainerPlan,
  containerCommand,
  containerDefinition,
  imageFix,
  keycloakContainer,
  realmArchive,
  startArchive,
} from '../../harness/runtime/container/keycloak-container.js';
import { tarArchive } from '../../harness/runtime/container/tar.js';
import { TEST_JVM, listenArgs } from '../../harness/runtime/distribution/start-distribution.js';
import { useTempDir } from '../support/temp.js';

const tempDir = useTempDir();

const plan: ContainerPlan = {
  version: '26.7.3',
  admin: { username: 'kcbox-admin', password: 'pw-123' },
  realms: [{ name: 'inventory', file: '/x/inventory-realm.json', representation: { realm: 'inventory', enabled: true } }],
  startupTimeoutMs: 90_000,
  detached: false,
};

/** The definition's state as testcontainers will send it to Docker (protected fields, read for the test). */
function inspect(container: GenericContainer) {
  return container as unknown as {
    imageName: { string: string };
    createOpts: { Cmd?: string[]; Labels?: Record<string, string> };
    environment: Record<string, string>;
    exposedPorts: number[];
    contentsToCopy: Array<{ content: string; target: string }>;
    reuse: boolean;
    startupTimeoutMs?: number;
    waitStrategy: { path: string; port: number; predicates: unknown[]; protocol: string; _allowInsecure: boolean };
  };
}

describe('containerDefinition (what kcbox sends to the engine)', () => {
  const owner = 'host|pid:[1]|42|1234';
  const definition = (overrides: Partial<ContainerPlan> = {}, publishHost = '127.0.0.1') =>
    containerDefinition({ ...plan, ...overrides }, { owner, publishHost }) as {
      Image: string;
      Cmd: string[];
      Env: string[];
      Labels: Record<string, string>;
      ExposedPorts: Record<string, object>;
      HostConfig: { PortBindings: Record<string, { HostIp: string; HostPort: string }[]> };
    };

  it('runs the official image with the same command as the testcontainers definition', () => {
    expect(definition().Image).toBe(`${KEYCLOAK_IMAGE}:26.7.3`);
    expect(definition().Cmd).toEqual(containerCommand(plan));
  });

  it('passes the bootstrap admin and the bounded test heap through the environment; the caller may change the heap', () => {
    expect(definition().Env).toEqual(
      expect.arrayContaining([
        'KC_BOOTSTRAP_ADMIN_USERNAME=kcbox-admin',
        'KC_BOOTSTRAP_ADMIN_PASSWORD=pw-123',
        `JAVA_OPTS_KC_HEAP=${TEST_JVM.JAVA_OPTS_KC_HEAP}`,
      ]),
    );
    expect(definition({ env: { JAVA_OPTS_KC_HEAP: '-Xmx1g', KC_BOOTSTRAP_ADMIN_PASSWORD: 'admin' } }).Env).toEqual(
      expect.arrayContaining(['JAVA_OPTS_KC_HEAP=-Xmx1g', 'KC_BOOTSTRAP_ADMIN_PASSWORD=pw-123']),
    );
  });

  it('labels a foreground container with its owner, a detached one as detached (no owner: nothing removes it but kcbox down)', () => {
    expect(definition().Labels).toEqual({ [SERVER_LABEL]: 'true', 'org.kcbox.version': '26.7.3', [OWNER_LABEL]: owner });
    expect(definition({ detached: true }).Labels).toEqual({
      [SERVER_LABEL]: 'true',
      'org.kcbox.version': '26.7.3',
      [DETACHED_LABEL]: 'true',
    });
  });

  it('publishes HTTP and management on a free loopback port of a local engine', () => {
    const { ExposedPorts, HostConfig } = definition();
    expect(Object.keys(ExposedPorts)).toEqual([`${CONTAINER_HTTP_PORT}/tcp`, `${CONTAINER_MANAGEMENT_PORT}/tcp`]);
    expect(HostConfig.PortBindings).toEqual({
      '8080/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }],
      '9000/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }],
    });
    expect(definition({}, '').HostConfig.PortBindings['8080/tcp']).toEqual([{ HostIp: '', HostPort: '' }]);
  });

  it('starts the optimized image --optimized, its build options (database, health, features) baked in', () => {
    const optimized = definition({ optimizedImage: 'kcbox-keycloak-optimized:26.7.3-0123456789ab', features: ['token-exchange'] });
    expect(optimized.Image).toBe('kcbox-keycloak-optimized:26.7.3-0123456789ab');
    expect(optimized.Cmd.slice(0, 2)).toEqual(['start', '--optimized']);
    expect(optimized.Cmd).toEqual(
      expect.arrayContaining(['--http-enabled=true', '--cache=local', '--import-realm', '--shutdown-delay=0s']),
    );
    expect(optimized.Cmd.filter((arg) => /^--(db|health-enabled|features)=/.test(arg))).toEqual([]);
    expect(optimized.Env).toEqual(expect.arrayContaining(['KC_BOOTSTRAP_ADMIN_USERNAME=kcbox-admin']));
  });

  it('with tls: https only on 8443 with the copied certificate, the same listener flags as the dist runtime, on either image', () => {
    const tls = { certificatePem: 'CERT', keyPem: 'KEY' };
    const expected = listenArgs(CONTAINER_HTTPS_PORT, CONTAINER_TLS_FILES);
    expect(expected).toEqual([
      '--http-enabled=false',
      '--https-port=8443',
      '--https-certificate-file=/opt/keycloak/conf/kcbox-server.pem',
      '--https-certificate-key-file=/opt/keycloak/conf/kcbox-server-key.pem',
    ]);
    for (const optimizedImage of [undefined, 'kcbox-keycloak-optimized:26.7.3-0123456789ab']) {
      const { Cmd, ExposedPorts, HostConfig } = definition({ tls, optimizedImage });
      expect(Cmd).toEqual(expect.arrayContaining(expected));
      expect(Cmd.filter((arg) => arg.startsWith('--http-'))).toEqual(['--http-enabled=false']);
      expect(Object.keys(ExposedPorts)).toEqual(['8443/tcp', `${CONTAINER_MANAGEMENT_PORT}/tcp`]);
      expect(Object.keys(HostConfig.PortBindings)).toEqual(['8443/tcp', '9000/tcp']);
    }
    expect(definition().Cmd).toEqual(expect.arrayContaining(listenArgs(CONTAINER_HTTP_PORT, undefined)));
  });

  it('names the image and every way out when it cannot be had', () => {
    const fix = imageFix('quay.io/keycloak/keycloak:26.7.3');
    expect(fix).toContain('docker pull quay.io/keycloak/keycloak:26.7.3');
    expect(fix).toContain('docker tag it quay.io/keycloak/keycloak:26.7.3');
    expect(fix).toContain('KCBOX_RUNTIME=dist');
  });
});

describe('realmArchive (copied into the container before it starts)', () => {
  it('holds the import folder and one <realm>-realm.json per realm, owned like /opt/keycloak (1000:0)', () => {
    const folder = tempDir();
    const archive = join(folder, 'realms.tar');
    writeFileSync(
      archive,
      realmArchive([
        ...plan.realms,
        { name: 'second', file: undefined, representation: { realm: 'second', displayName: 'Zweite – ünïcode' } },
      ]),
    );
    const listing = execFileSync('tar', ['-tvf', archive, '--numeric-owner'], { encoding: 'utf8' }).trim().split('\n');
    expect(listing.map((line) => line.split(/\s+/).slice(0, 2).join(' '))).toEqual([
      'drwxrwxr-x 1000/0',
      'drwxrwxr-x 1000/0',
      '-rw-rw-r-- 1000/0',
      '-rw-rw-r-- 1000/0',
    ]);
    expect(listing.map((line) => line.split(/\s+/).at(-1))).toEqual([
      'opt/keycloak/data/',
      'opt/keycloak/data/import/',
      'opt/keycloak/data/import/inventory-realm.json',
      'opt/keycloak/data/import/second-realm.json',
    ]);
    execFileSync('tar', ['-xf', archive, '-C', folder]);
    expect(JSON.parse(readFileSync(join(folder, 'opt/keycloak/data/import/second-realm.json'), 'utf8'))).toEqual({
      realm: 'second',
      displayName: 'Zweite – ünïcode',
    });
  });

  it('with tls, startArchive adds the certificate and the key (readable by Keycloak only) where the command names them', () => {
    const folder = tempDir();
    const archive = startArchive({ realms: plan.realms, tls: { certificatePem: 'CERT', keyPem: 'KEY' } });
    writeFileSync(join(folder, 'start.tar'), archive!);
    const listing = execFileSync('tar', ['-tvf', join(folder, 'start.tar'), '--numeric-owner'], { encoding: 'utf8' })
      .trim()
      .split('\n');
    expect(listing.map((line) => [...line.split(/\s+/).slice(0, 2), line.split(/\s+/).at(-1)].join(' '))).toEqual([
      'drwxrwxr-x 1000/0 opt/keycloak/data/',
      'drwxrwxr-x 1000/0 opt/keycloak/data/import/',
      '-rw-rw-r-- 1000/0 opt/keycloak/data/import/inventory-realm.json',
      `-rw-r--r-- 1000/0 ${CONTAINER_TLS_FILES.certificateFile.slice(1)}`,
      `-rw------- 1000/0 ${CONTAINER_TLS_FILES.keyFile.slice(1)}`,
    ]);
    execFileSync('tar', ['-xf', join(folder, 'start.tar'), '-C', folder]);
    expect(readFileSync(join(folder, CONTAINER_TLS_FILES.certificateFile), 'utf8')).toBe('CERT');
    expect(readFileSync(join(folder, CONTAINER_TLS_FILES.keyFile), 'utf8')).toBe('KEY');
    expect(startArchive({ realms: [] })).toBeUndefined();
  });

  it('tarArchive splits a path longer than 100 bytes into prefix and name', () => {
    const folder = tempDir();
    const path = `${'a'.repeat(90)}/${'b'.repeat(90)}.json`;
    writeFileSync(join(folder, 'long.tar'), tarArchive([{ path, content: '{}', mode: 0o644, uid: 0, gid: 0 }]));
    expect(execFileSync('tar', ['-tf', join(folder, 'long.tar')], { encoding: 'utf8' }).trim()).toBe(path);
  });
});

describe('keycloakContainer (the testcontainers definition, for callers who use testcontainers)', () => {
  it('runs the official image of the requested version', () => {
    expect(inspect(keycloakContainer(plan)).imageName.string).toBe(`${KEYCLOAK_IMAGE}:26.7.3`);
  });

  it('starts with the same settings as the dist runtime, built at start', () => {
    const command = inspect(keycloakContainer(plan)).createOpts.Cmd;
    expect(command?.[0]).toBe('start');
    expect(command).toEqual(
      expect.arrayContaining([
        '--db=dev-mem',
        '--health-enabled=true',
        '--cache=local',
        '--import-realm',
        '--http-enabled=true',
        '--shutdown-delay=0s',
      ]),
    );
    expect(command).not.toContain('--optimized');
  });

  it('creates the bootstrap admin from the plan, never admin/admin', () => {
    const { environment } = inspect(keycloakContainer(plan));
    expect(environment).toMatchObject({ KC_BOOTSTRAP_ADMIN_USERNAME: 'kcbox-admin', KC_BOOTSTRAP_ADMIN_PASSWORD: 'pw-123' });
  });

  it('exposes HTTP and management ports and waits for /health/ready on the management port', () => {
    const definition = inspect(keycloakContainer(plan));
    expect(definition.exposedPorts).toEqual([CONTAINER_HTTP_PORT, CONTAINER_MANAGEMENT_PORT]);
    expect(definition.waitStrategy).toMatchObject({ path: '/health/ready', port: CONTAINER_MANAGEMENT_PORT });
    expect(definition.startupTimeoutMs).toBe(90_000);
  });

  it('copies each realm into the import folder under a *-realm.json name', () => {
    const { contentsToCopy } = inspect(keycloakContainer(plan));
    expect(contentsToCopy).toEqual([
      { content: JSON.stringify({ realm: 'inventory', enabled: true }), target: '/opt/keycloak/data/import/inventory-realm.json' },
    ]);
  });

  it('with tls: exposes 8443, copies the certificate and key (readable: testcontainers copies as root), waits over https', () => {
    const definition = inspect(keycloakContainer({ ...plan, tls: { certificatePem: 'CERT', keyPem: 'KEY' } }));
    expect(definition.exposedPorts).toEqual([CONTAINER_HTTPS_PORT, CONTAINER_MANAGEMENT_PORT]);
    expect(definition.contentsToCopy.slice(1)).toEqual([
      { content: 'CERT', target: CONTAINER_TLS_FILES.certificateFile, mode: 0o644 },
      { content: 'KEY', target: CONTAINER_TLS_FILES.keyFile, mode: 0o644 },
    ]);
    expect(definition.waitStrategy).toMatchObject({ protocol: 'https', _allowInsecure: true });
  });

  it('is reusable (so the reaper leaves it running) only when detached', () => {
    expect(inspect(keycloakContainer(plan)).reuse).toBe(false);
    expect(inspect(keycloakContainer({ ...plan, detached: true })).reuse).toBe(true);
  });

  it('omits import and shutdown flags where they do not apply', () => {
    const command = containerCommand({ ...plan, version: '26.5.6', realms: [] });
    expect(command).not.toContain('--import-realm');
    expect(command.some((arg) => arg.startsWith('--shutdown'))).toBe(false);
  });

  it('keeps health reports out of the log unless the caller sets the log level', () => {
    expect(containerCommand(plan).at(-1)).toBe('--log-level=info,io.smallrye.health:warn');
  });

  it('passes features sorted and server options as flags', () => {
    const command = containerCommand({
      ...plan,
      features: ['token-exchange', 'admin-fine-grained-authz'],
      serverOptions: { 'log-level': 'debug' },
    });
    expect(command).toContain('--features=admin-fine-grained-authz,token-exchange');
    expect(command.at(-1)).toBe('--log-level=debug');
  });
});
