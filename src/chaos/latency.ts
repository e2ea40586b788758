import type { Clock } from '../clock.js';
import type { Context } from '../context.js';
import { InvalidOptionError } from '../errors/invalid-option-error.js';
import { OptionReader } from '../options.js';
import { callSafely, type CallContext, type Operation } from '../policy.js';
import { CHAOS_OPTION_KEYS, readChaosOptions, type ChaosOptions, type ChaosSettings } from './chaos-options.js';
import { ChaosPolicyBase, type ChaosPolicy } from './chaos-policy.js';
import { sleepInScope } from './sleep.js';

/**
 * Options of `chaos.latency`.
 *
 * @example
 * ```ts
 * import { chaos, type LatencyOptions } from 'firebreak';
 * const options: LatencyOptions = { rate: 0.1, delay: () => 200 + Math.random() * 800 };
 * const policy = chaos.latency(options);
 * ```
 */
export interface LatencyOptions extends ChaosOptions {
  /**
   * Milliseconds to wait before the call: a number, or a function of the call's context that
   * returns one (a distribution of delays).
   */
  readonly delay: number | ((ctx: CallContext) => number);
  /** Source of time and timers. @default systemClock */
  readonly clock?: Clock;
}

class Latency extends ChaosPolicyBase {
  constructor(
    settings: ChaosSettings,
    readonly delayFor: (ctx: CallContext) => number,
    readonly clock: Clock,
  ) {
    super(settings);
  }

  protected inject<T>(ctx: Context, fn: Operation<T>): Promise<T> {
    let delay: number;
    try {
      delay = this.delayFor(ctx);
    } catch (error) {
      return Promise.reject(error);
    }
    if (!isDelay(delay)) {
      return Promise.reject(new InvalidOptionError('chaos.latency', 'delay', 'a function returning a number of milliseconds >= 0', delay));
    }
    this.report(() => ({ kind: 'latency', delay }));
    return sleepInScope(this.clock, delay, ctx).then(() => callSafely(fn, ctx));
  }
}

function isDelay(value: unknown): value is number {
  return typeof value === 'number' && value >= 0 && Number.isFinite(value);
}

/**
 * Delays a share of calls before running them: a latency injection for chaos drills (do the
 * timeouts fire, does the bulkhead fill, does the slow-call rate open the breaker?). The wait
 * ends at once when the call's signal aborts (a timeout around it, or the caller), rejecting with
 * the abort reason; the function is then not called.
 *
 * @param options - {@link LatencyOptions}.
 * @throws InvalidOptionError for a rate outside [0, 1], a negative, infinite or missing `delay`,
 * or an unknown option. A `delay` function that returns such a value rejects that call with it.
 * @example
 * ```ts
 * import { chaos, pipeline, timeout } from 'firebreak';
 * const slow = chaos.latency({ rate: 0.2, delay: 1_500 });
 * const guarded = pipeline(timeout(1_000), slow);
 * await guarded.execute((ctx) => fetch('http://127.0.0.1:8080/', { signal: ctx.signal })).catch((error) => console.log(error));
 * ```
 */
export function latency(options: LatencyOptions): ChaosPolicy {
  const read = new OptionReader('chaos.latency', options, [...CHAOS_OPTION_KEYS, 'delay', 'clock']);
  const settings = readChaosOptions(read, 'chaos-latency');
  const clock = read.clock();
  const delay = read.raw('delay');
  if (typeof delay === 'function') return new Latency(settings, delay as (ctx: CallContext) => number, clock);
  if (isDelay(delay)) return new Latency(settings, () => delay, clock);
  return read.fail('delay', 'a finite number of milliseconds >= 0, or a function that returns one');
}
