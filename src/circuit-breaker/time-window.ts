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
  readonly #calls: Float64Array;
  readonly #failures: Float64Array;
  readonly #slow: Float64Array;
  /** The number of the newest bucket (clock time / bucket length, rounded down). */
  #epoch = -Infinity;

  constructor(
    readonly duration: number,
    readonly buckets: number,
    readonly rules: RateRules,
  ) {
    this.#bucketMs = duration / buckets;
    this.#calls = new Float64Array(buckets);
    this.#failures = new Float64Array(buckets);
    this.#slow = new Float64Array(buckets);
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
    const index = this.#index(this.#epoch);
    this.#calls[index] = (this.#calls[index] ?? 0) + 1;
    this.calls++;
    if (failure) {
      this.#failures[index] = (this.#failures[index] ?? 0) + 1;
      this.failures++;
    }
    if (slow) {
      this.#slow[index] = (this.#slow[index] ?? 0) + 1;
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
    this.calls -= this.#calls[index] ?? 0;
    this.failures -= this.#failures[index] ?? 0;
    this.slowCalls -= this.#slow[index] ?? 0;
    this.#calls[index] = 0;
    this.#failures[index] = 0;
    this.#slow[index] = 0;
  }

  #clearBuckets(): void {
    this.#calls.fill(0);
    this.#failures.fill(0);
    this.#slow.fill(0);
    this.calls = 0;
    this.failures = 0;
    this.slowCalls = 0;
  }
}
