import CircuitBreaker from 'opossum';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { constant, pipeline, retry } from '../../src/index.js';
import { fromOpossum } from '../../src/opossum/index.js';
import { instrument } from '../../src/prometheus/index.js';
import type { CircuitSource, TimeoutSource } from '../../src/prometheus/sources.js';
import { Scrape } from '../prometheus/read-metrics.js';

beforeEach(() => {
  vi.useFakeTimers({ now: 1_700_000_000_000 });
});

afterEach(() => {
  vi.useRealTimers();
});

const down = (): Promise<never> => Promise.reject(new Error('down'));

describe('metrics of an opossum breaker', () => {
  it('the adapter offers what instrument reads from a circuit breaker and a timeout', () => {
    const adapter = fromOpossum(new CircuitBreaker(() => Promise.resolve('ok')));
    const sources: [CircuitSource, TimeoutSource] = [adapter, adapter];
    expect(sources).toHaveLength(2);
  });

  it('appear under the same names as firebreak\'s own breaker, in a pipeline retry → fromOpossum(breaker)', async () => {
    const registry = new Registry();
    const breaker = new CircuitBreaker(() => Promise.resolve('own'), { name: 'users', errorThresholdPercentage: 50, volumeThreshold: 2, resetTimeout: 1_000, timeout: 100 });
    const users = pipeline(retry({ name: 'users', maxAttempts: 3, backoff: constant(0) }), fromOpossum(breaker));
    const listeners = breaker.listenerCount('open');
    const handle = instrument(users, { registry });

    expect(await users.execute(() => 'ok')).toBe('ok');
    const timedOut = users.execute(() => new Promise(() => {})).catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(100);
    await vi.advanceTimersByTimeAsync(100);
    expect(await timedOut).toMatchObject({ code: 'ERR_CIRCUIT_OPEN' });
    await expect(users.execute(down)).rejects.toMatchObject({ code: 'ERR_CIRCUIT_OPEN' });

    let scrape = await Scrape.of(registry);
    const state = (label: string): number | undefined => scrape.value('firebreak_circuit_state', { name: 'users', state: label });
    expect(scrape.type('firebreak_circuit_state')).toBe('gauge');
    expect([state('closed'), state('open'), state('half-open'), state('isolated')]).toEqual([0, 1, 0, 0]);
    const calls = (result: string): number | undefined => scrape.value('firebreak_circuit_calls_total', { name: 'users', result });
    expect([calls('success'), calls('failure'), calls('rejected')]).toEqual([1, 2, 2]);
    expect(scrape.value('firebreak_timeouts_total', { name: 'users' })).toBe(2);
    expect(scrape.value('firebreak_circuit_transitions_total', { name: 'users', from: 'closed', to: 'open' })).toBe(1);
    expect(scrape.value('firebreak_circuit_slow_calls_total', { name: 'users' })).toBe(0);
    expect(scrape.value('firebreak_retries_total', { name: 'users' })).toBe(2);
    expect(scrape.value('firebreak_retry_calls_total', { name: 'users', result: 'success_without_retry' })).toBe(1);
    expect(scrape.value('firebreak_retry_calls_total', { name: 'users', result: 'failure_with_retry' })).toBe(1);
    expect(scrape.value('firebreak_retry_calls_total', { name: 'users', result: 'failure_without_retry' })).toBe(1);
    const count = 'firebreak_call_duration_seconds_count';
    expect(scrape.value('firebreak_call_duration_seconds', { name: users.name, outcome: 'success' }, count)).toBe(1);
    expect(scrape.value('firebreak_call_duration_seconds', { name: users.name, outcome: 'failure' }, count)).toBe(2);

    await vi.advanceTimersByTimeAsync(1_000);
    expect(await users.execute(() => 'probe')).toBe('probe');
    scrape = await Scrape.of(registry);
    expect([state('closed'), state('open'), state('half-open'), state('isolated')]).toEqual([1, 0, 0, 0]);
    expect(scrape.value('firebreak_circuit_transitions_total', { name: 'users', from: 'open', to: 'half-open' })).toBe(1);
    expect(scrape.value('firebreak_circuit_transitions_total', { name: 'users', from: 'half-open', to: 'closed' })).toBe(1);

    handle.remove();
    expect(breaker.listenerCount('open')).toBe(listeners);
    expect((await Scrape.of(registry)).labelSets('firebreak_circuit_state')).toEqual([]);
  });
});
