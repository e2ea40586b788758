import type { OpossumBreaker } from './opossum-breaker.js';

/** When a breaker last opened, on the monotonic clock (`performance.now()`). */
export interface Opening {
  at: number | undefined;
}

const openings = new WeakMap<OpossumBreaker, Opening>();

/**
 * Tracks when `breaker` opens: one 'open' listener per breaker, however many adapters wrap it.
 * opossum's own `toJSON().state.lastTimerAt` is set when the breaker is built, not when it
 * opens, and reading it computes all of the breaker's statistics. A breaker already open when
 * tracking starts has an unknown opening time (`at` undefined).
 */
export function trackOpenings(breaker: OpossumBreaker): Opening {
  let opening = openings.get(breaker);
  if (opening === undefined) {
    const tracked: Opening = { at: undefined };
    breaker.on('open', () => (tracked.at = performance.now()));
    openings.set(breaker, tracked);
    opening = tracked;
  }
  return opening;
}
