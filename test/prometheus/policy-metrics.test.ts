import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import {
  adaptiveThrottle,
  bulkhead,
  circuitBreaker,
  constant,
  fallback,
  hedge,
  manualClock,
  rateLimiter,
  retry,
  retryBudget,
  timeout,
  type BulkheadPolicy,
  type CircuitBreakerPolicy,
  type FallbackPolicy,
  type RetryBudget,
  type RetryPolicy,
  type TimeoutPolicy,
} from '../../src/index.js';
import { instrument } from '../../src/prometheus/index.js';
import type { BudgetSource, BulkheadSource, CallSource, CircuitSource, FallbackSource, RetrySource, TimeoutSource } from '../../src/prometheus/sources.js';
import {
  isBudgetSource,
  isBulkheadSource,
  isCircuitSource,
  isFallbackSource,
  isHedgeSource,
  isRateLimitSource,
  isRetrySource,
  isThrottleSource,
  isTimeoutSource,
} from '../../src/prometheus/sources.js';
import { deferred } from '../helpers/async.js';
import { Scrape } from './read-metrics.js';

/** Fails `failures` times, then succeeds with 'ok'. */
function flaky(failures: number): () => Promise<string> {
  let left = failures;
  return () => (left-- > 0 ? Promise.reject(new Error('transient')) : Promise.resolve('ok'));
}

describe('the policies match what instrument reads from them', () => {
  it('in their types', () => {
    const sources: [CircuitSource, BulkheadSource, RetrySource, BudgetSource, TimeoutSource, FallbackSource, CallSource] = [
      circuitBreaker() satisfies CircuitBreakerPolicy,
      bulkhead({ concurrency: 1 }) satisfies BulkheadPolicy,
      retry() satisfies RetryPolicy,
      retryBudget() satisfies RetryBudget,
      timeout(1) satisfies TimeoutPolicy,
      fallback(0) satisfies FallbackPolicy<number>,
      circuitBreaker(),
    ];
    expect(sources).toHaveLength(7);
  });

  it('and each is recognised as its own kind only', () => {
    const kinds = { isCircuitSource, isBulkheadSource, isRetrySource, isBudgetSource, isTimeoutSource, isFallbackSource, isHedgeSource, isRateLimitSource, isThrottleSource };
    const recognised = (value: unknown): string[] => Object.entries(kinds).filter(([, is]) => is(value)).map(([kind]) => kind);
    expect(recognised(circuitBreaker())).toEqual(['isCircuitSource']);
    expect(recognised(bulkhead({ concurrency: 1 }))).toEqual(['isBulkheadSource']);
    expect(recognised(retry())).toEqual(['isRetrySource']);
    expect(recognised(retryBudget())).toEqual(['isBudgetSource']);
    expect(recognised(timeout(1))).toEqual(['isTimeoutSource']);
    expect(recognised(fallback(0))).toEqual(['isFallbackSource']);
    expect(recognised(hedge())).toEqual(['isHedgeSource']);
    expect(recognised(rateLimiter({ rate: 1 }))).toEqual(['isRateLimitSource']);
    expect(recognised(adaptiveThrottle())).toEqual(['isThrottleSource']);
  });
});

describe('circuit breaker metrics', () => {
  it('report an isolated circuit and its rejections, and each transition once', async () => {
    const registry = new Registry();
    const breaker = circuitBreaker({ name: 'payments', clock: manualClock() });
    instrument(breaker, { registry });
    const isolation = breaker.isolate();
    await expect(breaker.execute(() => 'x')).rejects.toMatchObject({ code: 'ERR_CIRCUIT_OPEN' });
    let scrape = await Scrape.of(registry);
    expect(scrape.value('firebreak_circuit_state', { name: 'payments', state: 'isolated' })).toBe(1);
    expect(scrape.value('firebreak_circuit_state', { name: 'payments', state: 'closed' })).toBe(0);
    expect(scrape.value('firebreak_circuit_calls_total', { name: 'payments', result: 'rejected' })).toBe(1);
    isolation.release();
    scrape = await Scrape.of(registry);
    expect(scrape.value('firebreak_circuit_state', { name: 'payments', state: 'closed' })).toBe(1);
    expect(scrape.labelSets('firebreak_circuit_transitions_total')).toEqual(['from=closed,name=payments,to=isolated', 'from=isolated,name=payments,to=closed']);
    expect(scrape.value('firebreak_circuit_transitions_total', { name: 'payments', from: 'closed', to: 'isolated' })).toBe(1);
  });
});

describe('bulkhead metrics', () => {
  it('report saturation at scrape time, rejections by reason, and the wait of each admitted call', async () => {
    const clock = manualClock();
    const registry = new Registry();
    const pool = bulkhead({ name: 'pool', concurrency: 1, queue: 1, queueTimeout: 100, clock });
    instrument(pool, { registry });

    const slot = deferred<string>();
    const running = pool.execute(() => slot.promise);
    const timedOut = pool.execute(() => 'never');
    await expect(pool.execute(() => 'full')).rejects.toMatchObject({ reason: 'full' });
    let scrape = await Scrape.of(registry);
    expect(scrape.type('firebreak_bulkhead_active')).toBe('gauge');
    expect(scrape.value('firebreak_bulkhead_active', { name: 'pool' })).toBe(1);
    expect(scrape.value('firebreak_bulkhead_queued', { name: 'pool' })).toBe(1);
    expect(scrape.value('firebreak_bulkhead_concurrency', { name: 'pool' })).toBe(1);

    clock.advance(100);
    await expect(timedOut).rejects.toMatchObject({ reason: 'queue-timeout' });
    const waiting = pool.execute(() => 'admitted');
    clock.advance(40);
    slot.resolve('done');
    expect(await running).toBe('done');
    expect(await waiting).toBe('admitted');

    scrape = await Scrape.of(registry);
    expect(scrape.value('firebreak_bulkhead_active', { name: 'pool' })).toBe(0);
    expect(scrape.value('firebreak_bulkhead_queued', { name: 'pool' })).toBe(0);
    expect(scrape.type('firebreak_bulkhead_rejections_total')).toBe('counter');
    expect(scrape.value('firebreak_bulkhead_rejections_total', { name: 'pool', reason: 'full' })).toBe(1);
    expect(scrape.value('firebreak_bulkhead_rejections_total', { name: 'pool', reason: 'queue-timeout' })).toBe(1);
    const wait = 'firebreak_bulkhead_queue_wait_seconds';
    expect(scrape.type(wait)).toBe('histogram');
    expect(scrape.value(wait, { name: 'pool' }, `${wait}_count`)).toBe(2);
    expect(scrape.value(wait, { name: 'pool' }, `${wait}_sum`)).toBeCloseTo(0.04, 9);
  });

  it('drop the gauges of a removed bulkhead from the next scrape', async () => {
    const registry = new Registry();
    const kept = bulkhead({ name: 'kept', concurrency: 2 });
    const removed = bulkhead({ name: 'removed', concurrency: 3 });
    instrument(kept, { registry });
    const handle = instrument(removed, { registry });
    expect((await Scrape.of(registry)).labelSets('firebreak_bulkhead_concurrency')).toEqual(['name=kept', 'name=removed']);
    handle.remove();
    expect((await Scrape.of(registry)).labelSets('firebreak_bulkhead_concurrency')).toEqual(['name=kept']);
  });
});

describe('retry metrics', () => {
  it('count calls by result, retries, and retries refused by an exhausted budget', async () => {
    const registry = new Registry();
    const budget = retryBudget({ name: 'auth-budget', ratio: 0, minPerSecond: 0.2, window: 10_000, clock: manualClock() });
    const policy = retry({ name: 'auth', maxAttempts: 3, backoff: constant(0), budget });
    instrument(policy, { registry });

    let scrape = await Scrape.of(registry);
    expect(scrape.type('firebreak_retry_budget_available')).toBe('gauge');
    expect(scrape.value('firebreak_retry_budget_available', { name: 'auth-budget' })).toBe(2);

    expect(await policy.execute(flaky(0))).toBe('ok');
    expect(await policy.execute(flaky(1))).toBe('ok');
    await expect(policy.execute(flaky(5))).rejects.toThrow('transient');
    await expect(policy.execute(flaky(5))).rejects.toThrow('transient');

    scrape = await Scrape.of(registry);
    const result = (label: string): number | undefined => scrape.value('firebreak_retry_calls_total', { name: 'auth', result: label });
    expect(scrape.type('firebreak_retry_calls_total')).toBe('counter');
    expect(result('success_without_retry')).toBe(1);
    expect(result('success_with_retry')).toBe(1);
    expect(result('failure_with_retry')).toBe(1);
    expect(result('failure_without_retry')).toBe(1);
    expect(scrape.value('firebreak_retries_total', { name: 'auth' })).toBe(2);
    expect(scrape.value('firebreak_retry_budget_exhausted_total', { name: 'auth' })).toBe(2);
    expect(scrape.value('firebreak_retry_budget_available', { name: 'auth-budget' })).toBe(0);
  });

  it('counts a result judged a failure as a failure, though the call resolves', async () => {
    const registry = new Registry();
    const policy = retry({ name: 'status', maxAttempts: 2, backoff: constant(0), shouldHandle: (outcome) => outcome.ok && outcome.value === 503 });
    instrument(policy, { registry });
    expect(await policy.execute(() => 503)).toBe(503);
    const scrape = await Scrape.of(registry);
    expect(scrape.value('firebreak_retry_calls_total', { name: 'status', result: 'failure_with_retry' })).toBe(1);
    expect(scrape.value('firebreak_retry_calls_total', { name: 'status', result: 'success_with_retry' })).toBe(0);
  });

  it('shows a budget shared by two retry policies once, until neither is instrumented', async () => {
    const registry = new Registry();
    const budget = retryBudget({ name: 'shared' });
    const first = instrument(retry({ name: 'login', budget }), { registry });
    const second = instrument(retry({ name: 'verify', budget }), { registry });
    expect((await Scrape.of(registry)).labelSets('firebreak_retry_budget_available')).toEqual(['name=shared']);
    first.remove();
    expect((await Scrape.of(registry)).labelSets('firebreak_retry_budget_available')).toEqual(['name=shared']);
    second.remove();
    expect((await Scrape.of(registry)).labelSets('firebreak_retry_budget_available')).toEqual([]);
  });
});
