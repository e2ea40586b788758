import type { Context } from '../context.js';
import { OptionReader } from '../options.js';
import type { CallContext } from '../policy.js';
import { CHAOS_OPTION_KEYS, readChaosOptions, type ChaosOptions, type ChaosSettings } from './chaos-options.js';
import { ChaosPolicyBase, type ChaosPolicy } from './chaos-policy.js';

/**
 * Options of `chaos.fault`.
 *
 * @example
 * ```ts
 * import { chaos, type FaultOptions } from 'firebreak';
 * const options: FaultOptions = { rate: 0.02, error: () => new Error('injected: connection reset') };
 * const policy = chaos.fault(options);
 * ```
 */
export interface FaultOptions extends ChaosOptions {
  /**
   * What the call rejects with: a value (usually an `Error`), or a function of the call's context
   * that makes it (a fresh error, with its own stack, on every injection). A class is a function
   * too: wrap it, as in `() => new MyError()`.
   */
  readonly error: unknown;
}

class Fault extends ChaosPolicyBase {
  constructor(
    settings: ChaosSettings,
    readonly makeError: (ctx: CallContext) => unknown,
  ) {
    super(settings);
  }

  protected inject<T>(ctx: Context): Promise<T> {
    let error: unknown;
    try {
      error = this.makeError(ctx);
    } catch (thrown) {
      error = thrown;
    }
    this.report(() => ({ kind: 'fault', error }));
    return Promise.reject(error);
  }
}

/**
 * Makes a share of calls fail without calling the function: a fault injection for chaos drills
 * and for testing how the policies around it react (does the breaker open, does the fallback
 * serve?). Put it innermost, where the real call would fail.
 *
 * @param options - {@link FaultOptions}.
 * @throws InvalidOptionError for a rate outside [0, 1], a missing `error` or an unknown option.
 * @example
 * ```ts
 * import { chaos, firebreak, pipeline } from 'firebreak';
 * const drill = chaos.fault({ rate: 0.5, error: () => new Error('injected'), enabled: () => process.env.DRILL === '1' });
 * const auth = pipeline(firebreak('auth', { attemptTimeout: 300 }), drill);
 * await auth.execute((ctx) => fetch('http://127.0.0.1:8080/validate', { signal: ctx.signal }));
 * ```
 */
export function fault(options: FaultOptions): ChaosPolicy {
  const read = new OptionReader('chaos.fault', options, [...CHAOS_OPTION_KEYS, 'error']);
  const settings = readChaosOptions(read, 'chaos-fault');
  if (!read.has('error')) read.fail('error', 'an error to inject, or a function that makes one');
  const error = read.raw('error');
  return new Fault(settings, typeof error === 'function' ? (error as (ctx: CallContext) => unknown) : () => error);
}
