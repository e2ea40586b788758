/**
 * The calls a circuit breaker judges when closed. Counts are read after {@link CallWindow.advance}
 * brought the window to the present; every operation costs O(1), except `advance` on a time
 * window after idle time, which costs O(buckets) at most, and `clear`, which costs O(size).
 */
export interface CallWindow {
  /** Calls in the window. */
  readonly calls: number;
  /** Failed calls in the window. */
  readonly failures: number;
  /** Slow calls (failed or not) in the window. */
  readonly slowCalls: number;
  /** Drops what has aged out of the window by clock time `now`. */
  advance(now: number): void;
  /**
   * Records one call that ended at clock time `now` (the window has been advanced to `now`);
   * returns {@link tripped}, so that recording and judging take one call.
   */
  record(failure: boolean, slow: boolean, now: number): boolean;
  /** Whether the calls in the window open the circuit. */
  tripped(): boolean;
  /** Empties the window. */
  clear(): void;
}

/** When the rates of a count or time window open the circuit. */
export interface RateRules {
  readonly minimumCalls: number;
  readonly failureRateThreshold: number;
  readonly slowCallRateThreshold: number;
}

/** A rate, 0 for an empty window. */
export function rate(part: number, calls: number): number {
  return calls === 0 ? 0 : part / calls;
}

/** Rates open the circuit at `rate >= threshold`, once `minimumCalls` calls are in the window. */
export function ratesTrip(window: CallWindow, rules: RateRules): boolean {
  const calls = window.calls;
  if (calls < rules.minimumCalls) return false;
  return window.failures / calls >= rules.failureRateThreshold || window.slowCalls / calls >= rules.slowCallRateThreshold;
}
