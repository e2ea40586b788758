import { Counter, Histogram, Registry, register } from 'prom-client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { bulkhead, circuitBreaker, fallback, firebreak, InvalidOptionError, manualClock, pipeline, retry, retryBudget, timeout, type Policy } from '../../src/index.js';
import { instrument } from '../../src/prometheus/index.js';
import { DEFINITIONS } from '../../src/prometheus/metric-definitions.js';
import { Scrape } from './read-metrics.js';

const hang = (): Promise<never> => new Promise(() => {});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('instrument', () => {
  it('counts timeouts, fallbacks and call durations of a firebreak() result', async () => {
    const clock = manualClock();
    const registry = new Registry();
    const auth = firebreak('auth', { fallback: 'cached', attemptTimeout: { duration: 50, clock } });
    instrument(auth, { registry });

    expect(await auth.execute(() => 'fresh')).toBe('fresh');
    const served = auth.execute(hang);
    clock.advance(50);
    expect(await served).toBe('cached');

    const scrape = await Scrape.of(registry);
    expect(scrape.type('firebreak_timeouts_total')).toBe('counter');
    expect(scrape.value('firebreak_timeouts_total', { name: 'auth' })).toBe(1);
    expect(scrape.type('firebreak_fallbacks_total')).toBe('counter');
    expect(scrape.value('firebreak_fallbacks_total', { name: 'auth' })).toBe(1);
    expect(scrape.type('firebreak_call_duration_seconds')).toBe('histogram');
    const count = 'firebreak_call_duration_seconds_count';
    expect(scrape.value('firebreak_call_duration_seconds', { name: 'auth', outcome: 'success' }, count)).toBe(2);
    expect(scrape.value('firebreak_call_duration_seconds', { name: 'auth', outcome: 'failure' }, count)).toBe(0);
  });

  it('records failed calls with outcome="failure" and their duration in seconds', async () => {
    const registry = new Registry();
    const passing = fallback(0, { name: 'prices', shouldHandle: () => false });
    instrument(passing, { registry });
    vi.spyOn(performance, 'now').mockReturnValueOnce(1_000).mockReturnValueOnce(1_250);
    await expect(passing.execute(() => Promise.reject(new Error('down')))).rejects.toThrow('down');
    vi.restoreAllMocks();

    const scrape = await Scrape.of(registry);
    const labels = { name: 'prices', outcome: 'failure' };
    expect(scrape.value('firebreak_call_duration_seconds', labels, 'firebreak_call_duration_seconds_count')).toBe(1);
    expect(scrape.value('firebreak_call_duration_seconds', labels, 'firebreak_call_duration_seconds_sum')).toBe(0.25);
    const buckets = scrape.samples('firebreak_call_duration_seconds', 'firebreak_call_duration_seconds_bucket').filter((s) => s.labels.outcome === 'failure');
    expect(buckets.find((s) => s.labels.le === 0.1)?.value).toBe(0);
    expect(buckets.find((s) => s.labels.le === 0.25)?.value).toBe(1);
  });

  it('walks a pipeline and labels each policy with its own name', async () => {
    const clock = manualClock();
    const registry = new Registry();
    const policy = pipeline(fallback(0, { name: 'prices' }), timeout({ name: 'prices-attempt', duration: 10, clock }));
    instrument(policy, { registry });
    const call = policy.execute(hang);
    clock.advance(10);
    await call;

    const scrape = await Scrape.of(registry);
    expect(scrape.labelSets('firebreak_timeouts_total')).toEqual(['name=prices-attempt']);
    expect(scrape.labelSets('firebreak_fallbacks_total')).toEqual(['name=prices']);
    expect(scrape.value('firebreak_call_duration_seconds', { name: policy.name, outcome: 'success' }, 'firebreak_call_duration_seconds_count')).toBe(1);
  });

  it('creates the metrics once per registry and shares them between policies', async () => {
    const registry = new Registry();
    const spy = vi.spyOn(registry, 'registerMetric');
    const a = timeout({ name: 'a', duration: 100 });
    const b = timeout({ name: 'b', duration: 100 });
    instrument(a, { registry });
    const registered = spy.mock.calls.length;
    expect(registered).toBe(Object.keys(DEFINITIONS).length);
    instrument(b, { registry });
    expect(spy.mock.calls.length).toBe(registered);
    await a.execute(() => 1);
    await b.execute(() => 2);
    await b.execute(() => 3);

    const scrape = await Scrape.of(registry);
    const count = 'firebreak_call_duration_seconds_count';
    expect(scrape.value('firebreak_call_duration_seconds', { name: 'a', outcome: 'success' }, count)).toBe(1);
    expect(scrape.value('firebreak_call_duration_seconds', { name: 'b', outcome: 'success' }, count)).toBe(2);
    expect(scrape.labelSets('firebreak_timeouts_total')).toEqual(['name=a', 'name=b']);
  });

  it('keeps separate metrics for separate registries', async () => {
    const first = new Registry();
    const second = new Registry();
    const guard = timeout({ name: 'auth', duration: 100 });
    instrument(guard, { registry: first });
    instrument(guard, { registry: second });
    await guard.execute(() => 1);
    for (const registry of [first, second]) {
      const scrape = await Scrape.of(registry);
      expect(scrape.value('firebreak_call_duration_seconds', { name: 'auth', outcome: 'success' }, 'firebreak_call_duration_seconds_count')).toBe(1);
    }
  });

  it('counts a policy once when it is instrumented twice into one registry', async () => {
    const registry = new Registry();
    const auth = firebreak('auth', { attemptTimeout: 100 });
    instrument(auth, { registry });
    const again = instrument(auth, { registry });
    instrument(auth.attemptTimeout as Policy, { registry });
    await auth.execute(() => 1);
    again.remove();
    await auth.execute(() => 2);
    const scrape = await Scrape.of(registry);
    expect(scrape.value('firebreak_call_duration_seconds', { name: 'auth', outcome: 'success' }, 'firebreak_call_duration_seconds_count')).toBe(2);
  });

  it('never touches the user\'s own metrics', async () => {
    const registry = new Registry();
    const mine = new Counter({ name: 'requests_total', help: 'mine', labelNames: ['name'], registers: [registry] });
    mine.inc({ name: 'auth' }, 3);
    const guard = timeout({ name: 'auth', duration: 100 });
    instrument(guard, { registry });
    await guard.execute(() => 1);
    await registry.metrics();
    expect(registry.getSingleMetric('requests_total')).toBe(mine);
    expect((await mine.get()).values).toEqual([{ labels: { name: 'auth' }, value: 3 }]);
  });

  it('refuses a registry where a firebreak metric name is someone else\'s, unless given a prefix', async () => {
    const registry = new Registry();
    new Counter({ name: 'firebreak_timeouts_total', help: 'not firebreak\'s', registers: [registry] });
    const guard = timeout({ name: 'auth', duration: 100 });
    expect(() => instrument(guard, { registry })).toThrow(InvalidOptionError);
    expect(() => instrument(guard, { registry })).toThrow(/firebreak_timeouts_total is a metric firebreak did not create/);
    expect(registry.getMetricsAsArray()).toHaveLength(1);

    instrument(guard, { registry, prefix: 'checkout_' });
    await guard.execute(() => 1);
    const scrape = await Scrape.of(registry);
    expect(scrape.value('checkout_firebreak_timeouts_total', { name: 'auth' })).toBe(0);
    expect(scrape.value('checkout_firebreak_call_duration_seconds', { name: 'auth', outcome: 'success' }, 'checkout_firebreak_call_duration_seconds_count')).toBe(1);
  });

  it('uses prom-client\'s default registry when none is given', async () => {
    const guard = timeout({ name: 'default-registry', duration: 100 });
    const handle = instrument(guard);
    try {
      await guard.execute(() => 1);
      expect(await register.metrics()).toContain('firebreak_call_duration_seconds_count{name="default-registry",outcome="success"} 1');
    } finally {
      handle.remove();
      register.clear();
    }
  });

  it('remove() stops counting, takes the series out of the registry, and is idempotent', async () => {
    const clock = manualClock();
    const registry = new Registry();
    const guard = timeout({ name: 'auth', duration: 10, clock });
    const handle = instrument(guard, { registry });
    const first = guard.execute(hang);
    clock.advance(10);
    await expect(first).rejects.toThrow();
    expect((await Scrape.of(registry)).value('firebreak_timeouts_total', { name: 'auth' })).toBe(1);
    handle.remove();
    handle.remove();
    const second = guard.execute(hang);
    clock.advance(10);
    await expect(second).rejects.toThrow();

    const scrape = await Scrape.of(registry);
    expect(scrape.samples('firebreak_timeouts_total')).toEqual([]);
    expect(scrape.samples('firebreak_call_duration_seconds', 'firebreak_call_duration_seconds_count')).toEqual([]);

    instrument(guard, { registry });
    const third = guard.execute(hang);
    clock.advance(10);
    await expect(third).rejects.toThrow();
    expect((await Scrape.of(registry)).value('firebreak_timeouts_total', { name: 'auth' })).toBe(1);
  });

  it('frees every series of 10,000 policies instrumented, then removed ✱', async () => {
    const registry = new Registry();
    const keep = instrument(firebreak('kept', { circuitBreaker: {}, bulkhead: { concurrency: 1 }, retry: {}, attemptTimeout: 100 }), { registry });
    const baseline = (await registry.metrics()).split('\n').length;
    const handles = Array.from({ length: 10_000 }, (_, n) =>
      instrument(firebreak(`dep-${n}`, { circuitBreaker: {}, bulkhead: { concurrency: 1 }, retry: {}, attemptTimeout: 100 }), { registry }),
    );
    const circuitState = registry.getSingleMetric('firebreak_circuit_state');
    expect((await circuitState?.get())?.values).toHaveLength(4 * 10_001);
    for (const handle of handles) handle.remove();
    const text = await registry.metrics();
    expect(text.split('\n').length).toBe(baseline);
    expect(text).not.toContain('dep-');
    keep.remove();
  }, 60_000);

  it('a series two policies count into stays until both are removed', async () => {
    const clock = manualClock();
    const registry = new Registry();
    const total = timeout({ name: 'auth', duration: 10, clock });
    const attempt = timeout({ name: 'auth', duration: 5, clock });
    const totalHandle = instrument(total, { registry });
    const attemptHandle = instrument(attempt, { registry });
    for (const guard of [total, attempt]) {
      const call = guard.execute(hang);
      clock.advance(10);
      await expect(call).rejects.toThrow();
    }
    expect((await Scrape.of(registry)).value('firebreak_timeouts_total', { name: 'auth' })).toBe(2);
    totalHandle.remove();
    expect((await Scrape.of(registry)).value('firebreak_timeouts_total', { name: 'auth' })).toBe(2);
    attemptHandle.remove();
    expect((await Scrape.of(registry)).samples('firebreak_timeouts_total')).toEqual([]);
  });

  it('refuses a second breaker, bulkhead or retry budget with a name already shown, and attaches nothing ✱', async () => {
    const registry = new Registry();
    instrument(firebreak('auth', { retry: {}, circuitBreaker: {}, bulkhead: { concurrency: 2 }, attemptTimeout: 100 }), { registry });
    const twin = firebreak('auth', { circuitBreaker: {}, attemptTimeout: 100 });
    expect(() => instrument(twin, { registry })).toThrow(InvalidOptionError);
    expect(() => instrument(twin, { registry })).toThrow(/a circuit breaker named "auth" is already instrumented/);
    expect(() => instrument(bulkhead({ name: 'auth', concurrency: 1 }), { registry })).toThrow(/a bulkhead named "auth"/);
    expect(() => instrument(retry({ name: 'auth', budget: retryBudget({ name: 'auth' }) }), { registry })).toThrow(/a retry budget named "auth"/);
    await twin.execute(() => 'ok');
    const scrape = await Scrape.of(registry);
    expect(scrape.value('firebreak_call_duration_seconds', { name: 'auth', outcome: 'success' }, 'firebreak_call_duration_seconds_count')).toBe(0);
    expect(scrape.labelSets('firebreak_circuit_state')).toEqual(['name=auth,state=closed', 'name=auth,state=half-open', 'name=auth,state=isolated', 'name=auth,state=open']);
    expect(() => instrument(circuitBreaker({ name: 'auth' }), { registry: new Registry() })).not.toThrow();
  });

  it('binds label children once: a call looks up no labels', async () => {
    const registry = new Registry();
    const clock = manualClock();
    const auth = firebreak('auth', { fallback: null, attemptTimeout: { duration: 10, clock } });
    instrument(auth, { registry });
    const labels = [vi.spyOn(Counter.prototype, 'labels'), vi.spyOn(Histogram.prototype, 'labels')];
    for (let i = 0; i < 5; i++) {
      const call = auth.execute(hang);
      clock.advance(10);
      await call;
    }
    for (const spy of labels) expect(spy).not.toHaveBeenCalled();
    const scrape = await Scrape.of(registry);
    expect(scrape.value('firebreak_timeouts_total', { name: 'auth' })).toBe(5);
    expect(scrape.value('firebreak_fallbacks_total', { name: 'auth' })).toBe(5);
  });

  it('refuses bad options and targets it cannot instrument', () => {
    const guard = timeout(100);
    const registry = new Registry();
    expect(() => instrument(guard, { registry, colour: 'red' } as never)).toThrow(/`colour` is not an option of instrument/);
    expect(() => instrument(guard, { registry, prefix: '9lives_' })).toThrow('instrument: `prefix` must be a string of letters');
    expect(() => instrument(guard, { registry, prefix: 'a-b' })).toThrow(InvalidOptionError);
    expect(() => instrument(guard, { registry, prefix: 1 as never })).toThrow(InvalidOptionError);
    expect(() => instrument(guard, { registry: {} as never })).toThrow('instrument: `registry` must be a prom-client Registry, got an object');
    const foreign: Policy = { name: 'cockatiel', execute: (fn) => Promise.resolve(fn({ signal: new AbortController().signal, attempt: 1, deadline: Infinity })) };
    expect(() => instrument(foreign, { registry })).toThrow('instrument: `target` must be a firebreak policy, pipeline, firebreak() result, keyed policy or fleet, got an object');
    expect(() => instrument(null as never, { registry })).toThrow(InvalidOptionError);
    expect(registry.getMetricsAsArray()).toHaveLength(0);
  });
});
