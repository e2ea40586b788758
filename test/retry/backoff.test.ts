import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { constant, exponential, manualClock, MAX_TIMER_DELAY, retry, type Backoff, type Jitter, type Outcome } from '../../src/index.js';
import { decideRetry } from '../../src/retry/decide.js';

const failure: Outcome<unknown> = { ok: false, error: new Error('down') };

/** Any number a caller or a computation could produce, edges included. */
const anyNumber = fc.oneof(
  fc.double(),
  fc.constantFrom(NaN, Infinity, -Infinity, 0, -0, Number.MAX_VALUE, Number.MIN_VALUE, MAX_TIMER_DELAY + 1),
);
const attempts = fc.oneof(fc.integer({ min: 1, max: 60 }), fc.constantFrom(1, 2, 10_000, 2 ** 31, Number.MAX_SAFE_INTEGER));
const jitters = fc.constantFrom<Jitter[]>('none', 'full', 'equal', 'decorrelated');
const exponentialOptions = fc.record({
  initial: fc.oneof(fc.double({ min: 0, max: 1e7, noNaN: true }), fc.constantFrom(0, 1, MAX_TIMER_DELAY, 1e12)),
  extra: fc.oneof(fc.double({ min: 0, max: 1e12, noNaN: true }), fc.constant(Infinity)),
  multiplier: fc.oneof(fc.double({ min: 1, max: 1e6, noNaN: true }), fc.constantFrom(1, 2, 3, Number.MAX_VALUE)),
  jitter: jitters,
  randoms: fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), { minLength: 1, maxLength: 8 }),
});

/** Runs a backoff through a whole call's worth of retries, feeding back its previous delay. */
function delays(backoff: Backoff, attemptNumbers: readonly number[]): number[] {
  let previous = 0;
  return attemptNumbers.map((attempt) => (previous = backoff(attempt, failure, previous)));
}

function cycle(values: readonly number[]): () => number {
  let index = 0;
  return () => values[index++ % values.length]!;
}

describe('backoffs stay within bounds ✱', () => {
  it('exponential: any options, any attempt (10,000 too): never NaN, never above max, never above 2,147,483,647 ms', () => {
    fc.assert(
      fc.property(exponentialOptions, fc.array(attempts, { minLength: 1, maxLength: 20 }), (options, attemptNumbers) => {
        const max = options.initial + options.extra;
        const backoff = exponential({ initial: options.initial, max, multiplier: options.multiplier, jitter: options.jitter, random: cycle(options.randoms) });
        for (const delay of delays(backoff, [...attemptNumbers, 10_000])) {
          expect(Number.isNaN(delay)).toBe(false);
          expect(delay).toBeGreaterThanOrEqual(0);
          expect(delay).toBeLessThanOrEqual(Math.min(max, MAX_TIMER_DELAY));
        }
      }),
    );
  });

  it('exponential: stays within bounds for attempt 10,000 with the defaults and every jitter', () => {
    for (const jitter of ['none', 'full', 'equal', 'decorrelated'] as const) {
      const backoff = exponential({ jitter });
      const delay = backoff(10_000, failure, 9_000);
      expect(Number.isNaN(delay)).toBe(false);
      expect(delay).toBeLessThanOrEqual(10_000);
    }
    expect(exponential({ jitter: 'none' })(10_000, failure, 0)).toBe(10_000);
    expect(exponential({ jitter: 'none', max: Infinity })(10_000, failure, 0)).toBe(MAX_TIMER_DELAY);
    expect(exponential({ jitter: 'none', initial: 0 })(10_000, failure, 0)).toBe(0);
  });

  it('exponential: even a misbehaving random source or nonsense inputs give a valid delay', () => {
    fc.assert(
      fc.property(exponentialOptions, anyNumber, anyNumber, anyNumber, (options, randomValue, attempt, previous) => {
        const max = options.initial + options.extra;
        const backoff = exponential({ initial: options.initial, max, multiplier: options.multiplier, jitter: options.jitter, random: () => randomValue });
        const delay = backoff(attempt, failure, previous);
        expect(Number.isNaN(delay)).toBe(false);
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThanOrEqual(Math.min(max, MAX_TIMER_DELAY));
      }),
    );
  });

  it('constant: any valid delay, any attempt: never NaN, never above 2,147,483,647 ms', () => {
    fc.assert(
      fc.property(fc.oneof(fc.double({ min: 0, max: 1e15, noNaN: true }), fc.constantFrom(0, MAX_TIMER_DELAY, MAX_TIMER_DELAY + 1)), attempts, (ms, attempt) => {
        const delay = constant(ms)(attempt, failure, 0);
        expect(delay).toBe(Math.min(ms, MAX_TIMER_DELAY));
      }),
    );
  });

  it('a function backoff: whatever it returns (NaN, negative, Infinity, huge), the retry sleeps a valid delay', () => {
    fc.assert(
      fc.property(anyNumber, attempts, (returned, attempt) => {
        const decision = decideRetry({
          attempt,
          maxAttempts: Infinity,
          outcome: failure,
          previous: 0,
          now: 0,
          deadline: Infinity,
          wallNow: 0,
          backoff: () => returned,
          budget: undefined,
        });
        expect(decision.retry).toBe(true);
        if (!decision.retry) return;
        expect(Number.isNaN(decision.delay)).toBe(false);
        expect(decision.delay).toBeGreaterThanOrEqual(0);
        expect(decision.delay).toBeLessThanOrEqual(MAX_TIMER_DELAY);
      }),
    );
  });
});

describe('exponential delays', () => {
  it("'none' doubles from initial up to max", () => {
    const backoff = exponential({ initial: 100, max: 1_000, jitter: 'none' });
    expect([1, 2, 3, 4, 5, 6].map((attempt) => backoff(attempt, failure, 0))).toEqual([100, 200, 400, 800, 1_000, 1_000]);
  });

  it('starts from max when only a max below the default initial is given', () => {
    expect(exponential({ max: 50, jitter: 'none' })(1, failure, 0)).toBe(50);
  });

  it("'full' picks in [0, ceiling), 'equal' in [ceiling / 2, ceiling)", () => {
    const low = exponential({ initial: 100, multiplier: 3, jitter: 'full', random: () => 0 });
    const high = exponential({ initial: 100, multiplier: 3, jitter: 'full', random: () => 0.5 });
    expect(low(3, failure, 0)).toBe(0);
    expect(high(3, failure, 0)).toBe(450);
    const equal = exponential({ initial: 100, jitter: 'equal', random: () => 0.5 });
    expect(equal(2, failure, 0)).toBe(150);
    expect(exponential({ initial: 100, jitter: 'equal', random: () => 0 })(2, failure, 0)).toBe(100);
  });

  it("'decorrelated' picks between initial and 3 × the previous delay, capped at max", () => {
    const top = exponential({ initial: 100, max: 2_000, jitter: 'decorrelated', random: () => 0.999_999 });
    expect(delays(top, [1, 2, 3, 4])).toEqual([
      expect.closeTo(300, 0) as number,
      expect.closeTo(900, 0) as number,
      expect.closeTo(2_000, 0) as number,
      expect.closeTo(2_000, 0) as number,
    ]);
    const bottom = exponential({ initial: 100, max: 2_000, jitter: 'decorrelated', random: () => 0 });
    expect(delays(bottom, [1, 2, 3])).toEqual([100, 100, 100]);
  });

  it('the retry feeds each call its own previous delay (decorrelated state is per call)', async () => {
    const clock = manualClock();
    const seen: number[] = [];
    const backoff: Backoff = (attempt, _outcome, previous) => {
      seen.push(previous);
      return attempt * 10;
    };
    const policy = retry({ maxAttempts: 3, backoff, clock });
    const call = (): Promise<unknown> => policy.execute(() => Promise.reject(new Error('down'))).catch(() => undefined);
    const both = Promise.all([call(), call()]);
    await clock.advanceAsync(100);
    await both;
    expect(seen.sort((a, b) => a - b)).toEqual([0, 0, 10, 10]);
  });
});
