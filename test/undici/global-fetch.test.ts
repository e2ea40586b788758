import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CircuitOpenError, firebreak, httpShouldHandle } from '../../src/index.js';
import { interceptor } from '../../src/undici/index.js';
import { routes, startServer, type TestServer } from './servers.js';
import { undici, undiciMajor } from './undici-for-this-node.js';

const GLOBAL = Symbol.for('undici.globalDispatcher.1');
const GLOBAL_2 = Symbol.for('undici.globalDispatcher.2');

describe(`Node ${process.versions.node}'s built-in fetch through setGlobalDispatcher (undici ${undiciMajor})`, () => {
  let sick: TestServer;
  let healthy: TestServer;
  const saved = { legacy: (globalThis as Record<symbol, unknown>)[GLOBAL], current: (globalThis as Record<symbol, unknown>)[GLOBAL_2] };

  beforeAll(async () => {
    sick = await startServer(routes());
    healthy = await startServer(routes());
  });
  afterEach(() => {
    Object.assign(globalThis, { [GLOBAL]: saved.legacy, [GLOBAL_2]: saved.current });
  });
  afterAll(async () => {
    await Promise.all([sick.close(), healthy.close()]);
  });

  it('opens one origin\'s breaker without touching another\'s, and rejects through fetch', async () => {
    const protect = interceptor({
      policy: (origin) => firebreak(origin, { circuitBreaker: { shouldHandle: httpShouldHandle, window: { type: 'consecutive', failures: 2 } } }),
    });
    const agent = new undici.Agent().compose(protect);
    undici.setGlobalDispatcher(agent);
    try {
      for (let i = 0; i < 2; i++) expect((await fetch(`${sick.origin}/fail`)).status).toBe(503);
      const rejected = await fetch(`${sick.origin}/fail`).catch((error: unknown) => error);
      expect(rejected).toBeInstanceOf(TypeError);
      expect((rejected as TypeError).cause).toBeInstanceOf(CircuitOpenError);
      expect(sick.hitsOf('GET /fail')).toBe(2);
      const response = await fetch(`${healthy.origin}/ok`);
      expect(await response.text()).toBe('ok');
      expect([...protect.policies.keys()]).toEqual([sick.origin, healthy.origin]);
    } finally {
      await agent.close();
    }
  });

  it('streams a body and delivers a POST once', async () => {
    const protect = interceptor({ policy: (origin) => firebreak(origin, { retry: { maxAttempts: 3, shouldHandle: httpShouldHandle, backoff: () => 0 } }) });
    const agent = new undici.Agent().compose(protect);
    undici.setGlobalDispatcher(agent);
    try {
      const response = await fetch(`${healthy.origin}/slow-body`);
      expect(await response.text()).toBe('first last');
      const posted = await fetch(`${sick.origin}/fail`, { method: 'POST', body: 'order' });
      expect(posted.status).toBe(503);
      expect(sick.hitsOf('POST /fail')).toBe(1);
      expect((await fetch(`${healthy.origin}/flaky`)).status).toBe(200);
      expect(healthy.hitsOf('GET /flaky')).toBe(2);
    } finally {
      await agent.close();
    }
  });
});
