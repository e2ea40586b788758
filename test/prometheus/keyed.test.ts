import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { firebreak, keyed, manualClock } from '../../src/index.js';
import { instrument } from '../../src/prometheus/index.js';
import { Scrape } from './read-metrics.js';
import { dropKeys, perOriginBreakers } from './scripted-sequence.js';

const keysIn = async (registry: Registry): Promise<string[]> => {
  const scrape = await Scrape.of(registry);
  const keys = new Set<string>();
  for (const { values } of scrape.metrics.values()) for (const sample of values) if (sample.labels.key !== undefined) keys.add(String(sample.labels.key));
  return [...keys].sort();
};

describe('instrument() of a keyed policy', () => {
  it('labels each key\'s series with key, and removes them when the key is dropped', async () => {
    const registry = new Registry();
    const clock = manualClock();
    // Every key's policy has the same name: the key label tells them apart.
    const perTenant = keyed(() => firebreak('db', { circuitBreaker: { clock }, bulkhead: { concurrency: 2 }, attemptTimeout: 1_000 }), { maxKeys: 2, idleTtl: 1_000, clock });
    perTenant.get('before');
    const handle = instrument(perTenant, { registry });
    await perTenant.execute('a', () => 'ok');
    await perTenant.execute('b', () => 'ok');
    expect(await keysIn(registry)).toEqual(['a', 'b']);
    const scrape = await Scrape.of(registry);
    expect(scrape.value('firebreak_circuit_state', { name: 'db', key: 'a', state: 'closed' })).toBe(1);
    expect(scrape.value('firebreak_call_duration_seconds', { name: 'db', key: 'b', outcome: 'success' }, 'firebreak_call_duration_seconds_count')).toBe(1);
    expect(scrape.value('firebreak_bulkhead_concurrency', { name: 'db', key: 'b' })).toBe(2);

    await dropKeys(perTenant, clock, handle, () => keysIn(registry));
    expect((await registry.metrics()).includes('name="db"')).toBe(false);
  });

  it('counts overflows, and keeps 100 keys\' worth of series over 2,000 keys', async () => {
    const registry = new Registry();
    const { perOrigin, breakers } = perOriginBreakers();
    instrument(perOrigin, { registry });
    for (let i = 0; i < 2_000; i++) perOrigin.get(`https://host-${i}.example`);
    expect((await keysIn(registry)).length).toBe(100);
    for (const key of perOrigin.keys()) breakers.get(key)?.isolate();
    perOrigin.get('https://one-more.example');
    perOrigin.get('https://and-another.example');
    const scrape = await Scrape.of(registry);
    expect(scrape.value('firebreak_keyed_overflows_total', { name: 'origins' })).toBe(2);
    expect((await keysIn(registry)).length).toBe(100);
  });
});
