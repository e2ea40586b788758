import type { Clock } from './clock.js';

/*
 * One clock reading shared by the stages a call enters synchronously.
 *
 * A call through `firebreak()` enters its stages one inside the other before the function runs:
 * the total timeout, the retry budget, the attempt timeout (and `onCall`) each need the time
 * now, and on Node 20 a `performance.now()` costs about as much as a stage's own work. While a
 * policy's `execute` enters its stages, the first reading of a clock is kept and handed to the
 * readings that follow, until `execute` returns: all of them happen before the function runs,
 * within the same synchronous step, so they would read (almost) the same time anyway. A nested
 * `execute` (the function calling another policy synchronously) starts with a fresh reading, and
 * whatever runs later (a `then` callback, a timer, a queued call admitted) reads the clock itself.
 */

let depth = 0;
let cachedClock: Clock | undefined;
let cachedNow = 0;

/** Called by `execute` before it enters its stages; pair it with {@link endEntry}. */
export function beginEntry(): void {
  depth++;
  cachedClock = undefined;
}

/** Called by `execute` once its stages are entered (whether or not the call has settled). */
export function endEntry(): void {
  if (--depth === 0) cachedClock = undefined;
}

/** The time on `clock`: the reading already taken on it during this entry, if any. */
export function entryNow(clock: Clock): number {
  if (depth === 0) return clock.now();
  if (clock === cachedClock) return cachedNow;
  cachedNow = clock.now();
  cachedClock = clock;
  return cachedNow;
}
