import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A running HTTP service on 127.0.0.1 and how to stop it. */
export interface Service {
  readonly url: string;
  close(): Promise<void>;
}

/** Starts `handle` on a free port of 127.0.0.1. */
export async function serve(handle: (request: IncomingMessage, response: ServerResponse) => void): Promise<Service> {
  const server: Server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * A dependency that answers `{ ok: true }` after `delayMs`; a request whose client goes away is
 * dropped with its timer.
 */
export function dependency(delayMs: () => number): Promise<Service> {
  return serve((request, response) => {
    const timer = setTimeout(() => {
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ ok: true }));
    }, delayMs());
    request.on('close', () => {
      if (!response.writableEnded) clearTimeout(timer);
    });
  });
}
