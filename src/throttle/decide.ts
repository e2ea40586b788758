/** What a throttle has counted over its window. */
export interface ThrottleCounts {
  /** Calls offered to the throttle (its own rejections included; caller aborts excluded). */
  readonly requests: number;
  /** Calls the dependency handled well. */
  readonly accepts: number;
  /** Calls sent to the dependency that it did not handle well. */
  readonly failures: number;
}

/**
 * The probability with which client-side adaptive throttling (Google SRE book, "Handling
 * Overload") rejects the next call: `max(0, (requests − k × accepts) / (requests + 1))`, capped
 * at `maxRejection`. It is 0 while the window holds no failure: local rejections alone are no
 * evidence against the dependency, so once every failure has left the window (at most one window
 * after the dependency recovered) the throttle stops rejecting, however many calls it turned away
 * meanwhile.
 */
export function rejectionProbability(counts: ThrottleCounts, k: number, maxRejection: number): number {
  if (counts.failures === 0) return 0;
  const p = (counts.requests - k * counts.accepts) / (counts.requests + 1);
  if (p <= 0) return 0;
  return p < maxRejection ? p : maxRejection;
}
