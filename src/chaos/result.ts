import type { Context } from '../context.js';
import { OptionReader } from '../options.js';
import { callSafely, type CallContext } from '../policy.js';
import { CHAOS_OPTION_KEYS, readChaosOptions, type ChaosOptions, type ChaosSettings } from './chaos-options.js';
import { ChaosPolicyBase, type ChaosPolicy } from './chaos-policy.js';

/**
 * Options of `chaos.result`.
 *
 * @example
 * ```ts
 * import { chaos, type ResultOptions } from 'firebreak';
 * const options: ResultOptions<Response> = { rate: 0.05, value: () => new Response('injected', { status: 503 }) };
 * const policy = chaos.result(options);
 * ```
 */
export interface ResultOptions<R> extends ChaosOptions {
  /**
   * What the call returns instead of calling the function: a value, or a function of the call's
   * context that makes it (a fresh `Response` per call, say). To inject a function as the value,
   * wrap it: `value: () => myFunction`.
   */
  readonly value: R | ((ctx: CallContext) => R | PromiseLike<R>);
}

class Result<R> extends ChaosPolicyBase {
  constructor(
    settings: ChaosSettings,
    readonly makeValue: (ctx: CallContext) => R | PromiseLike<R>,
  ) {
    super(settings);
  }

  protected inject<T>(ctx: Context): Promise<T> {
    return callSafely(this.makeValue, ctx).then((value) => {
      this.report(() => ({ kind: 'result', value }));
      return value as unknown as T;
    });
  }
}

/**
 * Answers a share of calls with a value of your choosing, without calling the function: an
 * HTTP 503, an empty list, a stale record. Use it to drill how the policies around it judge
 * results (`shouldHandle`), and what users see.
 *
 * @param options - {@link ResultOptions}.
 * @throws InvalidOptionError for a rate outside [0, 1] or an unknown option.
 * @example
 * ```ts
 * import { chaos } from 'firebreak';
 * const unavailable = chaos.result({ rate: 0.1, value: () => new Response('injected', { status: 503 }) });
 * const response = await unavailable.execute((ctx) => fetch('http://127.0.0.1:8080/', { signal: ctx.signal }));
 * console.log(response.status);
 * ```
 */
export function result<R>(options: ResultOptions<R>): ChaosPolicy<R> {
  const read = new OptionReader('chaos.result', options, [...CHAOS_OPTION_KEYS, 'value']);
  const settings = readChaosOptions(read, 'chaos-result');
  if (!read.has('value')) read.fail('value', 'given: the value to inject, or a function of the context making it (`() => undefined` injects undefined)');
  const value = read.raw('value');
  const makeValue = typeof value === 'function' ? (value as (ctx: CallContext) => R | PromiseLike<R>) : () => value as R;
  return new Result(settings, makeValue);
}
