import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { adaptiveBulkhead } from '../../src/index.js';
import { instrument } from '../../src/prometheus/index.js';
import { scriptedSequence } from './scripted-sequence.js';

/** The public API, as docs/architecture.md lists it: every metric, its type and its labels. */
const TABLE: Record<string, { type: string; labels: string[] }> = {
  firebreak_circuit_state: { type: 'gauge', labels: ['name', 'state'] },
  firebreak_circuit_calls_total: { type: 'counter', labels: ['name', 'result'] },
  firebreak_circuit_slow_calls_total: { type: 'counter', labels: ['name'] },
  firebreak_circuit_transitions_total: { type: 'counter', labels: ['from', 'name', 'to'] },
  firebreak_bulkhead_active: { type: 'gauge', labels: ['name'] },
  firebreak_bulkhead_queued: { type: 'gauge', labels: ['name'] },
  firebreak_bulkhead_concurrency: { type: 'gauge', labels: ['name'] },
  firebreak_concurrency_limit: { type: 'gauge', labels: ['name'] },
  firebreak_bulkhead_rejections_total: { type: 'counter', labels: ['name', 'reason'] },
  firebreak_bulkhead_queue_wait_seconds: { type: 'histogram', labels: ['le', 'name'] },
  firebreak_timeouts_total: { type: 'counter', labels: ['name'] },
  firebreak_retry_calls_total: { type: 'counter', labels: ['name', 'result'] },
  firebreak_retries_total: { type: 'counter', labels: ['name'] },
  firebreak_retry_budget_exhausted_total: { type: 'counter', labels: ['name'] },
  firebreak_retry_budget_available: { type: 'gauge', labels: ['name'] },
  firebreak_fallbacks_total: { type: 'counter', labels: ['name'] },
  firebreak_hedge_calls_total: { type: 'counter', labels: ['name'] },
  firebreak_hedges_total: { type: 'counter', labels: ['name'] },
  firebreak_hedge_wins_total: { type: 'counter', labels: ['name'] },
  firebreak_hedge_delay_seconds: { type: 'gauge', labels: ['name'] },
  firebreak_rate_limit_rejections_total: { type: 'counter', labels: ['name'] },
  firebreak_rate_limit_wait_seconds: { type: 'histogram', labels: ['le', 'name'] },
  firebreak_throttle_rejections_total: { type: 'counter', labels: ['name'] },
  firebreak_throttle_rejection_probability: { type: 'gauge', labels: ['name'] },
  firebreak_fleet_store_errors_total: { type: 'counter', labels: ['name'] },
  firebreak_fleet_connected: { type: 'gauge', labels: ['name'] },
  firebreak_call_duration_seconds: { type: 'histogram', labels: ['le', 'name', 'outcome'] },
  firebreak_keyed_overflows_total: { type: 'counter', labels: ['name'] },
};

describe('every metric of the table', () => {
  it('appears with its type and labels, and the values of a scripted sequence', async () => {
    const registry = new Registry();
    // An adaptive bulkhead beside the scripted dependency: the only source of firebreak_concurrency_limit.
    instrument(adaptiveBulkhead({ name: 'search', initial: 7 }), { registry });
    const { full, open, atTheEnd: scrape } = await scriptedSequence(registry);

    expect(full.value('firebreak_bulkhead_active', { name: 'auth' })).toBe(1);
    expect(full.value('firebreak_bulkhead_queued', { name: 'auth' })).toBe(1);
    const openState = (label: string): number | undefined => open.value('firebreak_circuit_state', { name: 'auth', state: label });
    expect([openState('closed'), openState('open'), openState('half-open'), openState('isolated')]).toEqual([0, 1, 0, 0]);

    expect([...scrape.metrics.keys()].sort()).toEqual(Object.keys(TABLE).sort());
    for (const [name, { type, labels }] of Object.entries(TABLE)) {
      expect(scrape.type(name), name).toBe(type);
      const sampleName = type === 'histogram' ? `${name}_bucket` : name;
      // Series of a keyed policy's keys carry `key` as well (step 8: the tenants' breaker).
      const labelNames = new Set(scrape.samples(name, sampleName).flatMap((sample) => Object.keys(sample.labels).filter((label) => label !== 'key')));
      expect([...labelNames].sort(), name).toEqual(labels);
    }
    expect(scrape.value('firebreak_circuit_state', { name: 'tenant', key: 'a', state: 'isolated' })).toBe(1);
    expect(scrape.value('firebreak_keyed_overflows_total', { name: 'tenants' })).toBe(1);

    const value = (metric: string, labels: Record<string, string> = {}, sample = metric): number | undefined =>
      scrape.value(metric, { name: 'auth', ...labels }, sample);
    const state = (label: string): number | undefined => value('firebreak_circuit_state', { state: label });
    expect([state('closed'), state('open'), state('half-open'), state('isolated')]).toEqual([1, 0, 0, 0]);
    expect(value('firebreak_circuit_calls_total', { result: 'success' })).toBe(5);
    expect(value('firebreak_circuit_calls_total', { result: 'failure' })).toBe(3);
    expect(value('firebreak_circuit_calls_total', { result: 'rejected' })).toBe(1);
    // Slow (>= 50 ms): the call that held the slot, the one that waited 60 ms for it, the attempt that timed out.
    expect(value('firebreak_circuit_slow_calls_total')).toBe(3);
    expect(value('firebreak_circuit_transitions_total', { from: 'closed', to: 'open' })).toBe(1);
    expect(value('firebreak_circuit_transitions_total', { from: 'open', to: 'half-open' })).toBe(1);
    expect(value('firebreak_circuit_transitions_total', { from: 'half-open', to: 'closed' })).toBe(1);
    expect(scrape.labelSets('firebreak_circuit_transitions_total').filter((set) => set.includes('name=auth'))).toHaveLength(3);

    expect(value('firebreak_bulkhead_active')).toBe(0);
    expect(value('firebreak_bulkhead_queued')).toBe(0);
    expect(value('firebreak_bulkhead_concurrency')).toBe(1);
    expect(value('firebreak_bulkhead_rejections_total', { reason: 'full' })).toBe(1);
    expect(value('firebreak_bulkhead_rejections_total', { reason: 'queue-timeout' })).toBe(0);
    expect(value('firebreak_bulkhead_rejections_total', { reason: 'shed' })).toBeUndefined();
    expect(scrape.value('firebreak_concurrency_limit', { name: 'search' })).toBe(7);
    expect(scrape.value('firebreak_bulkhead_rejections_total', { name: 'search', reason: 'shed' })).toBe(0);
    expect(scrape.labelSets('firebreak_concurrency_limit')).toHaveLength(1);
    const wait = 'firebreak_bulkhead_queue_wait_seconds';
    expect(value(wait, {}, `${wait}_count`)).toBe(8);
    const firstBucket = scrape.samples(wait, `${wait}_bucket`).find((sample) => sample.labels.le === 0.0005 && sample.labels.name === 'auth');
    expect(firstBucket?.value).toBe(7);
    expect(value(wait, {}, `${wait}_sum`)).toBeCloseTo(0.06, 9);

    expect(value('firebreak_timeouts_total')).toBe(1);
    expect(value('firebreak_retry_calls_total', { result: 'success_without_retry' })).toBe(4);
    expect(value('firebreak_retry_calls_total', { result: 'success_with_retry' })).toBe(1);
    expect(value('firebreak_retry_calls_total', { result: 'failure_without_retry' })).toBe(4);
    expect(value('firebreak_retry_calls_total', { result: 'failure_with_retry' })).toBe(0);
    expect(value('firebreak_retries_total')).toBe(1);
    expect(value('firebreak_retry_budget_exhausted_total')).toBe(2);
    expect(value('firebreak_retry_budget_available')).toBe(0);
    expect(value('firebreak_fallbacks_total')).toBe(4);
    expect(value('firebreak_fleet_store_errors_total')).toBe(1);
    expect(value('firebreak_fleet_connected')).toBe(0);

    const search = (metric: string, sample = metric): number | undefined => scrape.value(metric, { name: 'search' }, sample);
    expect(search('firebreak_hedge_calls_total')).toBe(3);
    expect(search('firebreak_hedges_total')).toBe(3);
    expect(search('firebreak_hedge_wins_total')).toBe(1);
    expect(search('firebreak_hedge_delay_seconds')).toBe(0.02);
    expect(search('firebreak_rate_limit_rejections_total')).toBe(1);
    const rateWait = 'firebreak_rate_limit_wait_seconds';
    expect(search(rateWait, `${rateWait}_count`)).toBe(5);
    expect(search(rateWait, `${rateWait}_sum`)).toBeCloseTo(0.48, 9);
    expect(search('firebreak_throttle_rejections_total')).toBe(1);
    expect(search('firebreak_throttle_rejection_probability')).toBeCloseTo((4 - 2) / 5, 12);

    const duration = 'firebreak_call_duration_seconds';
    expect(value(duration, { outcome: 'success' }, `${duration}_count`)).toBe(9);
    expect(value(duration, { outcome: 'failure' }, `${duration}_count`)).toBe(0);
  });
});
