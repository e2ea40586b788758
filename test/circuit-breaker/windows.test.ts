import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConsecutiveWindow } from '../../src/circuit-breaker/consecutive-window.js';
import { CountWindow } from '../../src/circuit-breaker/count-window.js';
import { TimeWindow } from '../../src/circuit-breaker/time-window.js';
import type { CallWindow } from '../../src/circuit-breaker/window.js';

const rules = { minimumCalls: 2, failureRateThreshold: 0.5, slowCallRateThreshold: 0.5 };
const counts = (window: CallWindow) => ({ calls: window.calls, failures: window.failures, slowCalls: window.slowCalls });

describe('call windows, as data', () => {
  it('consecutive: counts the current run of failures; a non-failure empties it', () => {
    const window = new ConsecutiveWindow(3);
    window.record(true, true);
    window.record(true, false);
    expect(counts(window)).toEqual({ calls: 2, failures: 2, slowCalls: 1 });
    expect(window.tripped()).toBe(false);
    window.record(false, true);
    expect(counts(window)).toEqual({ calls: 0, failures: 0, slowCalls: 0 });
    for (let i = 0; i < 3; i++) window.record(true, false);
    expect(window.tripped()).toBe(true);
  });

  it('count: evicts the oldest call, failures and slow calls alike', () => {
    const window = new CountWindow(2, { ...rules, failureRateThreshold: 1, slowCallRateThreshold: 1 });
    window.record(true, true);
    window.record(false, false);
    expect(counts(window)).toEqual({ calls: 2, failures: 1, slowCalls: 1 });
    window.record(false, false);
    expect(counts(window)).toEqual({ calls: 2, failures: 0, slowCalls: 0 });
    window.record(true, true);
    window.record(true, true);
    expect(counts(window)).toEqual({ calls: 2, failures: 2, slowCalls: 2 });
    expect(window.tripped()).toBe(true);
    window.clear();
    expect(counts(window)).toEqual({ calls: 0, failures: 0, slowCalls: 0 });
  });

  it('time: a call belongs to the bucket of its end; a bucket leaves whole', () => {
    const window = new TimeWindow(100, 4, rules);
    window.record(true, false, 0);
    window.record(false, true, 24);
    window.record(false, false, 25);
    window.advance(99);
    expect(counts(window)).toEqual({ calls: 3, failures: 1, slowCalls: 1 });
    window.advance(100);
    expect(counts(window)).toEqual({ calls: 1, failures: 0, slowCalls: 0 });
    window.advance(125);
    expect(counts(window)).toEqual({ calls: 0, failures: 0, slowCalls: 0 });
  });

  it('time: a window holding 100,000 successes records a failure and still counts exactly', () => {
    const window = new TimeWindow(10_000, 10, { ...rules, minimumCalls: 1 });
    for (let i = 0; i < 100_000; i++) window.record(false, false, i / 10);
    window.record(true, false, 9_999);
    expect(counts(window)).toEqual({ calls: 100_001, failures: 1, slowCalls: 0 });
    expect(window.tripped()).toBe(false);
    window.advance(9_999 + 10_000);
    expect(counts(window)).toEqual({ calls: 0, failures: 0, slowCalls: 0 });
  });

  it('time: rates trip at rate >= threshold once minimumCalls are in the window', () => {
    const window = new TimeWindow(1_000, 10, rules);
    window.record(true, false, 0);
    expect(window.tripped()).toBe(false);
    window.record(false, false, 0);
    expect(window.tripped()).toBe(true);
  });

  it('time: files every call in the bucket its end time divides to, at and around bucket boundaries too', () => {
    /** The reference: every call with the bucket number it was filed in, read by filtering. */
    const reference = (bucketMs: number, buckets: number) => {
      let epoch = -Infinity;
      const filed: { epoch: number; failure: boolean; slow: boolean }[] = [];
      const advance = (now: number): void => {
        epoch = Math.max(epoch, Math.floor(now / bucketMs));
      };
      return {
        advance,
        record(failure: boolean, slow: boolean, now: number): void {
          advance(now);
          filed.push({ epoch, failure, slow });
        },
        counts() {
          const inWindow = filed.filter((call) => call.epoch > epoch - buckets);
          return {
            calls: inWindow.length,
            failures: inWindow.filter((call) => call.failure).length,
            slowCalls: inWindow.filter((call) => call.slow).length,
          };
        },
      };
    };
    // Times on a bucket boundary, a hair either side of one, or anywhere, moving mostly forward.
    const step = fc.record({
      bucket: fc.integer({ min: -2, max: 40 }),
      offset: fc.constantFrom(0, 1e-9, -1e-9, 1e-12, -1e-12, 0.5, 0.999_999_999, Number.EPSILON),
      record: fc.boolean(),
      failure: fc.boolean(),
      slow: fc.boolean(),
    });
    fc.assert(
      fc.property(
        fc.constantFrom(10, 100, 1_000, 10_000, 7, 0.3),
        fc.integer({ min: 1, max: 7 }),
        fc.double({ min: -1e6, max: 1e9, noNaN: true }),
        fc.array(step, { maxLength: 60 }),
        (duration, buckets, origin, steps) => {
          const bucketMs = duration / buckets;
          const window = new TimeWindow(duration, buckets, rules);
          const model = reference(bucketMs, buckets);
          const base = Math.floor(origin / bucketMs);
          for (const { bucket, offset, record, failure, slow } of steps) {
            const now = (base + bucket) * bucketMs + offset * bucketMs;
            if (record) {
              window.record(failure, slow, now);
              model.record(failure, slow, now);
            } else {
              window.advance(now);
              model.advance(now);
            }
            expect(counts(window)).toEqual(model.counts());
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('record returns tripped(), for every kind of window', () => {
    const makers: (() => CallWindow)[] = [
      () => new ConsecutiveWindow(3),
      () => new CountWindow(4, rules),
      () => new TimeWindow(100, 4, { ...rules, slowCallRateThreshold: 0.7 }),
    ];
    fc.assert(
      fc.property(
        fc.nat({ max: 2 }),
        fc.array(fc.tuple(fc.boolean(), fc.boolean(), fc.integer({ min: 0, max: 60 })), { maxLength: 40 }),
        (which, calls) => {
          const window = makers[which]!();
          let now = 0;
          for (const [failure, slow, wait] of calls) {
            now += wait;
            window.advance(now);
            expect(window.record(failure, slow, now)).toBe(window.tripped());
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
