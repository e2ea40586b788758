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
  /** Per bucket, three counts side by side: calls, failures, slow calls (one array, not three). */
  readonly #counts: Float64Array;
  /** The number of the newest bucket (clock time / bucket length, rounded down). */
  #epoch = -Infinity;
  /** Where the newest bucket's counts start in {@link #counts}. */
  #at = 0;
  /**
   * A time a little before the next bucket begins: a call ending before it belongs to the newest
   * bucket (or an older one, which is filed in the newest too), with no division to find out.
   */
  #sameBucketUntil = -Infinity;

  constructor(
    duration: number,
    readonly buckets: number,
    readonly rules: RateRules,
  ) {
    this.#bucketMs = duration / buckets;
    this.#counts = new Float64Array(buckets * 3);
  }

  advance(now: number): void {
    if (now < this.#sameBucketUntil) return;
    const epoch = Math.floor(now / this.#bucketMs);
    const from = this.#epoch;
    if (epoch <= from) return;
    this.#epoch = epoch;
    this.#at = this.#index(epoch) * 3;
    this.#sameBucketUntil = justBefore((epoch + 1) * this.#bucketMs);
    if (epoch - from >= this.buckets) {
      this.#clearBuckets();
      return;
    }
    for (let passed = from + 1; passed <= epoch; passed++) this.#clearBucket(this.#index(passed));
  }

  record(failure: boolean, slow: boolean, now: number): boolean {
    this.advance(now);
    const at = this.#at;
    const counts = this.#counts;
    counts[at] = (counts[at] ?? 0) + 1;
    this.calls++;
    if (failure) {
      counts[at + 1] = (counts[at + 1] ?? 0) + 1;
      this.failures++;
    }
    if (slow) {
      counts[at + 2] = (counts[at + 2] ?? 0) + 1;
      this.slowCalls++;
    }
    return this.tripped();
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
    const at = index * 3;
    const counts = this.#counts;
    this.calls -= counts[at] ?? 0;
    this.failures -= counts[at + 1] ?? 0;
    this.slowCalls -= counts[at + 2] ?? 0;
    counts.fill(0, at, at + 3);
  }

  #clearBuckets(): void {
    this.#counts.fill(0);
    this.calls = 0;
    this.failures = 0;
    this.slowCalls = 0;
  }
}

/**
 * A time safely before `boundary`, whatever the rounding of `now / bucketMs`: a time below it
 * always divides to less than the boundary's bucket number.
 */
function justBefore(boundary: number): number {
  return boundary - Math.abs(boundary) * 2 ** -40;
}
