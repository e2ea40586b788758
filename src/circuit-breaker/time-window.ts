import { ratesTrip, type CallWindow, type RateRules } from './window.js';

/**
 * The calls of the last `duration` milliseconds, in `buckets` buckets of `duration / buckets` ms
 * each, kept in a ring with running totals. A call belongs to the bucket of the time it ended;
 * a bucket leaves the window whole once `buckets` newer buckets have begun.
 *
 * Cost: `record` is O(1) whatever the traffic (recording into a window holding 100,000 calls
 * costs what it costs in an empty one); `advance` clears the buckets that time has passed,
 * O(min(elapsed buckets, buckets)), so a window idle for hours is emptied in one O(buckets) step.
 * Memory is O(buckets), never O(calls).
 */
export class TimeWindow implements CallWindow {
  calls = 0;
  failures = 0;
  slowCalls = 0;
  readonly #bucketMs: number;
  /** Calls per bucket: a plain array of small integers, on the JS heap (no ArrayBuffer). */
  readonly #callCounts: number[];
  /**
   * Failures per bucket, then slow calls per bucket (one array, not two): made by the first
   * failure or slow call, so that a window of successes holds only its call counts.
   */
  #badCounts: number[] | undefined;
  /** The number of the newest bucket (clock time / bucket length, rounded down). */
  #epoch = -Infinity;

  constructor(
    duration: number,
    readonly buckets: number,
    readonly rules: RateRules,
  ) {
    this.#bucketMs = duration / buckets;
    this.#callCounts = new Array<number>(buckets).fill(0);
  }

  advance(now: number): void {
    const epoch = Math.floor(now / this.#bucketMs);
    const from = this.#epoch;
    if (epoch <= from) return;
    this.#epoch = epoch;
    if (epoch - from >= this.buckets) {
      this.#clearBuckets();
      return;
    }
    for (let passed = from + 1; passed <= epoch; passed++) this.#clearBucket(this.#index(passed));
  }

  record(failure: boolean, slow: boolean, now: number): void {
    this.advance(now);
    const at = this.#index(this.#epoch);
    const calls = this.#callCounts;
    calls[at] = (calls[at] ?? 0) + 1;
    this.calls++;
    if (!failure && !slow) return;
    const bad = (this.#badCounts ??= new Array<number>(2 * this.buckets).fill(0));
    if (failure) {
      bad[at] = (bad[at] ?? 0) + 1;
      this.failures++;
    }
    if (slow) {
      const slowAt = this.buckets + at;
      bad[slowAt] = (bad[slowAt] ?? 0) + 1;
      this.slowCalls++;
    }
  }

  tripped(): boolean {
    return ratesTrip(this, this.rules);
  }

  clear(): void {
    this.#clearBuckets();
  }

  #index(epoch: number): number {
    const index = epoch % this.buckets;
    return index < 0 ? index + this.buckets : index;
  }

  #clearBucket(index: number): void {
    const calls = this.#callCounts;
    this.calls -= calls[index] ?? 0;
    calls[index] = 0;
    const bad = this.#badCounts;
    if (bad === undefined) return;
    const slowAt = this.buckets + index;
    this.failures -= bad[index] ?? 0;
    this.slowCalls -= bad[slowAt] ?? 0;
    bad[index] = 0;
    bad[slowAt] = 0;
  }

  #clearBuckets(): void {
    this.#callCounts.fill(0);
    this.#badCounts?.fill(0);
    this.calls = 0;
    this.failures = 0;
    this.slowCalls = 0;
  }
}
