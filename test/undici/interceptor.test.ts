import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bulkhead,
  BulkheadRejectedError,
  CircuitOpenError,
  constant,
  firebreak,
  httpShouldHandle,
  InvalidOptionError,
  pipeline,
  timeout,
  TimeoutError,
  type RetryEvent,
} from '../../src/index.js';
import { Registry } from 'prom-client';
import { instrument } from '../../src/prometheus/index.js';
import { interceptor, type InterceptorOptions } from '../../src/undici/index.js';
import { deferred } from '../helpers/async.js';
import { routes, startServer, type TestServer } from './servers.js';
import { undici, undiciMajor } from './undici-for-this-node.js';

/** An agent composed with the interceptor; closed by the test. */
function protectedAgent(options?: InterceptorOptions) {
  const protect = interceptor(options);
  return { protect, agent: new undici.Agent().compose(protect) };
}

const retrying = (origin: string) =>
  firebreak(origin, { retry: { maxAttempts: 3, shouldHandle: httpShouldHandle, backoff: constant(0) } });

describe(`firebreak/undici with undici ${undiciMajor}`, () => {
  let server: TestServer;
  let other: TestServer;
  const slowBody = deferred<void>();

  beforeAll(async () => {
    server = await startServer(routes({ slowBody: slowBody.promise }));
    other = await startServer(routes());
  });
  afterAll(async () => {
    slowBody.resolve();
    await Promise.all([server.close(), other.close()]);
  });

  it('refuses bad options, and composes into undici\'s dispatchers', () => {
    expect(() => interceptor({ maxKeys: 0 })).toThrow(InvalidOptionError);
    expect(() => interceptor({ policy: 'firebreak' } as never)).toThrow('interceptor: `policy` must be a function');
    expect(() => interceptor({ retries: 2 } as never)).toThrow(InvalidOptionError);
    const dispatch = interceptor()(() => true);
    expect(dispatch.length).toBe(2);
  });

  it('is the outermost when composed last: an interceptor before it sees every attempt', async () => {
    const seen: string[] = [];
    const recorder = (dispatch: Parameters<ReturnType<typeof interceptor>>[0]) =>
      function record(opts: Parameters<typeof dispatch>[0], handler: Parameters<typeof dispatch>[1]): boolean {
        seen.push(String(opts.path));
        return dispatch(opts, handler);
      };
    const agent = new undici.Agent().compose(recorder, interceptor({ policy: retrying }));
    try {
      const response = await undici.request(`${server.origin}/flaky?order`, { dispatcher: agent });
      expect(response.statusCode).toBe(200);
      await response.body.dump();
      expect(seen).toEqual(['/flaky?order', '/flaky?order']);
    } finally {
      await agent.destroy();
    }
  });

  it('passes healthy requests and bodies through undici.request and undici.fetch', async () => {
    const { protect, agent } = protectedAgent();
    try {
      const response = await undici.request(`${server.origin}/ok`, { dispatcher: agent });
      expect(response.statusCode).toBe(200);
      expect(await response.body.text()).toBe('ok');
      const fetched = await undici.fetch(`${server.origin}/ok`, { dispatcher: agent });
      expect(await fetched.text()).toBe('ok');
      expect(protect.policies.size).toBe(1);
    } finally {
      await agent.destroy();
    }
  });

  it('keeps origins apart: one origin\'s open breaker does not touch another\'s, and rejects fast', async () => {
    const { protect, agent } = protectedAgent({
      policy: (origin) => firebreak(origin, { circuitBreaker: { shouldHandle: httpShouldHandle, window: { type: 'consecutive', failures: 3 }, openFor: 60_000 } }),
    });
    try {
      for (let i = 0; i < 3; i++) {
        const response = await undici.request(`${server.origin}/fail?isolation`, { dispatcher: agent });
        expect(response.statusCode).toBe(503);
        await response.body.dump();
      }
      const before = server.hitsOf('GET /fail?isolation');
      const rejections = await Promise.all(
        Array.from({ length: 20 }, () => undici.request(`${server.origin}/fail?isolation`, { dispatcher: agent }).catch((error: unknown) => error)),
      );
      for (const error of rejections) expect(error).toBeInstanceOf(CircuitOpenError);
      expect(server.hitsOf('GET /fail?isolation')).toBe(before);
      const healthy = await undici.request(`${other.origin}/ok`, { dispatcher: agent });
      expect(await healthy.body.text()).toBe('ok');
      const breakerOf = (origin: string) => (protect.policies.get(origin) as ReturnType<typeof firebreak>).circuitBreaker?.state;
      expect(breakerOf(server.origin)).toBe('open');
      expect(breakerOf(other.origin)).toBe('closed');
    } finally {
      await agent.destroy();
    }
  });

  it('retries a 503 after at least its Retry-After, and drops the body of the retried response', async () => {
    const retries: RetryEvent[] = [];
    const { agent } = protectedAgent({
      policy: (origin) => {
        const policy = retrying(origin);
        policy.retry?.onRetry((event) => retries.push(event));
        return policy;
      },
    });
    try {
      const response = await undici.request(`${server.origin}/retry-after`, { dispatcher: agent });
      expect(response.statusCode).toBe(200);
      expect(await response.body.text()).toBe('ok after wait');
      expect(retries.map((event) => event.delay)).toEqual([50]);
    } finally {
      await agent.destroy();
    }
  });

  it('retries a socket reset on an idempotent request, and never re-sends a POST', async () => {
    const { agent } = protectedAgent({ policy: retrying });
    try {
      const reset = await undici.request(`${server.origin}/reset`, { dispatcher: agent }).catch((error: unknown) => error);
      expect((reset as { code?: string }).code).toMatch(/ECONNRESET|UND_ERR_SOCKET/);
      expect(server.hitsOf('GET /reset')).toBe(3);

      const posted = await undici.request(`${server.origin}/fail?post`, { dispatcher: agent, method: 'POST', body: 'order' });
      expect(posted.statusCode).toBe(503);
      await posted.body.dump();
      expect(server.hitsOf('POST /fail?post')).toBe(1);

      const streamed = await undici.request(`${server.origin}/fail?stream`, { dispatcher: agent, method: 'PUT', body: Readable.from(['a', 'b']) });
      await streamed.body.dump();
      expect(server.hitsOf('PUT /fail?stream')).toBe(1);

      const keyed = await undici.request(`${server.origin}/fail?keyed`, { dispatcher: agent, method: 'POST', body: 'order', headers: { 'Idempotency-Key': 'k-1' } });
      await keyed.body.dump();
      expect(server.hitsOf('POST /fail?keyed')).toBe(3);

      const fetched = await undici.fetch(`${server.origin}/fail?fetch-post`, { dispatcher: agent, method: 'POST', body: 'order' });
      expect(fetched.status).toBe(503);
      await fetched.arrayBuffer();
      expect(server.hitsOf('POST /fail?fetch-post')).toBe(1);
    } finally {
      await agent.destroy();
    }
  });

  it('times out a hanging server per attempt', async () => {
    const { agent } = protectedAgent({ policy: (origin) => firebreak(origin, { attemptTimeout: 50 }) });
    try {
      const error = await undici.request(`${server.origin}/hang?timeout`, { dispatcher: agent }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TimeoutError);
    } finally {
      await agent.destroy();
    }
  });

  it('holds the bulkhead permit until the body ends, not until the head', async () => {
    // One bulkhead shared by every origin, inside a pipeline with a timeout, as firebreak() nests it.
    const pool = bulkhead({ concurrency: 1 });
    const { agent } = protectedAgent({ policy: () => pipeline(pool, timeout(5_000)) });
    try {
      const response = await undici.request(`${server.origin}/slow-body`, { dispatcher: agent });
      expect(response.statusCode).toBe(200);
      expect(pool.stats.active).toBe(1);
      const second = await undici.request(`${other.origin}/ok`, { dispatcher: agent }).catch((e: unknown) => e);
      expect(second).toBeInstanceOf(BulkheadRejectedError);
      slowBody.resolve();
      expect(await response.body.text()).toBe('first last');
      await waitFor(() => pool.stats.active === 0);
      const third = await undici.request(`${other.origin}/ok`, { dispatcher: agent });
      expect(await third.body.text()).toBe('ok');
    } finally {
      await agent.destroy();
    }
  });

  it('ends a queue wait and a backoff sleep at once when the request is aborted', async () => {
    const { agent } = protectedAgent({
      policy: (origin) =>
        firebreak(origin, { retry: { maxAttempts: 3, shouldHandle: httpShouldHandle, backoff: constant(60_000) }, bulkhead: { concurrency: 1, queue: 5 } }),
    });
    try {
      const holder = new AbortController();
      const hanging = undici.request(`${server.origin}/hang?queue`, { dispatcher: agent, signal: holder.signal }).catch((e: unknown) => e);
      await waitFor(() => server.hitsOf('GET /hang?queue') === 1);
      const waiter = new AbortController();
      const queued = undici.request(`${server.origin}/ok?queued`, { dispatcher: agent, signal: waiter.signal }).catch((e: unknown) => e);
      waiter.abort(new Error('caller gave up waiting'));
      expect(await queued).toMatchObject({ message: 'caller gave up waiting' });
      expect(server.hitsOf('GET /ok?queued')).toBe(0);
      holder.abort(new Error('stop hanging'));
      expect(await hanging).toMatchObject({ message: 'stop hanging' });

      const sleeper = new AbortController();
      const sleeping = undici.fetch(`${other.origin}/fail?sleep`, { dispatcher: agent, signal: sleeper.signal }).catch((e: unknown) => e);
      await waitFor(() => other.hitsOf('GET /fail?sleep') === 1);
      sleeper.abort();
      expect(await sleeping).toMatchObject({ name: 'AbortError' });
      expect(other.hitsOf('GET /fail?sleep')).toBe(1);
    } finally {
      await agent.destroy();
    }
  });

  it('answers with a fallback\'s synthetic response', async () => {
    const { agent } = protectedAgent({
      policy: (origin) =>
        firebreak(origin, {
          fallback: {
            fallback: (_error: unknown) => ({ status: 200, headers: { 'x-served-by': 'fallback' }, body: 'cached' }),
            shouldHandle: httpShouldHandle,
          },
        }),
    });
    const { agent: fetchAgent } = protectedAgent({
      policy: (origin) => firebreak(origin, { fallback: { fallback: () => new Response('{"stale":true}', { status: 203 }), shouldHandle: httpShouldHandle } }),
    });
    try {
      const response = await undici.request(`${server.origin}/fail?fallback`, { dispatcher: agent });
      expect(response.statusCode).toBe(200);
      expect(response.headers['x-served-by']).toBe('fallback');
      expect(await response.body.text()).toBe('cached');
      const fetched = await undici.fetch(`${server.origin}/reset?fallback`, { dispatcher: fetchAgent });
      expect(fetched.status).toBe(203);
      expect(await fetched.json()).toEqual({ stale: true });
    } finally {
      await Promise.all([agent.destroy(), fetchAgent.destroy()]);
    }
  });

  it('delivers a rejection to a raw handler through a controller it can use', async () => {
    const { protect, agent } = protectedAgent({ policy: (origin) => firebreak(origin, { circuitBreaker: {} }) });
    protect.policies.get(server.origin);
    (protect.policies.get(server.origin) as ReturnType<typeof firebreak>).circuitBreaker?.isolate();
    try {
      const seen: string[] = [];
      const error = await new Promise<Error>((resolve) => {
        agent.dispatch(
          { origin: server.origin, path: '/ok?raw', method: 'GET' },
          {
            onRequestStart: (controller) => seen.push(`start:${typeof controller.abort}`),
            onResponseError: (controller, failure) => {
              seen.push(`error:${typeof controller.abort}:${typeof controller.pause}:${String(controller.aborted)}`);
              controller.abort(failure);
              controller.resume();
              resolve(failure);
            },
          },
        );
      });
      expect(error).toBeInstanceOf(CircuitOpenError);
      expect(seen).toEqual(['start:function', 'error:function:function:false']);
      expect(server.hitsOf('GET /ok?raw')).toBe(0);
    } finally {
      await agent.destroy();
    }
  });

  it('shows each origin\'s series, labelled with its key, until the origin is dropped', async () => {
    const registry = new Registry();
    const { protect, agent } = protectedAgent({ name: 'outbound', maxKeys: 1 });
    instrument(protect.policies, { registry });
    try {
      await (await undici.request(`${server.origin}/ok?metrics`, { dispatcher: agent })).body.dump();
      const exposition = await registry.metrics();
      expect(exposition).toContain(`firebreak_circuit_state{name="${server.origin}",key="${server.origin}",state="closed"} 1`);
      await (await undici.request(`${other.origin}/ok?metrics`, { dispatcher: agent })).body.dump();
      const after = await registry.metrics();
      expect(after).not.toContain(`key="${server.origin}"`);
      expect(after).toContain(`key="${other.origin}"`);
    } finally {
      await agent.destroy();
    }
  });

  it('lets a request whose key is null bypass firebreak, and delivers a key function\'s error', async () => {
    const { protect, agent } = protectedAgent({
      policy: () => firebreak('never', { circuitBreaker: {} }),
      key: (opts) => {
        if (String(opts.path).startsWith('/ok')) return null;
        throw new Error('no key for this one');
      },
    });
    try {
      const response = await undici.request(`${server.origin}/ok?bypass`, { dispatcher: agent });
      expect(await response.body.text()).toBe('ok');
      expect(protect.policies.size).toBe(0);
      await expect(undici.request(`${server.origin}/fail?nokey`, { dispatcher: agent })).rejects.toThrow('no key for this one');
    } finally {
      await agent.destroy();
    }
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 1_000 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  if (!condition()) throw new Error('condition not met');
}
