import { FirebreakError, nameErrorClass, withoutConstructor } from './firebreak-error.js';

/**
 * Why a bulkhead turned a call away: `'full'` when every slot and every queue place was taken
 * on arrival, `'queue-timeout'` when the call waited in the queue longer than `queueTimeout`,
 * `'shed'` when an adaptive bulkhead turned it away for its priority (calls that matter more
 * took its place, or the event loop was overloaded).
 *
 * @example
 * ```ts
 * import type { BulkheadRejectionReason } from 'firebreak';
 * const reason: BulkheadRejectionReason = 'queue-timeout';
 * ```
 */
export type BulkheadRejectionReason = 'full' | 'queue-timeout' | 'shed';

/**
 * The rejection of a call that a bulkhead did not let through. It is a fast-fail: cheap to
 * create (no stack trace), not retried by default and never recorded as a failure by a breaker.
 *
 * @example
 * ```ts
 * import { BulkheadRejectedError, bulkhead } from 'firebreak';
 * const pool = bulkhead({ concurrency: 1 });
 * const first = pool.execute(() => new Promise((resolve) => setTimeout(resolve, 100)));
 * await pool.execute(() => 'second').catch((error) => {
 *   if (error instanceof BulkheadRejectedError) console.log(error.code, error.reason); // ERR_BULKHEAD_REJECTED full
 * });
 * await first;
 * ```
 */
export class BulkheadRejectedError extends FirebreakError {
  static override readonly code = 'ERR_BULKHEAD_REJECTED';
  declare readonly code: 'ERR_BULKHEAD_REJECTED';

  constructor(
    /** The name of the bulkhead. */
    readonly policy: string,
    /** Why the call was turned away. */
    readonly reason: BulkheadRejectionReason,
  ) {
    super('ERR_BULKHEAD_REJECTED', undefined, { captureStack: false });
  }
}

const MESSAGES: Record<BulkheadRejectionReason, (policy: string) => string> = {
  full: (policy) => `${policy}: bulkhead full`,
  'queue-timeout': (policy) => `${policy}: waited too long in the bulkhead queue`,
  shed: (policy) => `${policy}: shed by priority`,
};

nameErrorClass(BulkheadRejectedError, 'BulkheadRejectedError');
Object.defineProperty(BulkheadRejectedError.prototype, 'message', {
  get(this: BulkheadRejectedError): string {
    return MESSAGES[this.reason](this.policy);
  },
  configurable: true,
});

/** A {@link BulkheadRejectedError} made the cheap way, as a bulkhead makes one for every rejection. */
export function bulkheadRejectedError(policy: string, reason: BulkheadRejectionReason): BulkheadRejectedError {
  const error = withoutConstructor(BulkheadRejectedError);
  error.code = 'ERR_BULKHEAD_REJECTED';
  error.policy = policy;
  error.reason = reason;
  return error;
}
