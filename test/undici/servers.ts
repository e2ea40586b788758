import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface TestServer {
  readonly origin: string;
  /** Requests received, by `METHOD /path`. */
  readonly hits: Map<string, number>;
  hitsOf(route: string): number;
  close(): Promise<void>;
}

/** A real HTTP server on 127.0.0.1 (port 0); `handle` answers each request. Closing it ends every socket. */
export async function startServer(handle: (request: IncomingMessage, response: ServerResponse, hit: number) => void): Promise<TestServer> {
  const hits = new Map<string, number>();
  const sockets = new Set<Socket>();
  const server = createServer((request, response) => {
    const route = `${request.method ?? 'GET'} ${request.url ?? '/'}`;
    const hit = (hits.get(route) ?? 0) + 1;
    hits.set(route, hit);
    request.resume();
    request.on('end', () => handle(request, response, hit));
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    hits,
    hitsOf: (route) => hits.get(route) ?? 0,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** The routes the tests use: healthy, failing with 503, hanging, resetting the socket, a slow body. */
export function routes(gate: { slowBody?: Promise<void> } = {}) {
  return (request: IncomingMessage, response: ServerResponse, hit: number): void => {
    const url = request.url ?? '/';
    if (url.startsWith('/ok')) {
      response.end('ok');
    } else if (url.startsWith('/fail')) {
      response.writeHead(503).end('down');
    } else if (url.startsWith('/retry-after')) {
      if (hit === 1) response.writeHead(503, { 'retry-after': '0.05' }).end('busy');
      else response.end('ok after wait');
    } else if (url.startsWith('/flaky')) {
      if (hit === 1) response.writeHead(503).end('down');
      else response.end('ok');
    } else if (url.startsWith('/hang')) {
      // never answers
    } else if (url.startsWith('/reset')) {
      request.socket.destroy();
    } else if (url.startsWith('/slow-body')) {
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.write('first ');
      void (gate.slowBody ?? Promise.resolve()).then(() => response.end('last'));
    } else {
      response.writeHead(404).end();
    }
  };
}
