import type { Clock } from '../clock.js';
import type { ThrottleCounts } from './decide.js';

/** Buckets per window: a count lives between 0.9 and 1 window. */
const BUCKETS = 10;

/**
 * Requests, accepts and failures over the last window, in {@link BUCKETS} buckets: O(1) per
 * call, however heavy the traffic. A count recorded at time `t` is dropped by `t + window`.
 */
export class ThrottleWindow implements ThrottleCounts {
  requests = 0;
  accepts = 0;
  failures = 0;
  readonly #requests = new Float64Array(BUCKETS);
  readonly #accepts = new Float64Array(BUCKETS);
  readonly #failures = new Float64Array(BUCKETS);
  #bucket: number;

  constructor(
    readonly window: number,
    readonly clock: Clock,
  ) {
    this.#bucket = this.#bucketAt(clock.now());
  }

  /** Moves the window to the clock's time; returns the current slot. */
  advance(): number {
    const bucket = this.#bucketAt(this.clock.now());
    const passed = Math.min(bucket - this.#bucket, BUCKETS);
    for (let i = 1; i <= passed; i++) {
      const slot = slotOf(this.#bucket + i);
      this.requests -= this.#requests[slot]!;
      this.accepts -= this.#accepts[slot]!;
      this.failures -= this.#failures[slot]!;
      this.#requests[slot] = 0;
      this.#accepts[slot] = 0;
      this.#failures[slot] = 0;
    }
    if (passed > 0) this.#bucket = bucket;
    return slotOf(this.#bucket);
  }

  /** Counts a call the throttle turned away. */
  recordRejection(): void {
    const slot = this.advance();
    this.#requests[slot]!++;
    this.requests++;
  }

  /** Counts a call the dependency answered: `accepted` when it handled it well. */
  recordOutcome(accepted: boolean): void {
    const slot = this.advance();
    this.#requests[slot]!++;
    this.requests++;
    if (accepted) {
      this.#accepts[slot]!++;
      this.accepts++;
    } else {
      this.#failures[slot]!++;
      this.failures++;
    }
  }

  #bucketAt(now: number): number {
    return Math.floor((now * BUCKETS) / this.window);
  }
}

function slotOf(bucket: number): number {
  return ((bucket % BUCKETS) + BUCKETS) % BUCKETS;
}
