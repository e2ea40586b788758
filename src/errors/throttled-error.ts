import { FirebreakError, nameErrorClass, withoutConstructor } from './firebreak-error.js';

/**
 * The rejection of a call that an adaptive throttle turned away locally, because the dependency
 * has been accepting too small a share of the calls sent to it. It is a fast-fail: cheap to
 * create (no stack trace), not retried by default and never recorded as a failure by a breaker.
 *
 * @example
 * ```ts
 * import { ThrottledError, adaptiveThrottle } from 'firebreak';
 * const throttle = adaptiveThrottle({ window: 10_000 });
 * await throttle.execute(() => fetch('http://127.0.0.1:8080/search')).catch((error) => {
 *   if (error instanceof ThrottledError) console.log(error.code, error.probability); // ERR_THROTTLED 0.6, say
 * });
 * ```
 */
export class ThrottledError extends FirebreakError {
  static override readonly code = 'ERR_THROTTLED';
  declare readonly code: 'ERR_THROTTLED';

  constructor(
    /** The name of the throttle. */
    readonly policy: string,
    /** The probability with which the throttle was rejecting calls when it turned this one away. */
    readonly probability: number,
  ) {
    super('ERR_THROTTLED', undefined, { captureStack: false });
  }
}

nameErrorClass(ThrottledError, 'ThrottledError');
Object.defineProperty(ThrottledError.prototype, 'message', {
  get(this: ThrottledError): string {
    return `${this.policy}: throttled (rejecting ${Math.round(this.probability * 100)} % of calls)`;
  },
  configurable: true,
});

/** A {@link ThrottledError} made the cheap way, as a throttle makes one for every rejection. */
export function throttledError(policy: string, probability: number): ThrottledError {
  const error = withoutConstructor(ThrottledError);
  error.code = 'ERR_THROTTLED';
  error.policy = policy;
  error.probability = probability;
  return error;
}
