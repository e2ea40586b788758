import { MAX_TIMER_DELAY } from '../clock.js';
import { OptionReader } from '../options.js';
import { clampDelay, type Backoff } from './backoff.js';

/**
 * How an {@link exponential} backoff randomises its delays, so that callers that failed together
 * do not retry together. With `ceiling = min(max, initial × multiplier^(attempt − 1))`:
 * - `'none'`: `ceiling`.
 * - `'full'`: a random delay in `[0, ceiling)`.
 * - `'equal'`: a random delay in `[ceiling / 2, ceiling)`.
 * - `'decorrelated'`: a random delay between `initial` and `multiplier ×` the previous delay,
 *   capped at `max` (AWS' "decorrelated jitter").
 *
 * Use `'full'` (the default) unless you need a floor under each delay (`'equal'`) or exact
 * delays (`'none'`, for tests and single callers).
 *
 * @example
 * ```ts
 * import { exponential, type Jitter } from 'firebreak';
 * const jitter: Jitter = 'equal';
 * const backoff = exponential({ initial: 100, jitter });
 * ```
 */
export type Jitter = 'none' | 'full' | 'equal' | 'decorrelated';

/**
 * Options of {@link exponential}.
 *
 * @example
 * ```ts
 * import { exponential, type ExponentialOptions } from 'firebreak';
 * const options: ExponentialOptions = { initial: 50, max: 2_000, jitter: 'equal' };
 * const backoff = exponential(options);
 * ```
 */
export interface ExponentialOptions {
  /** The delay before the first retry (before jitter), in milliseconds. @default 100 (or `max` if lower) */
  readonly initial?: number;
  /** The longest delay, in milliseconds; `Infinity` leaves only the timer limit (2,147,483,647 ms). @default 10_000 */
  readonly max?: number;
  /** The growth factor from one retry to the next, at least 1. @default 2 (3 with `'decorrelated'`) */
  readonly multiplier?: number;
  /** How delays are randomised. @default 'full' */
  readonly jitter?: Jitter;
  /** The source of randomness, returning numbers in [0, 1): inject one for reproducible delays. @default Math.random */
  readonly random?: () => number;
}

/**
 * Delays that grow by `multiplier` on each retry up to `max`, randomised by `jitter`.
 *
 * The recommended backoff when many callers share a dependency: growth gives it room to recover,
 * jitter spreads the retries of callers that failed at the same moment. Delays are never NaN,
 * never above `max` and never above 2,147,483,647 ms, whatever the attempt number.
 *
 * @param options - {@link ExponentialOptions}.
 * @throws InvalidOptionError for a bad or unknown option, or `max` below `initial`.
 * @example
 * ```ts
 * import { exponential, retry } from 'firebreak';
 * const policy = retry({ maxAttempts: 5, backoff: exponential({ initial: 200, max: 5_000, jitter: 'decorrelated' }) });
 * ```
 */
export function exponential(options?: ExponentialOptions): Backoff {
  const read = new OptionReader('exponential', options, ['initial', 'max', 'multiplier', 'jitter', 'random']);
  const jitter = read.oneOf<Jitter>('jitter', 'full', ['none', 'full', 'equal', 'decorrelated']);
  const max = Math.min(read.duration('max', 10_000, { allowInfinity: true }), MAX_TIMER_DELAY);
  const initial = read.duration('initial', Math.min(100, max));
  if (max < Math.min(initial, MAX_TIMER_DELAY)) read.fail('max', `a number of milliseconds >= \`initial\` (${initial})`);
  const multiplier = read.number('multiplier', jitter === 'decorrelated' ? 3 : 2, 1);
  const random = read.optionalFunction<() => number>('random') ?? Math.random;
  const cap = Math.min(initial, max);

  if (jitter === 'decorrelated') {
    return (_attempt, _outcome, previous) => {
      const last = previous > cap ? Math.min(previous, max) : cap;
      const upper = Math.min(max, last * multiplier);
      return clampDelay(cap + random() * (upper - cap), max);
    };
  }
  const ceiling = (attempt: number): number => {
    if (cap === 0) return 0;
    const exponent = attempt >= 1 ? attempt - 1 : 0;
    return Math.min(max, cap * multiplier ** exponent);
  };
  if (jitter === 'none') return (attempt) => clampDelay(ceiling(attempt), max);
  if (jitter === 'full') return (attempt) => clampDelay(random() * ceiling(attempt), max);
  return (attempt) => {
    const half = ceiling(attempt) / 2;
    return clampDelay(half + random() * half, max);
  };
}
