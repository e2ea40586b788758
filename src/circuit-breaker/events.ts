import type { CircuitRejectionState } from '../errors/circuit-open-error.js';
import type { Outcome } from '../policy.js';
import type { CircuitState } from './state-machine.js';

/**
 * Emitted on every change of state, before the event of the state entered.
 *
 * @example
 * ```ts
 * import { circuitBreaker, type CircuitStateChangeEvent } from 'firebreak';
 * circuitBreaker().onStateChange(({ from, to }: CircuitStateChangeEvent) => console.log(`${from} -> ${to}`));
 * ```
 */
export interface CircuitStateChangeEvent {
  readonly from: CircuitState;
  readonly to: CircuitState;
}

/**
 * Emitted when the circuit opens (from closed, or again from half-open).
 *
 * @example
 * ```ts
 * import { circuitBreaker, type CircuitOpenEvent } from 'firebreak';
 * circuitBreaker().onOpen(({ retryAfter, opens }: CircuitOpenEvent) => console.log(`open #${opens} for ${retryAfter} ms`));
 * ```
 */
export interface CircuitOpenEvent {
  /** Milliseconds the circuit stays open. */
  readonly retryAfter: number;
  /** Opens since the last close, this one included (1 for the first). */
  readonly opens: number;
}

/**
 * Emitted when an open circuit turns half-open: when its time is up and the breaker is next
 * used or read (no timer runs while it is open).
 *
 * @example
 * ```ts
 * import { circuitBreaker, type CircuitHalfOpenEvent } from 'firebreak';
 * circuitBreaker().onHalfOpen((_event: CircuitHalfOpenEvent) => console.log('probing'));
 * ```
 */
export type CircuitHalfOpenEvent = Readonly<Record<never, never>>;

/**
 * Emitted when the circuit closes: its probes succeeded, its last isolation was released, or it
 * was reset.
 *
 * @example
 * ```ts
 * import { circuitBreaker, type CircuitCloseEvent } from 'firebreak';
 * circuitBreaker().onClose((_event: CircuitCloseEvent) => console.log('recovered'));
 * ```
 */
export type CircuitCloseEvent = Readonly<Record<never, never>>;

/**
 * Emitted for each call the breaker turns away with a `CircuitOpenError`.
 *
 * @example
 * ```ts
 * import { circuitBreaker, type CircuitRejectedEvent } from 'firebreak';
 * circuitBreaker().onRejected(({ state, retryAfter }: CircuitRejectedEvent) => console.log(state, retryAfter));
 * ```
 */
export interface CircuitRejectedEvent {
  readonly state: CircuitRejectionState;
  /** Milliseconds until a call may pass, as in the error. */
  readonly retryAfter: number;
}

/**
 * Emitted for each call that ended without a failure (including outcomes `shouldHandle` does not
 * handle).
 *
 * @example
 * ```ts
 * import { circuitBreaker, type CircuitSuccessEvent } from 'firebreak';
 * circuitBreaker().onSuccess(({ duration, slow }: CircuitSuccessEvent) => console.log(duration, slow));
 * ```
 */
export interface CircuitSuccessEvent {
  /** Milliseconds the call took, on the breaker's clock. */
  readonly duration: number;
  /** Whether `duration >= slowCallDuration`. */
  readonly slow: boolean;
}

/**
 * Emitted for each call that ended in a failure.
 *
 * @example
 * ```ts
 * import { circuitBreaker, type CircuitFailureEvent } from 'firebreak';
 * circuitBreaker().onFailure(({ duration, outcome }: CircuitFailureEvent) => console.log(duration, outcome.ok));
 * ```
 */
export interface CircuitFailureEvent {
  /** Milliseconds the call took, on the breaker's clock. */
  readonly duration: number;
  /** Whether `duration >= slowCallDuration`. */
  readonly slow: boolean;
  /** The error, or the result that `shouldHandle` judged a failure. */
  readonly outcome: Outcome<unknown>;
}

/**
 * The calls in a circuit breaker's window and their rates (0 for an empty window). While the
 * circuit is open or half-open this is the window that opened it; a time window still ages.
 * A consecutive window holds the current run of failures.
 *
 * @example
 * ```ts
 * import { circuitBreaker, type CircuitStats } from 'firebreak';
 * const { calls, failureRate }: CircuitStats = circuitBreaker().stats;
 * ```
 */
export interface CircuitStats {
  readonly calls: number;
  readonly failures: number;
  readonly slowCalls: number;
  readonly failureRate: number;
  readonly slowCallRate: number;
}

/**
 * Undoes one `isolate()`. Releasing twice does nothing more.
 *
 * @example
 * ```ts
 * import { circuitBreaker, type CircuitIsolation } from 'firebreak';
 * const handle: CircuitIsolation = circuitBreaker().isolate();
 * handle.release();
 * ```
 */
export interface CircuitIsolation {
  release(): void;
}
