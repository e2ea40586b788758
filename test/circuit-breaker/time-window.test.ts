import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TimeWindow } from '../../src/circuit-breaker/time-window.js';

const rules = { minimumCalls: 1, failureRateThreshold: 1, slowCallRateThreshold: 1 };

/** The obvious model: every call kept with its bucket number, counted when still in the window. */
function modelCounts(calls: { bucket: number; failure: boolean; slow: boolean }[], newest: number, buckets: number) {
  const kept = calls.filter((call) => call.bucket > newest - buckets);
  return { calls: kept.length, failures: kept.filter((call) => call.failure).length, slowCalls: kept.filter((call) => call.slow).length };
}

describe('time window against a model', () => {
  it('counts what the last `buckets` buckets hold, whether its failure and slow counts exist yet or not', () => {
    const step = fc.record({
      // Mostly within the window (buckets leave one by one); now and then a jump past all of it.
      gap: fc.oneof({ arbitrary: fc.integer({ min: 0, max: 12 }), weight: 10 }, fc.constant(0), fc.integer({ min: 0, max: 200 })),
      // Mostly successes, so that the failure and slow counts are often made late, or never.
      kind: fc.oneof({ arbitrary: fc.constant('success' as const), weight: 3 }, fc.constantFrom('failure' as const, 'slow' as const, 'both' as const)),
      clear: fc.integer({ min: 0, max: 19 }).map((draw) => draw === 0),
    });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 10 }), fc.integer({ min: 0, max: 1_000 }), fc.array(step, { maxLength: 120 }), (buckets, bucketMs, start, steps) => {
        const window = new TimeWindow(buckets * bucketMs, buckets, rules);
        let calls: { bucket: number; failure: boolean; slow: boolean }[] = [];
        let now = start;
        for (const { gap, kind, clear } of steps) {
          now += gap;
          if (clear) {
            window.clear();
            calls = [];
          }
          const failure = kind === 'failure' || kind === 'both';
          const slow = kind === 'slow' || kind === 'both';
          window.record(failure, slow, now);
          calls.push({ bucket: Math.floor(now / bucketMs), failure, slow });
          const counted = { calls: window.calls, failures: window.failures, slowCalls: window.slowCalls };
          expect(counted).toEqual(modelCounts(calls, Math.floor(now / bucketMs), buckets));
        }
        const later = now + bucketMs * (buckets + 1);
        window.advance(later);
        expect({ calls: window.calls, failures: window.failures, slowCalls: window.slowCalls }).toEqual({ calls: 0, failures: 0, slowCalls: 0 });
      }),
      { numRuns: 300 },
    );
  });
});
