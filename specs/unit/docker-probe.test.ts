import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { containerAvailability } from '../../harness/runtime/container/container-availability.js';
import { DockerEngine, demultiplexLogs, publishedHost, splitImageReference } from '../../harness/runtime/container/docker-engine.js';
import { dockerEndpoints, probeDocker } from '../../harness/runtime/container/docker-probe.js';
import { startContainer } from '../../harness/runtime/container/keycloak-container.js';
import { useTempDir } from '../support/temp.js';

const tempDir = useTempDir();
const IMAGE = 'quay.io/keycloak/keycloak:26.7.3';
const NO_HOST = 'Get "https://quay.io/v2/": dial tcp: lookup quay.io: no such host';

/** Answers the requests it recognises; leaves the others alone. */
type Route = (request: IncomingMessage, response: ServerResponse) => unknown;

/** A fake engine on a unix socket: each route answers the requests it recognises; the rest get 404. */
async function fakeEngine(routes: Route[]) {
  const socket = join(tempDir(), 'docker.sock');
  const seen: string[] = [];
  const server = createServer((request, response) => {
    seen.push(`${request.method} ${request.url}`);
    request.resume();
    request.on('end', () => {
      if (request.url === '/_ping') return void response.writeHead(200).end('OK');
      for (const route of routes) {
        route(request, response);
        if (response.headersSent) return;
      }
      response.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ message: `no route for ${request.url}` }));
    });
  });
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  return { endpoint: `unix://${socket}`, seen, close: () => new Promise((resolve) => server.close(resolve)) };
}

const json = (response: ServerResponse, status: number, body: unknown) =>
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('probeDocker', () => {
  it('uses DOCKER_HOST alone when set', () => {
    expect(dockerEndpoints({ DOCKER_HOST: 'tcp://127.0.0.1:2375' })).toEqual(['tcp://127.0.0.1:2375']);
  });

  it('answers true, with the endpoint, when an engine replies to /_ping on a unix socket', async () => {
    const socket = join(tempDir(), 'docker.sock');
    const server = createServer((request, response) => response.writeHead(request.url === '/_ping' ? 200 : 404).end('OK'));
    await new Promise<void>((resolve) => server.listen(socket, resolve));
    try {
      expect(await probeDocker({ DOCKER_HOST: `unix://${socket}` })).toEqual({
        available: true,
        endpoint: `unix://${socket}`,
        tried: [`unix://${socket}: answered`],
      });
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

describe('DockerEngine', () => {
  it('splits image references and finds the host of published ports', () => {
    expect(splitImageReference(IMAGE)).toEqual({ repository: 'quay.io/keycloak/keycloak', tag: '26.7.3' });
    expect(splitImageReference('localhost:5000/keycloak')).toEqual({ repository: 'localhost:5000/keycloak', tag: 'latest' });
    expect(publishedHost('unix:///var/run/docker.sock')).toBe('127.0.0.1');
    expect(publishedHost('tcp://10.0.0.7:2375')).toBe('10.0.0.7');
  });

  it('a pull that fails in its stream (status 200) throws with the engine message; progress sums the layers', async () => {
    const engine = await fakeEngine([
      (request, response) => {
        if (!request.url?.startsWith('/images/create?')) return;
        response.writeHead(200, { 'content-type': 'application/json' });
        response.write(`${JSON.stringify({ status: 'Downloading', id: 'a', progressDetail: { current: 5, total: 10 } })}\n`);
        response.write(`${JSON.stringify({ status: 'Downloading', id: 'b', progressDetail: { current: 1, total: 30 } })}\n`);
        response.end(`${JSON.stringify({ errorDetail: { message: 'unauthorized' }, error: 'unauthorized: access denied' })}\n`);
      },
    ]);
    try {
      const progress: [number, number][] = [];
      await expect(new DockerEngine(engine.endpoint).pull(IMAGE, (received, total) => progress.push([received, total]))).rejects.toThrow(
        'unauthorized: access denied',
      );
      expect(progress).toEqual([
        [5, 10],
        [6, 40],
      ]);
      expect(engine.seen).toContain('POST /images/create?fromImage=quay.io%2Fkeycloak%2Fkeycloak&tag=26.7.3');
    } finally {
      await engine.close();
    }
  });

  it('splits multiplexed container output into lines, and takes plain text as it is', () => {
    const frame = (stream: number, text: string) => {
      const payload = Buffer.from(text);
      const header = Buffer.alloc(8);
      header[0] = stream;
      header.writeUInt32BE(payload.length, 4);
      return Buffer.concat([header, payload]);
    };
    expect(demultiplexLogs(Buffer.concat([frame(1, 'one\ntw'), frame(2, 'o\n'), frame(1, 'three\n')]))).toEqual(['one', 'two', 'three']);
    expect(demultiplexLogs(Buffer.from('plain\ntext\n'))).toEqual(['plain', 'text']);
  });
});

describe('containerAvailability (what auto asks)', () => {
  it('usable when the engine holds the image', async () => {
    const engine = await fakeEngine([(request, response) => request.url === `/images/${IMAGE}/json` && json(response, 200, { Id: 'x' })]);
    try {
      expect(await containerAvailability({ env: { DOCKER_HOST: engine.endpoint } })).toEqual({
        usable: true,
        reason: `the Docker engine at ${engine.endpoint} holds ${IMAGE}`,
      });
    } finally {
      await engine.close();
    }
  });

  it('not usable, with the registry’s own words, when the image is absent and cannot be pulled', async () => {
    const engine = await fakeEngine([
      (request, response) => request.url === `/distribution/${IMAGE}/json` && json(response, 500, { message: NO_HOST }),
    ]);
    try {
      expect(await containerAvailability({ env: { DOCKER_HOST: engine.endpoint } })).toEqual({
        usable: false,
        reason: `a Docker engine answers, but ${IMAGE} is not in it and its registry does not serve it (${NO_HOST}); docker pull or build it to use the container runtime`,
      });
    } finally {
      await engine.close();
    }
  });

  it('usable when the image is absent but its registry serves it (it is pulled at start)', async () => {
    const engine = await fakeEngine([(request, response) => request.url === `/distribution/${IMAGE}/json` && json(response, 200, {})]);
    try {
      expect(await containerAvailability({ env: { DOCKER_HOST: engine.endpoint } })).toMatchObject({ usable: true });
    } finally {
      await engine.close();
    }
  });

  it('not usable when no engine answers', async () => {
    const availability = await containerAvailability({ env: { DOCKER_HOST: `unix://${join(tempDir(), 'absent.sock')}` } });
    expect(availability).toMatchObject({
      usable: false,
      reason: expect.stringMatching(/^no Docker engine answers \(unix:.*: no answer\)$/),
    });
  });
});

describe('startContainer errors name their real cause', () => {
  it('an image that cannot be pulled: the image, the engine’s words and every fix; no container is created', async () => {
    const engine = await fakeEngine([
      (request, response) => request.url?.startsWith('/containers/json?') && json(response, 200, []),
      (request, response) => request.url?.startsWith('/images/create?') && json(response, 500, { message: NO_HOST }),
    ]);
    vi.stubEnv('DOCKER_HOST', engine.endpoint);
    try {
      const error = (await startContainer({ version: '26.7.3' }).catch((caught: unknown) => caught)) as Error & { code: string };
      expect(error.code).toBe('ERR_KCBOX_DOCKER_UNAVAILABLE');
      expect(error.message).toBe(
        `The Keycloak image ${IMAGE} is not in the Docker engine at ${engine.endpoint}, and pulling it failed: ${NO_HOST}. ` +
          `Pull it beforehand (docker pull ${IMAGE}), or build or load it under that name (docker load -i …; ` +
          `through a registry mirror: docker pull MIRROR/keycloak/keycloak:26.7.3 && docker tag it ${IMAGE}), ` +
          'or use the dist runtime (--runtime dist, KCBOX_RUNTIME=dist).',
      );
      expect(engine.seen.filter((call) => call.startsWith('POST /containers/create'))).toEqual([]);
    } finally {
      await engine.close();
    }
  });

  it('an engine that cannot create the container says so, naming the image', async () => {
    const engine = await fakeEngine([
      (request, response) => request.url?.startsWith('/containers/json?') && json(response, 200, []),
      (request, response) => request.url === `/images/${IMAGE}/json` && json(response, 200, {}),
      (request, response) => request.url?.startsWith('/containers/create?') && json(response, 500, { message: 'no space left on device' }),
    ]);
    vi.stubEnv('DOCKER_HOST', engine.endpoint);
    try {
      await expect(startContainer({ version: '26.7.3' })).rejects.toMatchObject({
        code: 'ERR_KCBOX_START_FAILED',
        message:
          `The Docker engine at ${engine.endpoint} could not create a container from ${IMAGE}: no space left on device. ` +
          'See what the engine says (docker info, its log), or use the dist runtime (--runtime dist, KCBOX_RUNTIME=dist).',
      });
    } finally {
      await engine.close();
    }
  });
});

describe('DockerEngine.create', () => {
  it('removes by name a container whose create gave no answer in time, and only then', async () => {
    const engine = await fakeEngine([
      (request, response) => {
        // The engine still copying the image when kcbox stops waiting: its answer does not come in time.
        if (request.url?.startsWith('/containers/create?name=slow')) {
          response.writeHead(201, { 'content-type': 'application/json' });
          return void setTimeout(() => response.end(JSON.stringify({ Id: 'late' })), 1_000);
        }
        if (request.url?.startsWith('/containers/create?name=taken'))
          return json(response, 409, { message: 'Conflict. The container name "/taken" is already in use' });
        if (request.method === 'DELETE') return void response.writeHead(204).end();
      },
    ]);
    try {
      const docker = new DockerEngine(engine.endpoint);
      await expect(docker.create('slow-1', {}, 200)).rejects.toThrow();
      expect(engine.seen).toContain('DELETE /containers/slow-1?force=1&v=1');
      await expect(docker.create('taken', {}, 200)).rejects.toThrow(/already in use/);
      expect(engine.seen.filter((call) => call.startsWith('DELETE'))).toEqual(['DELETE /containers/slow-1?force=1&v=1']);
    } finally {
      await engine.close();
    }
  });
});
