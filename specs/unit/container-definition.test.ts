import { type GenericContainer } from 'testcontainers';
import { describe, expect, it } from 'vitest';
import {
  CONTAINER_HTTP_PORT,
  CONTAINER_MANAGEMENT_PORT,
  KEYCLOAK_IMAGE,
  type ContainerPlan,
  containerCommand,
  keycloakContainer,
} from '../../harness/runtime/container/keycloak-container.js';

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
    waitStrategy: { path: string; port: number; predicates: unknown[] };
  };
}

describe('keycloakContainer', () => {
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

  it('is reusable (so the reaper leaves it running) only when detached', () => {
    expect(inspect(keycloakContainer(plan)).reuse).toBe(false);
    expect(inspect(keycloakContainer({ ...plan, detached: true })).reuse).toBe(true);
  });

  it('omits import and shutdown flags where they do not apply', () => {
    const command = containerCommand({ ...plan, version: '26.5.6', realms: [] });
    expect(command).not.toContain('--import-realm');
    expect(command.some((arg) => arg.startsWith('--shutdown'))).toBe(false);
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
