import { FirebreakError } from './firebreak-error.js';

/** The codes of the fast-fail errors. */
const FAST_FAIL_CODES = new Set(['ERR_CIRCUIT_OPEN', 'ERR_BULKHEAD_REJECTED', 'ERR_RATE_LIMITED', 'ERR_THROTTLED', 'ERR_HEDGE_LOST']);

/**
 * Whether `error` is one of firebreak's own fast-fail rejections: a `CircuitOpenError`, a
 * `BulkheadRejectedError` (any reason), a `RateLimitedError`, a `ThrottledError`, or the
 * `HedgeLostError` a lost hedged attempt is aborted with. Such an error says nothing new about
 * the dependency, so it is not retried by default and never recorded as a failure by a circuit breaker.
 * It matches by error code, so errors from another copy of the package are recognised too.
 *
 * @example
 * ```ts
 * import { BulkheadRejectedError, isFastFail } from 'firebreak';
 * isFastFail(new BulkheadRejectedError('auth', 'full')); // true
 * ```
 */
export function isFastFail(error: unknown): boolean {
  if (!(error instanceof FirebreakError)) return false;
  return FAST_FAIL_CODES.has(error.code);
}
