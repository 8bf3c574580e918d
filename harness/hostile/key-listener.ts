import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { JKU_PATH, X5U_PATH } from './listener-documents.js';
import type { ListenerDocuments } from './types.js';

/** kcbox's loopback server for the jku and x5u forgeries: any request it gets is a finding. */
export interface KeyListener extends AsyncDisposable {
  readonly url: string;
  /** `METHOD path` of every request received so far. */
  readonly requests: readonly string[];
  stop(): Promise<void>;
}

/** Serves the foreign JWKS and certificate on 127.0.0.1 and records who asks for them. */
export async function startKeyListener(documents: ListenerDocuments): Promise<KeyListener> {
  const requests: string[] = [];
  const server = createServer((request, response) => {
    requests.push(`${request.method} ${request.url}`);
    if (request.url?.startsWith(JKU_PATH)) {
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify(documents.jwks));
    } else if (request.url?.startsWith(X5U_PATH)) {
      response.setHeader('content-type', 'application/pem-certificate-chain');
      response.end(documents.certificatePem);
    } else {
      response.statusCode = 404;
      response.end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests, stop, [Symbol.asyncDispose]: stop };
}
