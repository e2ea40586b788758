import { Agent, createServer, request, type Server } from 'node:http';
import { listen } from '../cascade/services/child.js';

/** A round-robin HTTP balancer on 127.0.0.1 in front of the replicas: each request to the next one. */
export interface Balancer {
  readonly url: string;
  close(): Promise<void>;
}

export async function startBalancer(replicas: readonly string[]): Promise<Balancer> {
  const agent = new Agent({ keepAlive: true });
  let next = 0;
  const server: Server = createServer((req, res) => {
    const target = new URL(req.url ?? '/', replicas[next++ % replicas.length]);
    const upstream = request(target, { method: req.method, headers: req.headers, agent }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  });
  const port = await listen(server);
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
        agent.destroy();
      }),
  };
}
