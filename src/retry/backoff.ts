import { MAX_TIMER_DELAY } from '../clock.js';
import { OptionReader } from '../options.js';
import type { Outcome } from '../policy.js';

/**
 * Computes the delay before the next attempt: a function of the number of the attempt that just
 * failed (1 → the delay before attempt 2), its outcome, and the delay this backoff returned for
 * the previous retry of the same call (0 before the first retry).
 *
 * Use {@link constant} or {@link exponential}, or write your own: whatever it returns is made a
 * valid delay (NaN and negative values become 0, values above 2,147,483,647 ms are capped).
 *
 * @example
 * ```ts
 * import { retry, type Backoff } from 'firebreak';
 * const linear: Backoff = (attempt) => attempt * 250;
 * const policy = retry({ backoff: linear });
 * ```
 */
export type Backoff = (attempt: number, outcome: Outcome<unknown>, previous: number) => number;

/** Makes any number a valid timer delay: NaN and negatives become 0, at most `max` and `MAX_TIMER_DELAY`. */
export function clampDelay(ms: number, max: number = MAX_TIMER_DELAY): number {
  if (!(ms > 0)) return 0;
  return Math.min(ms, max, MAX_TIMER_DELAY);
}

/**
 * The same delay before every retry.
 *
 * Use it when the dependency recovers on a known schedule, or in tests; prefer
 * {@link exponential} with jitter when many callers share a dependency.
 *
 * @param ms - the delay in milliseconds (capped at 2,147,483,647 ms, the longest timer).
 * @throws InvalidOptionError for a NaN, negative, infinite or non-number delay.
 * @example
 * ```ts
 * import { constant, retry } from 'firebreak';
 * const policy = retry({ maxAttempts: 4, backoff: constant(200) });
 * ```
 */
export function constant(ms: number): Backoff {
  const delay = clampDelay(new OptionReader('constant', { ms }, ['ms']).duration('ms', 0));
  return () => delay;
}
