import { FirebreakError, nameErrorClass, withoutConstructor } from './firebreak-error.js';

/**
 * The rejection of a call that a rate limiter did not let through: the limit is reached and the
 * call could not wait for its turn (longer than `maxWait`). It is a fast-fail: cheap to create
 * (no stack trace), not retried by default and never recorded as a failure by a breaker.
 *
 * @example
 * ```ts
 * import { RateLimitedError, rateLimiter } from 'firebreak';
 * const limiter = rateLimiter({ rate: 1, interval: 1_000 });
 * await limiter.execute(() => 'first');
 * await limiter.execute(() => 'second').catch((error) => {
 *   if (error instanceof RateLimitedError) console.log(error.code, error.retryAfter); // ERR_RATE_LIMITED ~1000
 * });
 * ```
 */
export class RateLimitedError extends FirebreakError {
  static override readonly code = 'ERR_RATE_LIMITED';
  declare readonly code: 'ERR_RATE_LIMITED';

  constructor(
    /** The name of the rate limiter. */
    readonly policy: string,
    /** Milliseconds until a call would be admitted without waiting: exact, not an estimate. */
    readonly retryAfter: number,
  ) {
    super('ERR_RATE_LIMITED', undefined, { captureStack: false });
  }
}

nameErrorClass(RateLimitedError, 'RateLimitedError');
Object.defineProperty(RateLimitedError.prototype, 'message', {
  get(this: RateLimitedError): string {
    return `${this.policy}: rate limit reached, retry after ${Math.ceil(this.retryAfter)} ms`;
  },
  configurable: true,
});

/** A {@link RateLimitedError} made the cheap way, as a rate limiter makes one for every rejection. */
export function rateLimitedError(policy: string, retryAfter: number): RateLimitedError {
  const error = withoutConstructor(RateLimitedError);
  error.code = 'ERR_RATE_LIMITED';
  error.policy = policy;
  error.retryAfter = retryAfter;
  return error;
}
