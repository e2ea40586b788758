import { AggregationTemporality } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { memoryStore } from '../../bench/fleet/memory-store.js';
import { circuitBreaker, fallback, firebreak, keyed, manualClock, storeFleet, type FleetStore, type ManualClock } from '../../src/index.js';
import { instrument } from '../../src/opentelemetry/index.js';
import { dropKeys, perOriginBreakers } from '../prometheus/scripted-sequence.js';
import { Metrics, Traces, type Collection } from './otel.js';

/** The `firebreak.key` values of every point collected. */
const keysIn = async (metrics: Metrics): Promise<string[]> => {
  const collection = await metrics.collect();
  const keys = new Set<string>();
  for (const name of collection.metrics.keys()) {
    for (const point of collection.points(name)) if (point.attributes['firebreak.key'] !== undefined) keys.add(String(point.attributes['firebreak.key']));
  }
  return [...keys].sort();
};

const db = (key: string, more: Record<string, string> = {}): Record<string, string> => ({ 'firebreak.policy.name': 'db', 'firebreak.key': key, ...more });

async function settle(clock: ManualClock, ms: number): Promise<void> {
  await clock.advanceAsync(ms);
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

describe('instrument() of a keyed policy (OpenTelemetry)', () => {
  it("gives each key's points firebreak.key, and stops reporting a key once it is dropped (delta reader)", async () => {
    const metrics = new Metrics(AggregationTemporality.DELTA);
    const clock = manualClock();
    // Every key's policy has the same name: firebreak.key tells them apart.
    const perTenant = keyed(() => firebreak('db', { circuitBreaker: { clock }, bulkhead: { concurrency: 2 }, attemptTimeout: 1_000 }), { maxKeys: 2, idleTtl: 1_000, clock });
    perTenant.get('before');
    const handle = instrument(perTenant, { meterProvider: metrics.provider });
    await perTenant.execute('a', () => 'ok');
    await perTenant.execute('b', () => 'ok');
    const c: Collection = await metrics.collect();
    expect(c.value('firebreak.circuit.state', db('a', { 'firebreak.circuit.state': 'closed' }))).toBe(1);
    expect(c.value('firebreak.circuit.calls', db('a', { 'firebreak.circuit.result': 'success' }))).toBe(1);
    expect(c.value('firebreak.call.duration', db('b'))).toBe(1);
    expect(c.value('firebreak.bulkhead.concurrency', db('b'))).toBe(2);
    expect(await keysIn(metrics)).toEqual(['a', 'b']);

    await dropKeys(perTenant, clock, handle, () => keysIn(metrics));
  });

  it('keeps counting per key (cumulative reader), counts overflows, and observes 100 keys over 2,000', async () => {
    const [cumulative, delta] = [new Metrics(), new Metrics(AggregationTemporality.DELTA)];
    const { perOrigin, breakers } = perOriginBreakers();
    instrument(perOrigin, { meterProvider: cumulative.provider });
    instrument(perOrigin, { meterProvider: delta.provider });
    const first = 'https://host-0.example';
    const at = { 'firebreak.policy.name': first, 'firebreak.key': first, 'firebreak.circuit.result': 'success' };
    await perOrigin.execute(first, () => 'ok');
    await perOrigin.execute(first, () => 'ok');
    expect((await cumulative.collect()).value('firebreak.circuit.calls', at)).toBe(2);
    expect((await cumulative.collect()).value('firebreak.circuit.calls', at)).toBe(2);
    // A delta reader reports the durations recorded since its last collection, once.
    expect(await keysIn(delta)).toEqual([first]);

    for (let i = 0; i < 2_000; i++) perOrigin.get(`https://host-${i}.example`);
    expect((await keysIn(delta)).length).toBe(100);
    expect(await keysIn(delta)).not.toContain(first);
    for (const key of perOrigin.keys()) breakers.get(key)?.isolate();
    perOrigin.get('https://one-more.example');
    perOrigin.get('https://and-another.example');
    expect((await cumulative.collect()).value('firebreak.keyed.overflows', { 'firebreak.policy.name': 'origins' })).toBe(2);
    expect((await keysIn(delta)).length).toBe(100);
  });

  it("adds firebreak.key to the span events of a key's policy", async () => {
    const traces = new Traces();
    try {
      const perTenant = keyed(() => fallback(0, { name: 'prices' }));
      instrument(perTenant, { meterProvider: new Metrics().provider });
      await traces.inSpan('call', () => perTenant.execute('a', () => Promise.reject(new Error('down'))));
      expect(traces.span('call').events.map((e) => e.attributes)).toEqual([expect.objectContaining({ 'firebreak.policy.name': 'prices', 'firebreak.key': 'a' })]);
    } finally {
      traces.close();
    }
  });

  it("records a fleet: store errors, and whether it reaches its store", async () => {
    const metrics = new Metrics();
    const clock = manualClock();
    const memory = memoryStore(clock);
    let up = true;
    const gate = <R>(run: () => Promise<R>): Promise<R> => (up ? run() : Promise.reject(new Error('down')));
    type Args<M extends 'syncBreaker' | 'syncBudget' | 'syncLimiter' | 'isolate' | 'release'> = Parameters<FleetStore[M]>;
    const store: FleetStore = {
      syncBreaker: (...args: Args<'syncBreaker'>) => gate(() => memory.syncBreaker(...args)),
      syncBudget: (...args: Args<'syncBudget'>) => gate(() => memory.syncBudget(...args)),
      syncLimiter: (...args: Args<'syncLimiter'>) => gate(() => memory.syncLimiter(...args)),
      isolate: (...args: Args<'isolate'>) => gate(() => memory.isolate(...args)),
      release: (...args: Args<'release'>) => gate(() => memory.release(...args)),
    };
    const fleet = storeFleet({ name: 'auth', store, clock, syncInterval: 100 });
    instrument(fleet, { meterProvider: metrics.provider });
    circuitBreaker({ name: 'auth', clock, fleet });
    const auth = { 'firebreak.policy.name': 'auth' };
    await settle(clock, 0);
    await settle(clock, 100);
    let c = await metrics.collect();
    expect(c.value('firebreak.fleet.connected', auth)).toBe(1);
    expect(c.value('firebreak.fleet.store_errors', auth)).toBe(0);

    up = false;
    await settle(clock, 100);
    await settle(clock, 100);
    c = await metrics.collect();
    expect(c.value('firebreak.fleet.connected', auth)).toBe(0);
    expect(c.value('firebreak.fleet.store_errors', auth)).toBeGreaterThanOrEqual(1);
    await fleet.close();
  });
});
