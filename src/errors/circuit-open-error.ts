import { FirebreakError, nameErrorClass, withoutConstructor } from './firebreak-error.js';

/**
 * The state a circuit breaker was in when it turned a call away.
 *
 * @example
 * ```ts
 * import type { CircuitRejectionState } from 'firebreak';
 * const state: CircuitRejectionState = 'half-open';
 * ```
 */
export type CircuitRejectionState = 'open' | 'half-open' | 'isolated';

/**
 * The rejection of a call that a circuit breaker did not let through: the circuit is open, its
 * half-open probes are all taken, or it is isolated. It is a fast-fail: cheap to create (no stack
 * trace), not retried by default and never recorded as a failure by a breaker.
 *
 * @example
 * ```ts
 * import { CircuitOpenError, circuitBreaker } from 'firebreak';
 * const breaker = circuitBreaker({ window: { type: 'consecutive', failures: 1 } });
 * await breaker.execute(() => Promise.reject(new Error('down'))).catch(() => {});
 * await breaker.execute(() => 'not called').catch((error) => {
 *   if (error instanceof CircuitOpenError) console.log(error.code, error.retryAfter); // ERR_CIRCUIT_OPEN 10000
 * });
 * ```
 */
export class CircuitOpenError extends FirebreakError {
  static override readonly code = 'ERR_CIRCUIT_OPEN';
  declare readonly code: 'ERR_CIRCUIT_OPEN';

  constructor(
    /** The name of the circuit breaker. */
    readonly policy: string,
    /**
     * Milliseconds until the breaker lets a probe through, in whole milliseconds rounded up (so
     * that waiting it out never comes back early): the open time left; `0` in half-open (the
     * probes in flight decide the state at any moment); `Infinity` while isolated.
     */
    readonly retryAfter: number,
    /** The state that turned the call away. */
    readonly state: CircuitRejectionState = 'open',
  ) {
    super('ERR_CIRCUIT_OPEN', undefined, { captureStack: false });
    this.retryAfter = Math.ceil(retryAfter);
  }
}

nameErrorClass(CircuitOpenError, 'CircuitOpenError');
Object.defineProperty(CircuitOpenError.prototype, 'message', {
  get(this: CircuitOpenError): string {
    return rejectionMessage(this.policy, this.retryAfter, this.state);
  },
  configurable: true,
});

function rejectionMessage(policy: string, retryAfter: number, state: CircuitRejectionState): string {
  if (state === 'isolated') return `${policy}: circuit isolated`;
  if (state === 'half-open') return `${policy}: circuit half-open, every probe is taken`;
  return `${policy}: circuit open, retry after ${retryAfter} ms`;
}

/** A {@link CircuitOpenError} made the cheap way, as a breaker makes one for every rejection. */
export function circuitOpenError(policy: string, retryAfter: number, state: CircuitRejectionState): CircuitOpenError {
  const error = withoutConstructor(CircuitOpenError);
  error.code = 'ERR_CIRCUIT_OPEN';
  error.policy = policy;
  error.retryAfter = Math.ceil(retryAfter);
  error.state = state;
  return error;
}
