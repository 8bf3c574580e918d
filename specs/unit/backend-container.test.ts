import { createServer } from 'node:http';
import { describe, expect, it } from 'vitest';
import { BACKEND_LABEL, backendContainerDefinition } from '../../harness/matrix/backend-container.js';
import { OWNER_LABEL } from '../../harness/runtime/container/container-owner.js';
import { startGatewayRelay } from '../../harness/runtime/container/gateway-relay.js';

describe('backend container definition', () => {
  it('labels the container for the watchdog sweep, publishes its port on loopback only and passes the env', () => {
    const definition = backendContainerDefinition(
      { name: 'example/api:local', port: 3000, command: ['node', 'server.mjs'], env: {} },
      { KEYCLOAK_URL: 'http://172.17.0.1:4000', PORT: '3000' },
      'host|ns|42|7',
    );
    expect(definition).toEqual({
      Image: 'example/api:local',
      Cmd: ['node', 'server.mjs'],
      Env: ['KEYCLOAK_URL=http://172.17.0.1:4000', 'PORT=3000'],
      Labels: { [BACKEND_LABEL]: 'true', [OWNER_LABEL]: 'host|ns|42|7' },
      ExposedPorts: { '3000/tcp': {} },
      HostConfig: { PortBindings: { '3000/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] } },
    });
    expect(backendContainerDefinition({ name: 'a', port: 1, command: undefined, env: {} }, {}, 'o')).not.toHaveProperty('Cmd');
  });
});

describe('gateway relay', () => {
  it('relays HTTP to its target with the Host the client used, and closes its connections', async () => {
    const target = createServer((request, response) => response.end(`host ${request.headers.host}`));
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
    const port = (target.address() as { port: number }).port;
    const relay = await startGatewayRelay('127.0.0.1', `http://127.0.0.1:${port}`);
    try {
      expect(relay.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(relay.url).not.toBe(`http://127.0.0.1:${port}`);
      const answer = await fetch(`${relay.url}/realms/x`);
      // Keycloak derives its issuer from this Host: the relay's, the URL every party of the check uses.
      expect(await answer.text()).toBe(`host ${new URL(relay.url).host}`);
    } finally {
      await relay.close();
      await relay.close();
      target.close();
    }
    await expect(fetch(`${relay.url}/`)).rejects.toThrow();
  });
});
