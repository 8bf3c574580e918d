import { createServer } from 'node:http';
import { connect } from 'node:net';
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

  it('keeps many connections apart, each with its whole answer, and answers a client that half-closed', async () => {
    // Keycloak's JWKS and tokens for kcbox and the container at once, some large: nothing crosses or gets cut.
    const target = createServer((request, response) => response.end(`${request.url} `.repeat(20_000)));
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
    const relay = await startGatewayRelay('127.0.0.1', `http://127.0.0.1:${(target.address() as { port: number }).port}`);
    try {
      const answers = await Promise.all(
        Array.from({ length: 40 }, async (_, index) =>
          (await fetch(`${relay.url}/r${index}`, { headers: { connection: 'close' } })).text(),
        ),
      );
      answers.forEach((answer, index) => expect(answer).toBe(`/r${index} `.repeat(20_000)));
      // A client may send its request and shut its side (FIN) before reading: the answer must still come back.
      const { port } = new URL(relay.url);
      const raw = await new Promise<string>((resolve, reject) => {
        const socket = connect(Number(port), '127.0.0.1', () => socket.end('GET /half HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'));
        const chunks: Buffer[] = [];
        socket.on('data', (chunk: Buffer) => chunks.push(chunk)).on('error', reject);
        socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
      });
      expect(raw).toMatch(/^HTTP\/1\.1 200 OK/);
      expect(raw.endsWith('/half '.repeat(20_000))).toBe(true);
    } finally {
      await relay.close();
      target.close();
    }
  });
});
