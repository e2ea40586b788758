/**
 * A service behind the gateway (profile, orders, catalog). One that needs auth validates every
 * request's bearer token with the auth service first; then it does its own work and answers.
 *
 * naive: calls auth with no timeout, retries at once on failure, never gives up on a call whose
 * caller has left. protected: calls auth through `protectAuth` (see protection.ts), passes the
 * caller's hang-up on as an abort, and when auth cannot answer serves users whose token auth
 * validated recently from a cache (the answer then says `x-degraded: auth-cache`). `GET /metrics`
 * serves the protected auth calls' firebreak metrics (breaker, retry budget, token-cache
 * fallback) for Prometheus.
 */
import { Agent, createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { register } from 'prom-client';
import { instrument } from '../../../src/prometheus/index.js';
import { childConfig, listen, ready, work } from './child.js';
import type { ServiceConfig } from './contracts.js';
import { get, type UpstreamResponse } from './http-client.js';
import { eagerRetry } from './naive.js';
import { joinFleet } from './fleet.js';
import { protectAuth } from './protection.js';

/** The user a request is served for, or the status to answer instead. */
type Validation = { readonly user: string; readonly degraded: boolean } | { readonly status: number };

const config = childConfig<ServiceConfig>();
const authAgent = new Agent({ keepAlive: true });
const auth = protectAuth(config.fleet && (await joinFleet(config.fleet.redisPort, config.fleet.prefix)));
if (config.mode === 'protected' && config.needsAuth) instrument(auth);
const validatedAt = new Map<string, number>();
const CACHE_LIMIT = 10_000;

function remember(token: string): void {
  validatedAt.delete(token);
  validatedAt.set(token, performance.now());
  if (validatedAt.size > CACHE_LIMIT) validatedAt.delete(validatedAt.keys().next().value as string);
}

function recentlyValidated(token: string): boolean {
  const at = validatedAt.get(token);
  return at !== undefined && performance.now() - at <= config.tokenCacheMs;
}

function callAuth(url: string, authorization: string, signal: AbortSignal | undefined): Promise<UpstreamResponse> {
  return get(url, { agent: authAgent, headers: { authorization }, signal });
}

async function validate(url: string, authorization: string, caller: AbortSignal): Promise<Validation> {
  if (config.mode === 'naive') {
    const response = await eagerRetry(() => callAuth(url, authorization, undefined), config.naiveAttempts);
    return response.status === 200 ? { user: authorization, degraded: false } : { status: response.status === 401 ? 401 : 502 };
  }
  const response = await auth.execute((ctx) => callAuth(url, authorization, ctx.signal), { signal: caller });
  if (response === null) return recentlyValidated(authorization) ? { user: authorization, degraded: true } : { status: 503 };
  if (response.status !== 200) return { status: response.status === 401 ? 401 : 502 };
  remember(authorization);
  return { user: authorization, degraded: false };
}

async function handle(req: IncomingMessage, res: ServerResponse, caller: AbortSignal): Promise<void> {
  let user = 'anonymous';
  let degraded = false;
  if (authUrl !== undefined) {
    const validation = await validate(authUrl, req.headers.authorization ?? '', caller);
    if ('status' in validation) {
      res.writeHead(validation.status, { 'content-type': 'application/json' }).end('{"error":"not authenticated"}');
      return;
    }
    ({ user, degraded } = validation);
  }
  await work(config.workMs);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (degraded) headers['x-degraded'] = 'auth-cache';
  res.writeHead(200, headers).end(JSON.stringify({ service: config.name, user }));
}

const server = createServer();
const addresses = await ready({ port: await listen(server) });
const authUrl = config.needsAuth ? `${addresses.auth}/validate` : undefined;

server.on('request', (req: IncomingMessage, res: ServerResponse) => {
  if (req.url === '/metrics') {
    void register.metrics().then((text) => res.writeHead(200, { 'content-type': register.contentType }).end(text));
    return;
  }
  const hangUp = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) hangUp.abort(new Error('the caller hung up'));
  });
  handle(req, res, hangUp.signal).catch(() => {
    if (!res.headersSent) res.writeHead(502).end();
  });
});

