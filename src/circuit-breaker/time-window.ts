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
  /**
   * The number of the newest bucket (clock time / bucket length, rounded down); none before the
   * first call. A small integer, held in the object itself (where -Infinity took a number box).
   */
  #epoch: number | undefined = undefined;
  /** The ring slot of the newest bucket. */
  #at = 0;
  /**
   * A time a little before the next bucket begins: a call ending before it belongs to the newest
   * bucket (or an older one, which is filed in the newest too), with no division to find out.
   * Infinitely far back before the first call.
   */
  #sameBucketUntil = -Infinity;

  constructor(
    duration: number,
    readonly buckets: number,
    readonly rules: RateRules,
  ) {
    this.#bucketMs = duration / buckets;
    this.#callCounts = new Array<number>(buckets).fill(0);
  }

  advance(now: number): void {
    if (now < this.#sameBucketUntil) return;
    const epoch = Math.floor(now / this.#bucketMs);
    const from = this.#epoch;
    if (from !== undefined && epoch <= from) return;
    this.#epoch = epoch;
    this.#at = bucketIndex(epoch, this.buckets);
    this.#sameBucketUntil = justBefore((epoch + 1) * this.#bucketMs);
    // Before the first call every bucket is empty already.
    if (from === undefined) return;
    if (epoch - from >= this.buckets) {
      this.clear();
      return;
    }
    for (let passed = from + 1; passed <= epoch; passed++) TimeWindow.#clearBucket(this, bucketIndex(passed, this.buckets));
  }

  record(failure: boolean, slow: boolean, now: number): boolean {
    this.advance(now);
    const at = this.#at;
    const calls = this.#callCounts;
    calls[at] = (calls[at] ?? 0) + 1;
    this.calls++;
    if (!failure && !slow) return this.tripped();
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
    return this.tripped();
  }

  tripped(): boolean {
    return ratesTrip(this, this.rules);
  }

  clear(): void {
    this.#callCounts.fill(0);
    this.#badCounts?.fill(0);
    this.calls = 0;
    this.failures = 0;
    this.slowCalls = 0;
  }

  /** Static, as a private instance method would cost every window a slot (its class brand). */
  static #clearBucket(window: TimeWindow, index: number): void {
    const calls = window.#callCounts;
    window.calls -= calls[index] ?? 0;
    calls[index] = 0;
    const bad = window.#badCounts;
    if (bad === undefined) return;
    const slowAt = window.buckets + index;
    window.failures -= bad[index] ?? 0;
    window.slowCalls -= bad[slowAt] ?? 0;
    bad[index] = 0;
    bad[slowAt] = 0;
  }
}

/** The ring slot of bucket number `epoch`. */
function bucketIndex(epoch: number, buckets: number): number {
  const index = epoch % buckets;
  return index < 0 ? index + buckets : index;
}

/**
 * A time safely before `boundary`, whatever the rounding of `now / bucketMs`: a time below it
 * always divides to less than the boundary's bucket number.
 */
function justBefore(boundary: number): number {
  return boundary - Math.abs(boundary) * 2 ** -40;
}
