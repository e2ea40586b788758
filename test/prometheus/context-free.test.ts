import { createHook } from 'node:async_hooks';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { firebreak, timeout } from '../../src/index.js';
import { instrument } from '../../src/prometheus/index.js';

/** Counts the caller scopes a timeout captures (async resources of type 'firebreak'). */
function countScopes(): { readonly count: number; stop(): void } {
  let count = 0;
  const hook = createHook({
    init(_id, type) {
      if (type === 'firebreak') count++;
    },
  }).enable();
  return {
    get count() {
      return count;
    },
    stop: () => hook.disable(),
  };
}

describe('timeouts counted by Prometheus', () => {
  const stops: (() => void)[] = [];
  afterEach(() => stops.splice(0).forEach((stop) => stop()));

  it('capture no caller scope per call for the count alone, and one for a listener that may need it', async () => {
    const guarded = firebreak('context-free', { totalTimeout: 10_000, attemptTimeout: 5_000 });
    const handle = instrument(guarded, { registry: new Registry() });
    stops.push(() => handle.remove());
    const scopes = countScopes();
    stops.push(() => scopes.stop());
    for (let i = 0; i < 10; i++) await guarded.execute(() => Promise.resolve(i));
    expect(scopes.count).toBe(0);

    stops.push(guarded.attemptTimeout!.onTimeout(() => {}));
    for (let i = 0; i < 10; i++) await guarded.execute(() => Promise.resolve(i));
    expect(scopes.count).toBe(10);
  });

  it('still counts a timeout, reported when it fires', async () => {
    const registry = new Registry();
    const slow = timeout({ name: 'context-free-slow', duration: 5 });
    const handle = instrument(slow, { registry });
    stops.push(() => handle.remove());
    await expect(slow.execute((ctx) => new Promise((resolve) => ctx.signal.addEventListener('abort', resolve)))).rejects.toThrow();
    expect(await registry.getSingleMetricAsString('firebreak_timeouts_total')).toContain('firebreak_timeouts_total{name="context-free-slow"} 1');
  });
});
