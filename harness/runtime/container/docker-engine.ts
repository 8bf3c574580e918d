import { Client } from 'undici';

/**
 * The few Docker Engine API calls the container runtime makes, straight over the engine's socket:
 * no helper containers (no reaper, no host-detection image), nothing pulled but the image asked for,
 * and every failure worded by the engine itself. Speaks to `unix://` and plain `tcp://` endpoints
 * (what {@link probeDocker} finds); the same API is served by Docker, Docker Desktop and Podman.
 */

/** A reply other than the one expected, with the engine's own message. */
export class EngineError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'EngineError';
  }
}

export interface ContainerSummary {
  readonly Id: string;
  readonly Names?: readonly string[];
  readonly State?: string;
  readonly Labels?: Readonly<Record<string, string>>;
}

/** The part of `GET /images/{name}/json` kcbox reads. */
export interface ImageSummary {
  readonly Id: string;
  readonly Config?: {
    readonly Env?: readonly string[] | null;
    readonly Labels?: Readonly<Record<string, string>> | null;
  } | null;
}

interface CallOptions {
  readonly body?: string | Buffer;
  readonly contentType?: string;
  /** For the reply's headers and for its body (each); default 30 s. 0: none (long polls). */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

/** `quay.io/keycloak/keycloak:26.7.3` → repository and tag, as the pull call wants them. */
export function splitImageReference(reference: string): { repository: string; tag: string } {
  const colon = reference.lastIndexOf(':');
  if (colon > reference.lastIndexOf('/')) return { repository: reference.slice(0, colon), tag: reference.slice(colon + 1) };
  return { repository: reference, tag: 'latest' };
}

/** The host a published port is reached on: this machine for a socket, the engine's host for tcp://. */
export function publishedHost(endpoint: string): string {
  if (!endpoint.startsWith('tcp://')) return '127.0.0.1';
  return new URL(endpoint.replace(/^tcp:\/\//, 'http://')).hostname;
}

/** What the engine said, from an error body `{"message": "…"}` (or the raw text). */
function engineMessage(text: string): string {
  try {
    const parsed = JSON.parse(text) as { message?: unknown };
    if (typeof parsed.message === 'string') return parsed.message.trim();
  } catch {
    // Not JSON: the text is the message.
  }
  return text.trim() || '(no message)';
}

/** Splits the multiplexed stdout/stderr stream of a container without a TTY into lines. */
export function demultiplexLogs(raw: Buffer): string[] {
  const chunks: Buffer[] = [];
  let offset = 0;
  // Each frame: stream type (1 byte), 3 zero bytes, payload size (4 bytes, big-endian), payload.
  while (offset + 8 <= raw.length && raw[offset]! <= 2 && raw[offset + 1] === 0 && raw[offset + 2] === 0 && raw[offset + 3] === 0) {
    const size = raw.readUInt32BE(offset + 4);
    chunks.push(raw.subarray(offset + 8, offset + 8 + size));
    offset += 8 + size;
  }
  // A TTY container (or an engine that does not multiplex) sends plain text.
  const text = offset === 0 ? raw.toString('utf8') : Buffer.concat(chunks).toString('utf8');
  return text.split('\n').filter((line) => line.trim() !== '');
}

export class DockerEngine {
  constructor(readonly endpoint: string) {}

  private client(): Client {
    return this.endpoint.startsWith('unix://')
      ? new Client('http://localhost', { connect: { socketPath: this.endpoint.slice('unix://'.length) } })
      : new Client(this.endpoint.replace(/^tcp:\/\//, 'http://'));
  }

  /** One call; the reply's status and whole body. Never throws for an HTTP status, only when the engine cannot be reached. */
  async call(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    options: CallOptions = {},
  ): Promise<{ status: number; body: Buffer }> {
    const client = this.client();
    const timeout = options.timeoutMs ?? 30_000;
    try {
      const response = await client.request({
        method,
        path,
        headers: options.contentType ? { 'content-type': options.contentType } : {},
        ...(options.body === undefined ? {} : { body: options.body }),
        headersTimeout: timeout,
        bodyTimeout: timeout,
        ...(options.signal ? { signal: options.signal } : {}),
      });
      return { status: response.statusCode, body: Buffer.from(await response.body.arrayBuffer()) };
    } finally {
      await client.close().catch(() => {});
    }
  }

  /** A call that must answer one of `expected`; else an {@link EngineError} with the engine's message. */
  private async expect(
    expected: readonly number[],
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    options?: CallOptions,
  ): Promise<{ status: number; body: Buffer }> {
    const reply = await this.call(method, path, options);
    if (!expected.includes(reply.status)) throw new EngineError(reply.status, engineMessage(reply.body.toString('utf8')));
    return reply;
  }

  /** Whether the engine holds the image locally. */
  async hasImage(reference: string): Promise<boolean> {
    const { status } = await this.expect([200, 404], 'GET', `/images/${reference}/json`);
    return status === 200;
  }

  /** The image's id and configuration; undefined when the engine does not hold it. */
  async inspectImage(reference: string): Promise<ImageSummary | undefined> {
    const { status, body } = await this.expect([200, 404], 'GET', `/images/${reference}/json`);
    return status === 200 ? (JSON.parse(body.toString('utf8')) as ImageSummary) : undefined;
  }

  /**
   * Makes an image of a stopped container's file system under `repository:tag`; its id. `config`
   * replaces the fields it names (the engine merges the rest, e.g. environment and labels, from the container).
   * The engine tags the image only once it is whole.
   */
  async commit(id: string, repository: string, tag: string, config: object): Promise<string> {
    const query = new URLSearchParams({ container: id, repo: repository, tag, pause: 'false' });
    // Copying a root file system (the vfs storage driver copies it whole) takes a while on a busy machine.
    const { body } = await this.expect([201], 'POST', `/commit?${query}`, {
      body: JSON.stringify(config),
      contentType: 'application/json',
      timeoutMs: 600_000,
    });
    return (JSON.parse(body.toString('utf8')) as { Id: string }).Id;
  }

  /** Removes an image unless a container still uses it; whether it is gone. */
  async removeImage(reference: string): Promise<boolean> {
    const { status } = await this.expect([200, 404, 409], 'DELETE', `/images/${reference}`);
    return status !== 409;
  }

  /** A tar archive of `path` in a container (running or stopped). */
  async getArchive(id: string, path: string): Promise<Buffer> {
    const { body } = await this.expect([200], 'GET', `/containers/${id}/archive?path=${encodeURIComponent(path)}`);
    return body;
  }

  /**
   * Whether the image's registry serves it, asked through the engine (its proxy, mirrors and
   * credentials), without pulling: `GET /distribution/{name}/json`. Undefined when it does; else
   * what the engine said.
   */
  async registryServes(reference: string, timeoutMs: number): Promise<string | undefined> {
    try {
      const { status, body } = await this.call('GET', `/distribution/${reference}/json`, { timeoutMs });
      return status === 200 ? undefined : engineMessage(body.toString('utf8'));
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
  }

  /**
   * Pulls an image; `onBytes` hears the bytes received across its layers. The engine reports a
   * failed pull either as an error status or as an `error` line in a 200 stream: both throw.
   */
  async pull(reference: string, onBytes: (received: number, total: number) => void = () => {}): Promise<void> {
    const { repository, tag } = splitImageReference(reference);
    const query = new URLSearchParams({ fromImage: repository, tag });
    const { body } = await this.expect([200], 'POST', `/images/create?${query}`, { timeoutMs: 600_000 });
    const layers = new Map<string, { current: number; total: number }>();
    for (const line of body.toString('utf8').split('\n')) {
      if (!line.trim()) continue;
      let event: { error?: string; id?: string; progressDetail?: { current?: number; total?: number } };
      try {
        event = JSON.parse(line);
      } catch {
        continue;
      }
      if (event.error) throw new EngineError(500, event.error.trim());
      if (event.id && event.progressDetail?.total) {
        layers.set(event.id, { current: event.progressDetail.current ?? 0, total: event.progressDetail.total });
        const sum = [...layers.values()].reduce(
          (all, layer) => ({ current: all.current + layer.current, total: all.total + layer.total }),
          {
            current: 0,
            total: 0,
          },
        );
        onBytes(sum.current, sum.total);
      }
    }
  }

  /** Creates a container (not started); its id. */
  /**
   * Creates a container named `name` (unique to this call); its id. The vfs storage driver copies
   * the image's whole file system first, which took over 30 s on a busy machine (a 640 MB example
   * image while Keycloak images were copied too). A create that failed here without the engine's
   * answer (a timeout) may still complete there: the name is removed then. An engine still copying
   * may not know the name yet and answer 404; such a late container carries kcbox's owner labels,
   * so the next start's sweep of abandoned containers removes it.
   */
  async create(name: string, definition: object, timeoutMs = 300_000): Promise<string> {
    try {
      const { body } = await this.expect([201], 'POST', `/containers/create?name=${encodeURIComponent(name)}`, {
        body: JSON.stringify(definition),
        contentType: 'application/json',
        timeoutMs,
      });
      return (JSON.parse(body.toString('utf8')) as { Id: string }).Id;
    } catch (error) {
      // The engine's own refusal (no such image, a taken name) created nothing, and a taken name is someone else's.
      if (!(error instanceof EngineError)) await this.remove(name).catch(() => {});
      throw error;
    }
  }

  /** Unpacks a tar archive at `path` (an existing folder) in the container. */
  async putArchive(id: string, path: string, archive: Buffer): Promise<void> {
    await this.expect([200], 'PUT', `/containers/${id}/archive?path=${encodeURIComponent(path)}`, {
      body: archive,
      contentType: 'application/x-tar',
    });
  }

  async start(id: string): Promise<void> {
    await this.expect([204, 304], 'POST', `/containers/${id}/start`);
  }

  /** The host port the engine published for a container port, e.g. 8080 → "49153". */
  async publishedPort(id: string, containerPort: number): Promise<number> {
    const { body } = await this.expect([200], 'GET', `/containers/${id}/json`);
    const inspected = JSON.parse(body.toString('utf8')) as {
      NetworkSettings?: { Ports?: Record<string, { HostIp: string; HostPort: string }[] | null> };
    };
    const binding = inspected.NetworkSettings?.Ports?.[`${containerPort}/tcp`]?.[0];
    if (!binding?.HostPort) throw new EngineError(500, `the engine published no host port for ${containerPort}/tcp`);
    return Number(binding.HostPort);
  }

  /** Settles with the exit code once the container is not running (a long poll: abort it when done). */
  async waitForExit(id: string, signal: AbortSignal): Promise<number> {
    const { body } = await this.expect([200], 'POST', `/containers/${id}/wait?condition=not-running`, { timeoutMs: 0, signal });
    return (JSON.parse(body.toString('utf8')) as { StatusCode: number }).StatusCode;
  }

  /** The last `tail` lines of the container's output. */
  async logs(id: string, tail: number): Promise<string[]> {
    const { body } = await this.expect([200], 'GET', `/containers/${id}/logs?stdout=1&stderr=1&tail=${tail}`);
    return demultiplexLogs(body);
  }

  /** SIGTERM, then SIGKILL after `seconds`. A container that is gone or already stopped is fine. */
  async stop(id: string, seconds: number): Promise<void> {
    await this.expect([204, 304, 404], 'POST', `/containers/${id}/stop?t=${seconds}`, { timeoutMs: (seconds + 30) * 1000 });
  }

  /** Removes a container and its anonymous volumes, killing it if it runs. A container that is gone, or going, is fine. */
  async remove(id: string): Promise<void> {
    // The vfs storage driver deletes a whole root file system copy: over 30 s on a busy machine (seen while another image was committed).
    const reply = await this.expect([204, 404, 409], 'DELETE', `/containers/${id}?force=1&v=1`, { timeoutMs: 120_000 });
    // Another caller (a watchdog, another start's clean-up) removing it already is what was asked for.
    const message = engineMessage(reply.body.toString('utf8'));
    if (reply.status === 409 && !/already in progress/.test(message)) throw new EngineError(409, message);
  }

  /** Containers in any state that carry the label (`name` or `name=value`). */
  async listByLabel(label: string): Promise<ContainerSummary[]> {
    const filters = encodeURIComponent(JSON.stringify({ label: [label] }));
    const { body } = await this.expect([200], 'GET', `/containers/json?all=1&filters=${filters}`);
    return JSON.parse(body.toString('utf8')) as ContainerSummary[];
  }
}
