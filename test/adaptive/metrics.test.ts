import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { firebreak, manualClock, type AdaptiveBulkheadPolicy } from '../../src/index.js';
import { instrument } from '../../src/prometheus/index.js';
import { deferred } from '../helpers/async.js';
import { Scrape } from '../prometheus/read-metrics.js';

describe('an adaptive bulkhead in firebreak/prometheus', () => {
  it('exports its learned limit as firebreak_concurrency_limit and counts the calls it sheds', async () => {
    const clock = manualClock();
    const registry = new Registry();
    const search = firebreak('search', { bulkhead: { adaptive: { initial: 4, partitions: { critical: 0.5 }, clock } } });
    const handle = instrument(search, { registry });
    const pool = search.bulkhead as AdaptiveBulkheadPolicy;
    const gate = deferred();
    const running = [pool.execute(() => gate.promise, { priority: 'sheddable' }), pool.execute(() => gate.promise, { priority: 'sheddable' })];
    await expect(search.execute(() => 'third', { priority: 'sheddable' })).rejects.toMatchObject({ reason: 'shed' });
    let scrape = await Scrape.of(registry);
    expect(scrape.value('firebreak_concurrency_limit', { name: 'search' })).toBe(4);
    expect(scrape.value('firebreak_bulkhead_concurrency', { name: 'search' })).toBe(4);
    expect(scrape.value('firebreak_bulkhead_active', { name: 'search' })).toBe(2);
    expect(scrape.value('firebreak_bulkhead_rejections_total', { name: 'search', reason: 'shed' })).toBe(1);
    expect(scrape.value('firebreak_bulkhead_rejections_total', { name: 'search', reason: 'full' })).toBe(0);
    gate.resolve('done');
    await Promise.all(running);
    handle.remove();
    scrape = await Scrape.of(registry);
    expect(scrape.samples('firebreak_concurrency_limit')).toEqual([]);
  });
});
