/**
 * The part of a limit update every algorithm shares: the RTT baseline, the rules that keep the
 * limit honest whatever the algorithm proposes, and the bounds. The algorithms themselves
 * (gradient2.ts, vegas.ts, aimd.ts) only propose a new limit from one window.
 */

/** The name of a limit algorithm of {@link adaptiveBulkhead}. */
export type LimitAlgorithmName = 'gradient2' | 'vegas' | 'aimd';

/** One closed sample window: what the calls of the last window said about the dependency. */
export interface LimitWindow {
  /** Mean round-trip time (ms) of the window's calls that were not drops; `NaN` when all dropped. */
  readonly rtt: number;
  /** The most calls in flight at once during the window. */
  readonly inflight: number;
  /** Whether a call of the window was a drop (`shouldHandle`), or the event loop was overloaded. */
  readonly dropped: boolean;
}

/** What an algorithm sees of the state and of one window. */
export interface AlgorithmInput {
  /** The limit now (a real number; admission uses its integer part). */
  readonly limit: number;
  /** The window's mean RTT; `NaN` when every call dropped. */
  readonly rtt: number;
  /** The baseline: the lowest window RTT measured. */
  readonly minRtt: number;
  readonly dropped: boolean;
  /** RTT up to `tolerance × minRtt` is normal variance. */
  readonly tolerance: number;
}

/** An algorithm: proposes the next limit from one window. A pure function. */
export type LimitAlgorithm = (input: AlgorithmInput) => number;

/** The limit and the baseline between two windows. */
export interface LimitState {
  /** The limit, a real number in [min, max]. */
  readonly limit: number;
  /** The lowest window RTT measured (ms); `Infinity` before the first. */
  readonly minRtt: number;
  /** The last window's RTT (ms); `NaN` before the first. */
  readonly sampleRtt: number;
  /** Consecutive windows that ended with the limit at `min`. */
  readonly windowsAtMin: number;
}

/** The bounds and the tolerance of one adaptive bulkhead. */
export interface LimitSettings {
  readonly initial: number;
  readonly min: number;
  readonly max: number;
  readonly tolerance: number;
}

/**
 * After this many consecutive windows at `min`, the next window's RTT becomes the baseline (and
 * that window leaves the limit as it is): a dependency that became slower for good is
 * re-measured, at the lowest concurrency so that the measure carries no queueing, instead of
 * being held at `min` forever.
 */
export const REMEASURE_AFTER_WINDOWS = 5;

/** The state of a new adaptive bulkhead. */
export function initialLimitState(settings: LimitSettings): LimitState {
  return { limit: settings.initial, minRtt: Infinity, sampleRtt: NaN, windowsAtMin: 0 };
}

/**
 * The next state after `window`. Whatever the algorithm proposes (the baseline is the lowest
 * window RTT, re-measured after {@link REMEASURE_AFTER_WINDOWS} windows at `min`):
 * - a window that dropped, or whose RTT is past `tolerance × minRtt`, never raises the limit;
 * - a window within the tolerance and without drops never lowers it (so a success at `max` keeps
 *   the limit at `max`, where Netflix's AIMD halved it), and below `initial` at least doubles it
 *   (up to `initial`): a recovered dependency gets its initial limit back in a few windows;
 * - a window that used less than half the limit (the caller sent too little to tell) raises the
 *   limit at most back to `initial`, never beyond: the limit grows past its start only when
 *   traffic has proven it, and returns to it after a recovery whatever the traffic;
 * - the result stays in [min, max].
 */
export function nextLimitState(state: LimitState, window: LimitWindow, settings: LimitSettings, algorithm: LimitAlgorithm): LimitState {
  const measured = !Number.isNaN(window.rtt);
  if (measured && state.windowsAtMin >= REMEASURE_AFTER_WINDOWS) {
    // The window that re-measures the baseline holds the limit: it has nothing to compare with.
    return { limit: state.limit, minRtt: window.rtt, sampleRtt: window.rtt, windowsAtMin: 0 };
  }
  const minRtt = measured ? Math.min(state.minRtt, window.rtt) : state.minRtt;
  const { limit } = state;
  const proposed = algorithm({ limit, rtt: window.rtt, minRtt, dropped: window.dropped, tolerance: settings.tolerance });
  const congested = window.dropped || (measured && window.rtt > settings.tolerance * minRtt);
  let next = Number.isFinite(proposed) ? proposed : limit;
  if (congested) next = Math.min(next, limit);
  else {
    next = Math.max(next, limit, Math.min(settings.initial, 2 * limit));
    if (window.inflight * 2 < limit) next = Math.min(next, Math.max(limit, settings.initial));
  }
  next = Math.min(settings.max, Math.max(settings.min, next));
  const windowsAtMin = next <= settings.min ? state.windowsAtMin + 1 : 0;
  return { limit: next, minRtt, sampleRtt: measured ? window.rtt : state.sampleRtt, windowsAtMin };
}
