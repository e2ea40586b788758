import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import { close, listen } from '../../examples/shared/http.js';
import { firebreak, HedgeLostError, hedge, rateLimiter, RateLimitedError } from '../../src/index.js';
import { deferred } from '../helpers/async.js';

const servers: ReturnType<typeof createServer>[] = [];
// Closed at the end, not after each test: a new server could get a closed one's port, and fetch a pooled socket to it.
afterAll(async () => {
  await Promise.all(servers.splice(0).map(close));
});

/** A server whose first request hangs (until its client goes away, unless `hangFirst` is false) and whose later ones answer at once. */
async function slowFirst(hangFirst = true): Promise<{ url: string; requests: number; firstClosed: Promise<void> }> {
  const firstClosed = deferred<void>();
  const state = { url: '', requests: 0, firstClosed: firstClosed.promise };
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const number = ++state.requests;
    if (number === 1 && hangFirst) {
      response.on('close', () => firstClosed.resolve());
      return;
    }
    response.end(`answer ${number}`);
  });
  servers.push(server);
  state.url = await listen(server);
  return state;
}

describe('hedge, end to end (real timers, a real HTTP server, fetch)', () => {
  it('a hedged fetch answers while the first hangs, and the first request is aborted on the wire', async () => {
    const server = await slowFirst();
    const policy = hedge({ delay: 50 });
    const reasons: unknown[] = [];
    const body = await policy.execute(async (ctx) => {
      ctx.signal.addEventListener('abort', () => reasons.push(ctx.signal.reason));
      const response = await fetch(server.url, { signal: ctx.signal });
      return response.text();
    });
    expect(body).toBe('answer 2');
    await server.firstClosed;
    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toBeInstanceOf(HedgeLostError);
    expect(policy.stats).toMatchObject({ calls: 1, hedges: 1, wins: 1 });
  });

  it('in firebreak(), inside a total timeout, with a rate limit on every attempt: the limit refuses the hedge', async () => {
    const search = firebreak('search', { totalTimeout: 10_000, hedge: { delay: 50 }, rateLimit: { rate: 1, burst: 1 } });
    let calls = 0;
    const controller = new AbortController();
    const rejected = search.rateLimit?.onRejected(() => setImmediate(() => controller.abort(new Error('gave up'))));
    const call = search.execute(
      (ctx) =>
        new Promise((_, reject) => {
          calls++;
          ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason as Error));
        }),
      { signal: controller.signal },
    );
    await expect(call).rejects.toThrow('gave up');
    rejected?.();
    expect(calls).toBe(1);
    expect(search.hedge?.stats).toMatchObject({ hedges: 1, wins: 0 });
    const error = await search.execute(() => 'limited').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect((error as RateLimitedError).retryAfter).toBeGreaterThan(0);
  });

  it('a rate limiter with maxWait lets a waiting fetch through on real timers', async () => {
    const server = await slowFirst(false);
    const limiter = rateLimiter({ rate: 20, burst: 1, maxWait: 1_000 });
    const bodies = await Promise.all([1, 2, 3].map(() => limiter.execute((ctx) => fetch(server.url, { signal: ctx.signal }).then((r) => r.text()))));
    expect(bodies.sort()).toEqual(['answer 1', 'answer 2', 'answer 3']);
  });
});
