/**
 * The gateway: routes each path to its service. Every upstream call of the gateway goes through
 * ONE shared pool of connections (see shared-pool.ts), whatever the service, as in the incident.
 *
 * naive: no timeout, retries at once on failure, keeps a call going after the user has left.
 * protected: each service behind `protectUpstream` (see protection.ts): a total timeout, a
 * breaker and a bulkhead per service, whose sizes add up to less than the pool; a user's hang-up
 * aborts the call. `GET /_pool` tells how full the shared pool is; `GET /metrics` serves the
 * protected run's firebreak metrics (firebreak/prometheus) for Prometheus.
 */
import { Agent, createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { register } from 'prom-client';
import { instrument } from '../../../src/prometheus/index.js';
import { childConfig, listen, ready } from './child.js';
import type { GatewayConfig, PoolStats } from './contracts.js';
import { get, type UpstreamResponse } from './http-client.js';
import { eagerRetry } from './naive.js';
import { protectUpstream } from './protection.js';
import { SharedPool } from './shared-pool.js';

const config = childConfig<GatewayConfig>();
const pool = new SharedPool(config.poolSize);
const agent = new Agent({ keepAlive: true });
const protections = new Map(config.mode === 'protected' ? Object.entries(config.routes).map(([path, name]) => [path, protectUpstream(name)]) : []);
for (const protection of protections.values()) instrument(protection);

function forward(url: string, authorization: string | undefined, signal?: AbortSignal): Promise<UpstreamResponse> {
  const headers = authorization === undefined ? {} : { authorization };
  return pool.run(() => get(url, { agent, headers, signal }), signal);
}

function call(path: string, url: string, req: IncomingMessage, hangUp: AbortSignal): Promise<UpstreamResponse> {
  const authorization = req.headers.authorization;
  if (config.mode === 'naive') return eagerRetry(() => forward(url, authorization), config.naiveAttempts);
  const protection = protections.get(path);
  if (protection === undefined) throw new Error(`no protection for ${path}`);
  return protection.execute((ctx) => forward(url, authorization, ctx.signal), { signal: hangUp });
}

async function handle(req: IncomingMessage, res: ServerResponse, hangUp: AbortSignal): Promise<void> {
  const path = req.url ?? '/';
  if (path === '/metrics') {
    res.writeHead(200, { 'content-type': register.contentType }).end(await register.metrics());
    return;
  }
  if (path === '/_pool') {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ size: pool.size, inUse: pool.inUse, waiting: pool.waiting } satisfies PoolStats));
    return;
  }
  const service = config.routes[path];
  const url = service === undefined ? undefined : addresses[service];
  if (url === undefined) {
    res.writeHead(404).end();
    return;
  }
  const response = await call(path, `${url}/`, req, hangUp);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const degraded = response.headers['x-degraded'];
  if (typeof degraded === 'string') headers['x-degraded'] = degraded;
  res.writeHead(response.status, headers).end(response.body);
}

const server = createServer();
const addresses = await ready({ port: await listen(server) });

server.on('request', (req: IncomingMessage, res: ServerResponse) => {
  const hangUp = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) hangUp.abort(new Error('the user hung up'));
  });
  handle(req, res, hangUp.signal).catch(() => {
    if (!res.headersSent) res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":"unavailable"}');
  });
});

