import { DataPointType, type MetricData } from '@opentelemetry/sdk-metrics';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  adaptiveBulkhead,
  adaptiveThrottle,
  circuitBreaker,
  fallback,
  firebreak,
  hedge,
  InvalidOptionError,
  manualClock,
  pipeline,
  rateLimiter,
  retry,
  timeout,
  type CallContext,
} from '../../src/index.js';
import { instrument } from '../../src/opentelemetry/index.js';
import { MAX_ERROR_TYPES } from '../../src/opentelemetry/error-type.js';
import { runScriptedSequence } from '../prometheus/scripted-sequence.js';
import { Metrics, Traces, type Collection } from './otel.js';

const hangUntilAborted = (ctx: CallContext): Promise<never> =>
  new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason as Error)));

/** Every instrument with its kind, unit and the attribute keys its points may carry. */
const TABLE: Record<string, { type: string; unit: string; attributes: string[]; optional?: string[] }> = {
  'firebreak.circuit.state': { type: 'up-down', unit: '{state}', attributes: ['firebreak.circuit.state', 'firebreak.policy.name'] },
  'firebreak.circuit.calls': { type: 'counter', unit: '{call}', attributes: ['firebreak.circuit.result', 'firebreak.policy.name'] },
  'firebreak.circuit.slow_calls': { type: 'counter', unit: '{call}', attributes: ['firebreak.policy.name'] },
  'firebreak.circuit.transitions': { type: 'counter', unit: '{transition}', attributes: ['firebreak.circuit.previous_state', 'firebreak.circuit.state', 'firebreak.policy.name'] },
  'firebreak.bulkhead.active': { type: 'up-down', unit: '{call}', attributes: ['firebreak.policy.name'] },
  'firebreak.bulkhead.queued': { type: 'up-down', unit: '{call}', attributes: ['firebreak.policy.name'] },
  'firebreak.bulkhead.concurrency': { type: 'up-down', unit: '{call}', attributes: ['firebreak.policy.name'] },
  'firebreak.concurrency.limit': { type: 'up-down', unit: '{call}', attributes: ['firebreak.policy.name'] },
  'firebreak.bulkhead.rejections': { type: 'counter', unit: '{call}', attributes: ['firebreak.bulkhead.reason', 'firebreak.policy.name'] },
  'firebreak.bulkhead.wait_time': { type: 'histogram', unit: 's', attributes: ['firebreak.policy.name'] },
  'firebreak.timeouts': { type: 'counter', unit: '{timeout}', attributes: ['firebreak.policy.name'] },
  'firebreak.rate_limit.rejections': { type: 'counter', unit: '{call}', attributes: ['firebreak.policy.name'] },
  'firebreak.rate_limit.wait_time': { type: 'histogram', unit: 's', attributes: ['firebreak.policy.name'] },
  'firebreak.retry.calls': { type: 'counter', unit: '{call}', attributes: ['firebreak.policy.name', 'firebreak.retry.result'] },
  'firebreak.retries': { type: 'counter', unit: '{retry}', attributes: ['firebreak.policy.name'] },
  'firebreak.retry_budget.exhausted': { type: 'counter', unit: '{retry}', attributes: ['firebreak.policy.name'] },
  'firebreak.retry_budget.available': { type: 'up-down', unit: '{retry}', attributes: ['firebreak.policy.name'] },
  'firebreak.fallbacks': { type: 'counter', unit: '{fallback}', attributes: ['firebreak.policy.name'] },
  'firebreak.hedge.calls': { type: 'counter', unit: '{call}', attributes: ['firebreak.policy.name'] },
  'firebreak.hedges': { type: 'counter', unit: '{attempt}', attributes: ['firebreak.policy.name'] },
  'firebreak.hedge.wins': { type: 'counter', unit: '{call}', attributes: ['firebreak.policy.name'] },
  'firebreak.hedge.delay': { type: 'gauge', unit: 's', attributes: ['firebreak.policy.name'] },
  'firebreak.throttle.rejections': { type: 'counter', unit: '{call}', attributes: ['firebreak.policy.name'] },
  'firebreak.throttle.rejection_probability': { type: 'gauge', unit: '1', attributes: ['firebreak.policy.name'] },
  'firebreak.call.duration': { type: 'histogram', unit: 's', attributes: ['firebreak.policy.name'], optional: ['error.type'] },
  'firebreak.keyed.overflows': { type: 'counter', unit: '{call}', attributes: ['firebreak.policy.name'] },
  'firebreak.fleet.store_errors': { type: 'counter', unit: '{error}', attributes: ['firebreak.policy.name'] },
  'firebreak.fleet.connected': { type: 'up-down', unit: '1', attributes: ['firebreak.policy.name'] },
};

/** The values an enumerated attribute may take. */
const BOUNDED: Record<string, readonly string[]> = {
  'firebreak.policy.name': ['auth', 'search', 'pool', 'cold'],
  'firebreak.circuit.state': ['closed', 'open', 'half-open', 'isolated'],
  'firebreak.circuit.previous_state': ['closed', 'open', 'half-open', 'isolated'],
  'firebreak.circuit.result': ['success', 'failure', 'rejected'],
  'firebreak.bulkhead.reason': ['full', 'queue-timeout', 'shed'],
  'firebreak.retry.result': ['success_without_retry', 'success_with_retry', 'failure_without_retry', 'failure_with_retry'],
};

/** Each metric collected has the kind, unit and attribute keys of {@link TABLE}, and enumerated attributes stay in their sets. */
function expectTable(collection: Collection): void {
  for (const [name, metric] of collection.metrics) {
    const { type, unit, attributes, optional = [] } = TABLE[name] ?? { type: 'missing from the table', unit: '', attributes: [] };
    expect([kindOf(metric), metric.descriptor.unit], name).toEqual([type, unit]);
    for (const point of collection.points(name)) {
      expect(Object.keys(point.attributes).filter((key) => !optional.includes(key)).sort(), name).toEqual(attributes);
      for (const [key, value] of Object.entries(point.attributes)) if (BOUNDED[key]) expect(BOUNDED[key], `${name} ${key}`).toContain(value);
    }
  }
}

/** A metric's kind as the SDK exports it: a histogram, a monotonic sum (counter) or not (up-down). */
function kindOf(metric: MetricData): string {
  if (metric.dataPointType === DataPointType.HISTOGRAM) return 'histogram';
  if (metric.dataPointType === DataPointType.SUM) return metric.isMonotonic ? 'counter' : 'up-down';
  if (metric.dataPointType === DataPointType.GAUGE) return 'gauge';
  return String(metric.dataPointType);
}

let traces: Traces;
beforeEach(() => {
  traces = new Traces();
});
afterEach(() => {
  traces.close();
});

describe('instrument (OpenTelemetry)', () => {
  it('records every instrument through a scripted sequence: full bulkhead, timeout, exhausted budget, open circuit, fallback', async () => {
    const metrics = new Metrics();
    const { full, open, atTheEnd: end } = await runScriptedSequence(
      (policy) => instrument(policy, { meterProvider: metrics.provider }),
      () => metrics.collect(),
    );
    const auth = { 'firebreak.policy.name': 'auth' };
    const at = (c: Collection, name: string, attributes: Record<string, string> = {}): number | undefined => c.value(name, { ...auth, ...attributes });
    const states = (c: Collection): (number | undefined)[] =>
      ['closed', 'open', 'half-open', 'isolated'].map((state) => at(c, 'firebreak.circuit.state', { 'firebreak.circuit.state': state }));

    expect(at(full, 'firebreak.bulkhead.active')).toBe(1);
    expect(at(full, 'firebreak.bulkhead.queued')).toBe(1);
    expect(at(full, 'firebreak.bulkhead.rejections', { 'firebreak.bulkhead.reason': 'full' })).toBe(1);
    expect(states(full)).toEqual([1, 0, 0, 0]);
    expect(states(open)).toEqual([0, 1, 0, 0]);
    expect(states(end)).toEqual([1, 0, 0, 0]);

    // Every instrument but the rate limiter's, the adaptive bulkhead's, the hedge's, the throttle's, the keyed policy's and the fleet's (not in this pipeline: see their own tests).
    const elsewhere = /^firebreak\.(rate_limit\.|concurrency\.limit$|hedges?\b|throttle\.|keyed\.|fleet\.)/;
    expect([...end.metrics.keys()].sort()).toEqual(Object.keys(TABLE).filter((name) => !elsewhere.test(name)).sort());
    expectTable(end);

    const result = (value: string): number | undefined => at(end, 'firebreak.circuit.calls', { 'firebreak.circuit.result': value });
    expect([result('success'), result('failure'), result('rejected')]).toEqual([5, 3, 1]);
    expect(at(end, 'firebreak.circuit.slow_calls')).toBe(3);
    const transition = (from: string, to: string): number | undefined =>
      at(end, 'firebreak.circuit.transitions', { 'firebreak.circuit.previous_state': from, 'firebreak.circuit.state': to });
    expect([transition('closed', 'open'), transition('open', 'half-open'), transition('half-open', 'closed')]).toEqual([1, 1, 1]);
    expect(end.points('firebreak.circuit.transitions')).toHaveLength(3);

    expect([at(end, 'firebreak.bulkhead.active'), at(end, 'firebreak.bulkhead.queued'), at(end, 'firebreak.bulkhead.concurrency')]).toEqual([0, 0, 1]);
    const wait = end.points('firebreak.bulkhead.wait_time')[0];
    expect(wait?.count).toBe(8);
    expect(wait?.sum).toBeCloseTo(0.06, 9);

    expect(at(end, 'firebreak.timeouts')).toBe(1);
    const retried = (value: string): number | undefined => at(end, 'firebreak.retry.calls', { 'firebreak.retry.result': value });
    expect([retried('success_without_retry'), retried('success_with_retry'), retried('failure_without_retry')]).toEqual([4, 1, 4]);
    expect(at(end, 'firebreak.retries')).toBe(1);
    expect(at(end, 'firebreak.retry_budget.exhausted')).toBe(2);
    expect(at(end, 'firebreak.retry_budget.available')).toBe(0);
    expect(at(end, 'firebreak.fallbacks')).toBe(4);
    expect(at(end, 'firebreak.call.duration')).toBe(9);
  });

  it('records failed calls with a bounded error.type, and durations in seconds', async () => {
    const metrics = new Metrics();
    const clock = manualClock();
    const guard = timeout({ name: 'payments', duration: 250, clock });
    instrument(guard, { meterProvider: metrics.provider });

    const timedOut = guard.execute(hangUntilAborted).catch((error: unknown) => error);
    await clock.advanceAsync(250);
    expect(await timedOut).toMatchObject({ code: 'ERR_TIMEOUT' });
    await expect(guard.execute(() => Promise.reject(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' })))).rejects.toThrow('refused');
    await expect(guard.execute(() => Promise.reject(new TypeError('bad')))).rejects.toThrow('bad');
    await expect(guard.execute(() => Promise.reject('a string'))).rejects.toBe('a string');
    for (let index = 0; index < 3 * MAX_ERROR_TYPES; index++) {
      const error = Object.assign(new Error('many'), { code: `E_MANY_${index}` });
      await expect(guard.execute(() => Promise.reject(error))).rejects.toBe(error);
    }

    const c = await metrics.collect();
    const points = c.points('firebreak.call.duration');
    const types = points.map((p) => p.attributes['error.type']).filter((t) => t !== undefined);
    expect(types).toEqual(expect.arrayContaining(['ERR_TIMEOUT', 'ECONNREFUSED', 'TypeError', '_OTHER']));
    expect(new Set(types).size).toBeLessThanOrEqual(MAX_ERROR_TYPES + 1);
    expect(c.value('firebreak.call.duration', { 'firebreak.policy.name': 'payments', 'error.type': '_OTHER' })).toBeGreaterThan(2 * MAX_ERROR_TYPES - 4);
    const slowest = points.find((p) => p.attributes['error.type'] === 'ERR_TIMEOUT');
    // 250 ms on the manual clock are not what execute measures (performance.now()); the unit is: well under a second.
    expect(slowest?.sum).toBeLessThan(1);
    expect(c.metric('firebreak.call.duration').descriptor.unit).toBe('s');
  });

  it('adds span events to the span of the call they concern: timeout, retry, breaker rejection, fallback', async () => {
    const clock = manualClock();
    const breaker = circuitBreaker({ name: 'payments', window: { type: 'consecutive', failures: 2 }, openFor: 10_000, clock });
    const policy = pipeline(fallback('cached', { name: 'payments' }), retry({ name: 'payments', maxAttempts: 2, clock, backoff: () => 0 }), breaker, timeout({ name: 'payments', duration: 100, clock }));
    instrument(policy, { meterProvider: new Metrics().provider });

    // Calls in flight in their own spans, their timeouts reported from one guard timer: a's
    // first attempt times out at 100 and its retry succeeds; both of b's attempts time out (at
    // 110 and 210), which opens the breaker, and the fallback serves b; idle has nothing to report.
    const a = traces.inSpan('a', () => policy.execute((ctx) => (ctx.attempt === 1 ? hangUntilAborted(ctx) : 'a second attempt')));
    await clock.advanceAsync(10);
    const b = traces.inSpan('b', () => policy.execute(hangUntilAborted));
    const idle = traces.inSpan('idle', () => policy.execute(() => 'fine'));
    await clock.advanceAsync(90);
    expect(await a).toBe('a second attempt');
    await clock.advanceAsync(10);
    await clock.advanceAsync(100);
    expect(await b).toBe('cached');
    expect(await idle).toBe('fine');
    expect(breaker.state).toBe('open');
    // c is turned away by the open circuit and served by the fallback.
    expect(await traces.inSpan('c', () => policy.execute(() => 'not called'))).toBe('cached');

    const events = (span: string): string[] => traces.span(span).events.map((e) => e.name);
    expect(events('a')).toEqual(['firebreak.timeout', 'firebreak.retry']);
    expect(events('b')).toEqual(['firebreak.timeout', 'firebreak.retry', 'firebreak.timeout', 'firebreak.fallback']);
    expect(events('c')).toEqual(['firebreak.circuit.rejected', 'firebreak.fallback']);
    expect(events('idle')).toEqual([]);
    const [timedOut, retried, , served] = traces.span('b').events;
    expect(timedOut?.attributes).toEqual({ 'firebreak.policy.name': 'payments', 'firebreak.timeout.duration': 0.1 });
    expect(retried?.attributes).toEqual({ 'firebreak.policy.name': 'payments', 'firebreak.retry.attempt': 2, 'firebreak.retry.delay': 0, 'error.type': 'ERR_TIMEOUT' });
    expect(served?.attributes).toEqual({ 'firebreak.policy.name': 'payments', 'error.type': 'ERR_TIMEOUT' });
    const [rejected, servedC] = traces.span('c').events;
    expect(rejected?.attributes).toEqual({ 'firebreak.policy.name': 'payments', 'firebreak.circuit.state': 'open', 'firebreak.circuit.retry_after': 10 });
    expect(servedC?.attributes).toEqual({ 'firebreak.policy.name': 'payments', 'error.type': 'ERR_CIRCUIT_OPEN' });
  });

  it('records a rate limiter: rejections, the wait of admitted calls, and a span event for a rejection', async () => {
    const metrics = new Metrics();
    const clock = manualClock();
    const limiter = rateLimiter({ name: 'search', rate: 1, interval: 1_000, burst: 1, maxWait: 1_000, clock });
    instrument(limiter, { meterProvider: metrics.provider });
    expect(await limiter.execute(() => 'first')).toBe('first');
    const waiting = limiter.execute(() => 'waited');
    await expect(traces.inSpan('rejected', () => limiter.execute(() => 'not called'))).rejects.toMatchObject({ code: 'ERR_RATE_LIMITED' });
    await clock.advanceAsync(1_000);
    expect(await waiting).toBe('waited');

    const c = await metrics.collect();
    expect([...c.metrics.keys()].sort()).toEqual(['firebreak.call.duration', 'firebreak.rate_limit.rejections', 'firebreak.rate_limit.wait_time']);
    expectTable(c);
    expect(c.value('firebreak.rate_limit.rejections', { 'firebreak.policy.name': 'search' })).toBe(1);
    const [wait] = c.points('firebreak.rate_limit.wait_time');
    expect([wait?.count, wait?.sum]).toEqual([2, 1]);
    const [event] = traces.span('rejected').events;
    expect(event?.name).toBe('firebreak.rate_limit.rejected');
    expect(event?.attributes).toEqual({ 'firebreak.policy.name': 'search', 'firebreak.rate_limit.retry_after': 2 });
  });

  it('records a hedge: calls, hedged attempts, wins and its current delay (absent while a percentile lacks samples)', async () => {
    const metrics = new Metrics();
    const clock = manualClock();
    const search = hedge({ name: 'search', maxAttempts: 3, delay: 100, grace: 0, clock });
    const cold = hedge({ name: 'cold', delay: { percentile: 0.95 }, clock });
    instrument(pipeline(search), { meterProvider: metrics.provider });
    instrument(cold, { meterProvider: metrics.provider });
    const won = search.execute((ctx) => (ctx.attempt === 1 ? hangUntilAborted(ctx) : 'hedge won'));
    await clock.advanceAsync(100);
    expect(await won).toBe('hedge won');
    expect(await search.execute(() => 'first attempt')).toBe('first attempt');
    expect(await search.execute((ctx) => (ctx.attempt < 3 ? Promise.reject(new Error('down')) : 'third attempt'))).toBe('third attempt');
    expect(await cold.execute(() => 'not hedged')).toBe('not hedged');

    const c = await metrics.collect();
    expectTable(c);
    const named = (name: string): Record<string, string> => ({ 'firebreak.policy.name': name });
    const of = (name: string): (number | undefined)[] =>
      ['firebreak.hedge.calls', 'firebreak.hedges', 'firebreak.hedge.wins', 'firebreak.hedge.delay'].map((metric) => c.value(metric, named(name)));
    expect(of('search')).toEqual([3, 3, 2, 0.1]);
    expect(of('cold')).toEqual([1, 0, 0, undefined]);
    expect(c.points('firebreak.hedge.delay')).toHaveLength(1);
  });

  it('adds a firebreak.hedge span event to the span of the call whose hedge starts, from the delay timer too (real timers)', async () => {
    const search = hedge({ name: 'search', maxAttempts: 3, delay: 5 });
    instrument(search, { meterProvider: new Metrics().provider });
    const won = traces.inSpan('delayed', () => search.execute((ctx) => (ctx.attempt === 1 ? hangUntilAborted(ctx) : 'hedge won')));
    const failedOver = traces.inSpan('failed-over', () => search.execute((ctx) => (ctx.attempt === 1 ? Promise.reject(new Error('down')) : 'after a failure')));
    const quiet = traces.inSpan('quiet', () => search.execute(() => 'at once'));
    expect([await won, await failedOver, await quiet]).toEqual(['hedge won', 'after a failure', 'at once']);

    const events = (span: string): unknown[] => traces.span(span).events.map((e) => [e.name, e.attributes]);
    expect(events('delayed')).toEqual([['firebreak.hedge', { 'firebreak.policy.name': 'search', 'firebreak.hedge.attempt': 2, 'firebreak.hedge.reason': 'delay' }]]);
    expect(events('failed-over')).toEqual([['firebreak.hedge', { 'firebreak.policy.name': 'search', 'firebreak.hedge.attempt': 2, 'firebreak.hedge.reason': 'failure' }]]);
    expect(events('quiet')).toEqual([]);
  });

  it('records an adaptive throttle: rejections, its rejection probability, and a span event for a rejection', async () => {
    const metrics = new Metrics();
    const throttle = adaptiveThrottle({ name: 'search', k: 1, clock: manualClock(), random: () => 0 });
    instrument(throttle, { meterProvider: metrics.provider });
    const before = await metrics.collect();
    expect(before.value('firebreak.throttle.rejection_probability', { 'firebreak.policy.name': 'search' })).toBe(0);
    await expect(throttle.execute(() => Promise.reject(new Error('503')))).rejects.toThrow('503');
    await expect(traces.inSpan('throttled', () => throttle.execute(() => 'not called'))).rejects.toMatchObject({ code: 'ERR_THROTTLED' });

    const c = await metrics.collect();
    expectTable(c);
    expect([...c.metrics.keys()].sort()).toEqual(['firebreak.call.duration', 'firebreak.throttle.rejection_probability', 'firebreak.throttle.rejections']);
    const search = { 'firebreak.policy.name': 'search' };
    expect(c.value('firebreak.throttle.rejections', search)).toBe(1);
    // Two requests (the rejection included), no accept, k = 1: (2 - 0) / (2 + 1).
    expect(c.value('firebreak.throttle.rejection_probability', search)).toBeCloseTo(2 / 3, 9);
    expect(traces.span('throttled').events.map((e) => [e.name, e.attributes])).toEqual([
      ['firebreak.throttle.rejected', { 'firebreak.policy.name': 'search', 'firebreak.throttle.probability': 0.5 }],
    ]);
  });

  it('records an adaptive bulkhead: its learned limit, its level, and its rejections by reason (shed included)', async () => {
    const metrics = new Metrics();
    const pool = adaptiveBulkhead({ name: 'pool', initial: 1, min: 1, max: 10, queue: 0 });
    instrument(pool, { meterProvider: metrics.provider });
    let release = (): void => {};
    const running = pool.execute(() => new Promise<string>((resolve) => (release = () => resolve('ran'))));
    await expect(pool.execute(() => 'turned away')).rejects.toMatchObject({ code: 'ERR_BULKHEAD_REJECTED' });

    const c = await metrics.collect();
    expectTable(c);
    const pooled = { 'firebreak.policy.name': 'pool' };
    expect([c.value('firebreak.concurrency.limit', pooled), c.value('firebreak.bulkhead.active', pooled)]).toEqual([1, 1]);
    const rejected = (reason: string): number | undefined => c.value('firebreak.bulkhead.rejections', { ...pooled, 'firebreak.bulkhead.reason': reason });
    expect([rejected('full'), rejected('queue-timeout'), rejected('shed')]).toEqual([1, 0, 0]);
    release();
    expect(await running).toBe('ran');
  });

  it('remove() detaches: no more counts, no more observations, no span events; twice is harmless', async () => {
    const metrics = new Metrics();
    const clock = manualClock();
    const auth = firebreak('auth', { fallback: 'cached', attemptTimeout: { duration: 50, clock }, circuitBreaker: { window: { type: 'consecutive', failures: 2 }, clock } });
    const handle = instrument(auth, { meterProvider: metrics.provider });
    const timedOut = traces.inSpan('before', () => auth.execute(hangUntilAborted));
    await clock.advanceAsync(50);
    expect(await timedOut).toBe('cached');
    const before = await metrics.collect();
    expect(before.value('firebreak.timeouts', { 'firebreak.policy.name': 'auth' })).toBe(1);
    const open = { 'firebreak.policy.name': 'auth', 'firebreak.circuit.state': 'open' };
    expect(before.value('firebreak.circuit.state', open)).toBe(0);

    handle.remove();
    handle.remove();
    const after = traces.inSpan('after', () => auth.execute(hangUntilAborted));
    await clock.advanceAsync(50);
    expect(await after).toBe('cached');
    const c = await metrics.collect();
    expect(c.value('firebreak.timeouts', { 'firebreak.policy.name': 'auth' })).toBe(1);
    expect(c.value('firebreak.fallbacks', { 'firebreak.policy.name': 'auth' })).toBe(1);
    expect(c.value('firebreak.call.duration', { 'firebreak.policy.name': 'auth' })).toBe(1);
    // The second timeout opened the circuit, unobserved: the SDK repeats the last value it saw.
    expect(auth.circuitBreaker?.state).toBe('open');
    expect(c.value('firebreak.circuit.state', open)).toBe(0);
    expect(traces.span('before').events.map((e) => e.name)).toEqual(['firebreak.timeout', 'firebreak.fallback']);
    expect(traces.span('after').events).toEqual([]);
  });

  it('records a policy instrumented twice into one provider once, and separately into another provider', async () => {
    const [one, two] = [new Metrics(), new Metrics()];
    const guard = timeout({ name: 'auth', duration: 1_000 });
    instrument(guard, { meterProvider: one.provider });
    instrument(guard, { meterProvider: one.provider });
    instrument(guard, { meterProvider: two.provider });
    await guard.execute(() => 'ok');
    expect((await one.collect()).value('firebreak.call.duration', { 'firebreak.policy.name': 'auth' })).toBe(1);
    expect((await two.collect()).value('firebreak.call.duration', { 'firebreak.policy.name': 'auth' })).toBe(1);
  });

  it('records no span events with spanEvents: false, and refuses bad options and targets', async () => {
    const guard = fallback(0, { name: 'prices' });
    instrument(guard, { meterProvider: new Metrics().provider, spanEvents: false });
    await traces.inSpan('quiet', () => guard.execute(() => Promise.reject(new Error('down'))));
    expect(traces.span('quiet').events).toEqual([]);

    expect(() => instrument(guard, { meterProvider: {} as never })).toThrow(InvalidOptionError);
    expect(() => instrument(guard, { spanEvents: 'yes' as never })).toThrow(InvalidOptionError);
    expect(() => instrument(guard, { tracerProvider: {} } as never)).toThrow(InvalidOptionError);
    expect(() => instrument({ name: 'x', execute: () => Promise.resolve() })).toThrow(InvalidOptionError);
  });
});
