import fc from 'fast-check';
import { Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { LocalHistogram } from '../../src/prometheus/local-histogram.js';

const BUCKETS = [0.001, 0.01, 0.1, 1, 10];

function pair(): { local: LocalHistogram; reference: Histogram; localRegistry: Registry; referenceRegistry: Registry } {
  const localRegistry = new Registry();
  const referenceRegistry = new Registry();
  const config = { name: 'latency_seconds', help: 'Latency.', labelNames: ['name', 'outcome'], buckets: BUCKETS };
  return {
    local: new LocalHistogram({ ...config, registers: [localRegistry] }),
    reference: new Histogram({ ...config, registers: [referenceRegistry] }),
    localRegistry,
    referenceRegistry,
  };
}

const observation = fc.record({
  name: fc.constantFrom('auth', 'catalog'),
  outcome: fc.constantFrom('success', 'failure'),
  value: fc.oneof(fc.constantFrom(0, ...BUCKETS), fc.double({ min: 0, max: 100, noNaN: true })),
});

describe('LocalHistogram', () => {
  it('exposes exactly what a prom-client Histogram fed the same observations exposes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(observation, { maxLength: 60 }), async (observations) => {
        const { local, reference, localRegistry, referenceRegistry } = pair();
        for (const { name, outcome, value } of observations) {
          local.series({ name, outcome }).observe(value);
          reference.observe({ name, outcome }, value);
        }
        expect(await localRegistry.metrics()).toBe(await referenceRegistry.metrics());
        expect(await localRegistry.getMetricsAsJSON()).toEqual(await referenceRegistry.getMetricsAsJSON());
      }),
    );
  });

  it('shows a series at zero from its creation, and zeroes it on resetMetrics()', async () => {
    const { local, localRegistry } = pair();
    const series = local.series({ name: 'auth', outcome: 'success' });
    expect(local.series({ name: 'auth', outcome: 'success' })).toBe(series);
    expect(await localRegistry.metrics()).toContain('latency_seconds_count{name="auth",outcome="success"} 0');
    series.observe(0.5);
    expect(await localRegistry.metrics()).toContain('latency_seconds_bucket{le="1",name="auth",outcome="success"} 1');
    localRegistry.resetMetrics();
    expect(await localRegistry.metrics()).toContain('latency_seconds_count{name="auth",outcome="success"} 0');
    expect(localRegistry.getSingleMetric('latency_seconds')).toBeInstanceOf(Histogram);
  });
});
