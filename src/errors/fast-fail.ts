import { FirebreakError } from './firebreak-error.js';

/**
 * Whether `error` is one of firebreak's own fast-fail rejections: a `CircuitOpenError` or a
 * `BulkheadRejectedError` (any reason). Such a rejection says nothing new about the dependency,
 * so it is not retried by default and never recorded as a failure by a circuit breaker.
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
  return error.code === 'ERR_CIRCUIT_OPEN' || error.code === 'ERR_BULKHEAD_REJECTED';
}
