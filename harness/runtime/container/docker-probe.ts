import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'undici';

/** Where a Docker-compatible engine may listen, in the order the Docker CLI and testcontainers look. */
export function dockerEndpoints(env: NodeJS.ProcessEnv = process.env): string[] {
  if (env.DOCKER_HOST) return [env.DOCKER_HOST];
  const sockets = [
    '/var/run/docker.sock',
    join(homedir(), '.docker', 'run', 'docker.sock'),
    join(homedir(), '.docker', 'desktop', 'docker.sock'),
    ...(env.XDG_RUNTIME_DIR ? [join(env.XDG_RUNTIME_DIR, 'docker.sock'), join(env.XDG_RUNTIME_DIR, 'podman', 'podman.sock')] : []),
  ];
  return sockets.filter((socket) => existsSync(socket)).map((socket) => `unix://${socket}`);
}

async function ping(endpoint: string, timeoutMs: number): Promise<boolean> {
  const client = endpoint.startsWith('unix://')
    ? new Client('http://localhost', { connect: { socketPath: endpoint.slice('unix://'.length) } })
    : new Client(endpoint.replace(/^tcp:\/\//, 'http://'));
  try {
    const response = await client.request({ method: 'GET', path: '/_ping', headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
    await response.body.dump();
    return response.statusCode === 200;
  } catch {
    return false;
  } finally {
    await client.close().catch(() => {});
  }
}

export interface DockerProbe {
  readonly available: boolean;
  /** The endpoint that answered, e.g. "unix:///var/run/docker.sock". */
  readonly endpoint?: string;
  /** What was tried, for messages: "unix:///var/run/docker.sock: no answer". */
  readonly tried: readonly string[];
}

/** Asks each known endpoint for `/_ping`; answers within about a second on a machine without Docker. */
export async function probeDocker(env: NodeJS.ProcessEnv = process.env, timeoutMs = 1_500): Promise<DockerProbe> {
  const endpoints = dockerEndpoints(env);
  const tried: string[] = [];
  for (const endpoint of endpoints) {
    if (await ping(endpoint, timeoutMs)) return { available: true, endpoint, tried: [...tried, `${endpoint}: answered`] };
    tried.push(`${endpoint}: no answer`);
  }
  if (endpoints.length === 0) tried.push('no DOCKER_HOST and no Docker socket (/var/run/docker.sock, ~/.docker/run/docker.sock …)');
  return { available: false, tried };
}
