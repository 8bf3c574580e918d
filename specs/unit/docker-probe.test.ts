import { createServer } from 'node:http';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dockerEndpoints, probeDocker } from '../../harness/runtime/container/docker-probe.js';
import { useTempDir } from '../support/temp.js';

const tempDir = useTempDir();

describe('probeDocker', () => {
  it('uses DOCKER_HOST alone when set', () => {
    expect(dockerEndpoints({ DOCKER_HOST: 'tcp://127.0.0.1:2375' })).toEqual(['tcp://127.0.0.1:2375']);
  });

  it('answers true when an engine replies to /_ping on a unix socket', async () => {
    const socket = join(tempDir(), 'docker.sock');
    const server = createServer((request, response) => response.writeHead(request.url === '/_ping' ? 200 : 404).end('OK'));
    await new Promise<void>((resolve) => server.listen(socket, resolve));
    try {
      expect(await probeDocker({ DOCKER_HOST: `unix://${socket}` })).toEqual({ available: true, tried: [`unix://${socket}: answered`] });
    } finally {
      server.close();
    }
  });

  it('answers false and says what it tried when nothing listens', async () => {
    const socket = join(tempDir(), 'absent.sock');
    const probe = await probeDocker({ DOCKER_HOST: `unix://${socket}` }, 500);
    expect(probe).toEqual({ available: false, tried: [`unix://${socket}: no answer`] });
  });
});
