import { MAX_TIMER_DELAY } from '../clock.js';
import { OptionReader } from '../options.js';
import { LatencyEstimate } from './latency-estimate.js';

/**
 * When a hedge starts another attempt while the earlier ones are still running:
 * - a number of milliseconds after the last attempt started (`Infinity`: only after a failure);
 * - a function of the number of the attempt just started, returning milliseconds;
 * - `{ percentile }`: the given percentile of the latency of recent calls' first attempts
 *   (`{ percentile: 0.95 }` hedges the slowest 5 %), kept over the last `samples` calls; no hedge
 *   starts on a delay until `min(samples, 10 / (1 − percentile))` calls were measured.
 *
 * @example
 * ```ts
 * import { hedge, type HedgeDelay } from 'firebreak';
 * const afterP95: HedgeDelay = { percentile: 0.95 };
 * const growing: HedgeDelay = (attempt) => 50 * attempt;
 * const search = hedge({ maxAttempts: 3, delay: growing });
 * ```
 */
export type HedgeDelay = number | ((attempt: number) => number) | { readonly percentile: number; readonly samples?: number };

/** The delay of one hedge policy, ready to use: `after(attempt)` and the latency feed. */
export interface DelaySource {
  /** Milliseconds to wait, after attempt `attempt` started, before the next; `Infinity` for never. */
  after(attempt: number): number;
  /** The estimate a `{ percentile }` delay learns from; `undefined` for the other forms. */
  readonly estimate: LatencyEstimate | undefined;
}

/** Reads and checks the `delay` option of `hedge()`. */
export function readDelay(read: OptionReader): DelaySource {
  const value = read.raw('delay') ?? { percentile: 0.95 };
  if (typeof value === 'number') {
    const ms = read.duration('delay', 0, { allowInfinity: true });
    return { after: () => ms, estimate: undefined };
  }
  if (typeof value === 'function') {
    const fn = value as (attempt: number) => number;
    return { after: (attempt) => clampHedgeDelay(fn(attempt)), estimate: undefined };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) read.fail('delay', 'a number of milliseconds, a function of the attempt, or { percentile }');
  const options = new OptionReader(read.factory, value, ['percentile', 'samples'], `${read.prefix}delay.`);
  const percentile = options.raw('percentile');
  if (typeof percentile !== 'number' || !(percentile > 0 && percentile < 1)) return options.fail('percentile', 'a number in (0, 1)');
  const samples = options.integer('samples', 1_000, 10, 1_000_000);
  const estimate = new LatencyEstimate(percentile, samples, Math.min(samples, Math.ceil(10 / (1 - percentile))));
  return { after: () => estimate.value, estimate };
}

/** A delay a function returned, made safe for a timer: NaN and negatives are 0, `Infinity` stays. */
function clampHedgeDelay(ms: number): number {
  if (ms === Infinity) return Infinity;
  if (!(ms > 0)) return 0;
  return Math.min(ms, MAX_TIMER_DELAY);
}
