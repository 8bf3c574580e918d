import { type Server, type Socket, connect, createServer } from 'node:net';
import createDebug from 'debug';
import type { DockerEngine } from './docker-engine.js';

const debug = createDebug('kcbox:relay');

/**
 * A TCP relay on the Docker bridge's gateway address: the one address this machine and its
 * containers both reach. Every request to Keycloak in a check with a container backend goes
 * through it, from kcbox and from the backend alike, so Keycloak (whose issuer follows the URL it
 * is asked at) names ONE issuer to both: the tokens kcbox mints carry the very `iss` the backend
 * reads in the realm's discovery document and is told in KEYCLOAK_ISSUER.
 */
export interface GatewayRelay {
  /** `http://GATEWAY:PORT`, Keycloak's URL for the whole check. */
  readonly url: string;
  /** Stops listening and cuts open connections; idempotent. */
  close(): Promise<void>;
}

/** The IPv4 gateway of the engine's default bridge network, e.g. 172.17.0.1. */
export async function bridgeGateway(engine: DockerEngine): Promise<string> {
  const { status, body } = await engine.call('GET', '/networks/bridge');
  if (status !== 200) throw new Error(`the engine answered ${status} for its bridge network`);
  const network = JSON.parse(body.toString('utf8')) as { IPAM?: { Config?: { Gateway?: string }[] | null } };
  const gateway = network.IPAM?.Config?.map((config) => config.Gateway).find((address) => address && /^\d+(\.\d+){3}$/.test(address));
  if (!gateway) throw new Error('the engine names no IPv4 gateway for its bridge network');
  return gateway;
}

/** Listens on `gateway` (a free port) and relays every connection to `target` (http://host:port). */
export async function startGatewayRelay(gateway: string, target: string): Promise<GatewayRelay> {
  const to = new URL(target);
  const port = Number(to.port || (to.protocol === 'https:' ? 443 : 80));
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };
  // Half-open both ways, as TCP is: a client that shuts its side after the request (FIN) still
  // gets the answer; each direction ends on its own (pipe forwards the FIN) and a socket closes
  // once both have. Without it Node ended the client's side at its FIN and the answer was lost.
  const server: Server = createServer({ allowHalfOpen: true }, (client) => {
    track(client);
    const upstream = connect({ port, host: to.hostname, allowHalfOpen: true });
    track(upstream);
    const end = (error?: Error) => {
      if (error) debug('relay connection: %s', error.message);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', () => upstream.end());
    upstream.on('error', end).on('close', () => client.end());
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, gateway, () => resolve());
  });
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('the relay has no TCP address');
  const url = `${to.protocol}//${gateway}:${address.port}`;
  debug('relaying %s to %s', url, target);
  let closing: Promise<void> | undefined;
  return {
    url,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      })),
  };
}
