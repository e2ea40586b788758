import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyzeRun, percentile, recoverySeconds, timeline, type RunShape } from '../../examples/cascade/analysis.js';
import type { Sample } from '../../examples/cascade/load.js';

const sample = (at: number, path: string, ok: boolean, latencyMs = 10, degraded = false): Sample => ({ at, path, ok, degraded, latencyMs, status: ok ? 200 : 0 });

/** `perSecond` requests a second on `path` from `fromS` to `toS`, failing where `fails(at)`. */
function traffic(path: string, fromS: number, toS: number, perSecond: number, fails: (at: number) => boolean = () => false): Sample[] {
  const samples: Sample[] = [];
  for (let i = 0; i < (toS - fromS) * perSecond; i++) {
    const at = fromS + i / perSecond;
    samples.push(sample(at, path, !fails(at)));
  }
  return samples;
}

describe('percentile', () => {
  it('is the nearest rank', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(values, 0.5)).toBe(50);
    expect(percentile(values, 0.99)).toBe(99);
    expect(percentile([7], 0.99)).toBe(7);
    expect(percentile([], 0.5)).toBe(0);
  });

  it('is one of the values, and grows with p (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(), { minLength: 1 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (values, p, q) => {
        const sorted = [...values].sort((a, b) => a - b);
        expect(sorted).toContain(percentile(sorted, p));
        expect(percentile(sorted, Math.min(p, q))).toBeLessThanOrEqual(percentile(sorted, Math.max(p, q)));
      }),
    );
  });
});

describe('recoverySeconds', () => {
  it('is 0 when every window after the recovery is healthy', () => {
    expect(recoverySeconds(traffic('/a', 0, 20, 50), ['/a'], 10, 20)).toBe(0);
  });

  it('is null when the failures go on to the end of the run', () => {
    expect(recoverySeconds(traffic('/a', 0, 20, 50, (at) => at >= 5), ['/a'], 10, 20)).toBeNull();
  });

  it('ends after the last failure: the first window start past it on the 0.1 s grid', () => {
    expect(recoverySeconds(traffic('/a', 0, 20, 50, (at) => at >= 5 && at < 13.25), ['/a'], 10, 20)).toBe(3.3);
  });

  it('tolerates up to 1 % of failures per endpoint and window', () => {
    const oneIn200 = traffic('/a', 0, 20, 200, (at) => Math.round(at * 200) % 200 === 0);
    expect(recoverySeconds(oneIn200, ['/a'], 10, 20)).toBe(0);
  });

  it('requires every endpoint to be back: a failing endpoint holds the recovery back', () => {
    const samples = [...traffic('/a', 0, 20, 50), ...traffic('/b', 0, 20, 50, (at) => at < 16)];
    expect(recoverySeconds(samples, ['/a', '/b'], 10, 20)).toBe(6);
  });

  it('is null when less than a full window follows the recovery', () => {
    expect(recoverySeconds(traffic('/a', 0, 10, 50), ['/a'], 9.5, 10)).toBeNull();
  });
});

describe('timeline', () => {
  it('has one point per second, with the success rate and p99 of the requests due in it', () => {
    const samples = [sample(0.1, '/a', true, 10), sample(0.5, '/a', false, 1_000), sample(1.2, '/a', true, 20)];
    expect(timeline(samples, 3)).toEqual([
      { t: 0, successRate: 0.5, p99Ms: 1_000 },
      { t: 1, successRate: 1, p99Ms: 20 },
      { t: 2, successRate: 0, p99Ms: 0 },
    ]);
  });
});

describe('analyzeRun', () => {
  const shape: RunShape = {
    endpoints: [
      { path: '/profile', needsAuth: true },
      { path: '/catalog', needsAuth: false },
    ],
    phases: [
      { name: 'steady', startS: 0, endS: 2 },
      { name: 'outage', startS: 2, endS: 4 },
      { name: 'recovered', startS: 4, endS: 6 },
    ],
    deadlineMs: 1_000,
  };

  it('counts per phase and endpoint, and divides auth calls by the requests that need auth', () => {
    const samples = [
      ...traffic('/profile', 0, 6, 10, (at) => at >= 2 && at < 4.5),
      ...traffic('/catalog', 0, 6, 10),
      sample(2.05, '/profile', true, 5, true),
    ];
    const run = analyzeRun(samples, { steady: 20, outage: 3, recovered: 40 }, shape);
    expect(run.phases.steady.endpoints['/profile']).toEqual({ needsAuth: true, requests: 20, ok: 20, degraded: 0, successRate: 1, p50Ms: 10, p99Ms: 10 });
    expect(run.phases.outage.endpoints['/profile']).toMatchObject({ requests: 21, ok: 1, degraded: 1, successRate: 0.0476 });
    expect(run.phases.outage.endpoints['/catalog']).toMatchObject({ needsAuth: false, requests: 20, ok: 20 });
    expect(run.phases.steady.authCallsPerRequest).toBe(1);
    expect(run.phases.outage.authCalls).toBe(3);
    expect(run.phases.outage.authCallsPerRequest).toBe(0.143);
    expect(run.phases.recovered.authCallsPerRequest).toBe(2);
    expect(run.recoverySeconds).toBe(0.5);
    expect(run.timeline).toHaveLength(6);
  });
});
