import { EventList, type Subscribe } from '../events.js';
import type { Outcome } from '../policy.js';
import type { OpossumBreaker, OpossumInternals } from './opossum-breaker.js';

/**
 * The state of an opossum breaker in firebreak's words. A breaker that was shut down rejects
 * every call for good: it reads as `'isolated'`.
 *
 * @example
 * ```ts
 * import type { OpossumState } from 'firebreak/opossum';
 * const state: OpossumState = 'half-open';
 * ```
 */
export type OpossumState = 'closed' | 'open' | 'half-open' | 'isolated';

/** The state `breaker` is in now. */
export function stateOf(breaker: OpossumBreaker): OpossumState {
  if (breaker.isShutdown) return 'isolated';
  if (breaker.opened) return 'open';
  if (breaker.halfOpen) return 'half-open';
  return 'closed';
}

/**
 * Milliseconds until `breaker` lets a call through: the open time left, `0` in half-open,
 * `Infinity` once shut down. Read on the wall clock, as opossum stamps its openings.
 */
export function retryAfterOf(breaker: OpossumBreaker & OpossumInternals): number {
  const state = stateOf(breaker);
  if (state === 'isolated') return Infinity;
  if (state !== 'open') return 0;
  const openedAt = breaker.toJSON().state.lastTimerAt;
  const resetTimeout = breaker.options.resetTimeout;
  if (typeof openedAt !== 'number' || typeof resetTimeout !== 'number') return 0;
  return Math.max(0, openedAt + resetTimeout - Date.now());
}

/**
 * A change of state of an opossum breaker.
 *
 * @example
 * ```ts
 * import CircuitBreaker from 'opossum';
 * import { fromOpossum, type OpossumStateChangeEvent } from 'firebreak/opossum';
 * const auth = fromOpossum(new CircuitBreaker(async () => 'ok'));
 * auth.onStateChange((event: OpossumStateChangeEvent) => console.log(`${event.from} -> ${event.to}`));
 * ```
 */
export interface OpossumStateChangeEvent {
  readonly from: OpossumState;
  readonly to: OpossumState;
}

/**
 * A call an opossum breaker turned away without running it.
 *
 * @example
 * ```ts
 * import CircuitBreaker from 'opossum';
 * import { fromOpossum, type OpossumRejectedEvent } from 'firebreak/opossum';
 * const auth = fromOpossum(new CircuitBreaker(async () => 'ok'));
 * auth.onRejected((event: OpossumRejectedEvent) => console.log(event.state, event.retryAfter));
 * ```
 */
export interface OpossumRejectedEvent {
  readonly state: Exclude<OpossumState, 'closed'>;
  /** Milliseconds until the breaker lets a call through (`Infinity` once shut down). */
  readonly retryAfter: number;
}

/**
 * A call an opossum breaker ran, as it recorded it: a success, or a failure with its error.
 * opossum has no slow-call rule, so `slow` is always false.
 *
 * @example
 * ```ts
 * import CircuitBreaker from 'opossum';
 * import { fromOpossum, type OpossumCallEvent } from 'firebreak/opossum';
 * const auth = fromOpossum(new CircuitBreaker(async () => 'ok'));
 * auth.onFailure((event: OpossumCallEvent) => console.log(`failed after ${event.duration} ms`));
 * ```
 */
export interface OpossumCallEvent {
  /** Milliseconds the call took, as opossum measured it. */
  readonly duration: number;
  readonly slow: false;
  /** How the call ended: on a failure, the error opossum recorded. */
  readonly outcome: Outcome<unknown>;
}

/**
 * A call that ran past the opossum breaker's own `timeout`.
 *
 * @example
 * ```ts
 * import CircuitBreaker from 'opossum';
 * import { fromOpossum, type OpossumTimeoutEvent } from 'firebreak/opossum';
 * const auth = fromOpossum(new CircuitBreaker(async () => 'ok', { timeout: 500 }));
 * auth.onTimeout((event: OpossumTimeoutEvent) => console.log(`timed out after ${event.duration} ms`));
 * ```
 */
export interface OpossumTimeoutEvent {
  /** The breaker's `timeout`, in milliseconds. */
  readonly duration: number;
}

type Listener = (...args: unknown[]) => void;

/**
 * opossum's events, relayed in firebreak's shapes. The breaker's emitter is listened to only while
 * someone subscribes here, so an adapter nobody observes leaves no listener on the breaker.
 */
export class BreakerEvents {
  readonly stateChanges = new EventList<OpossumStateChangeEvent>();
  readonly rejections = new EventList<OpossumRejectedEvent>();
  readonly successes = new EventList<OpossumCallEvent>();
  readonly failures = new EventList<OpossumCallEvent>();
  readonly timeouts = new EventList<OpossumTimeoutEvent>();

  #subscribers = 0;
  #state: OpossumState = 'closed';
  readonly #listeners: readonly (readonly [string, Listener])[];

  constructor(
    readonly breaker: OpossumBreaker & OpossumInternals,
    /** Tells a result that stands for a caller's abort, which is reported neither way. */
    readonly isCallerAbort: (result: unknown) => boolean,
  ) {
    this.#listeners = [
      ['success', (result, latency) => this.#succeeded(result, latency as number)],
      ['failure', (error, latency) => this.#failed(error, latency as number)],
      ['reject', () => this.rejected()],
      ['timeout', () => this.#timedOut()],
      ['open', () => this.#moveTo('open')],
      ['halfOpen', () => this.#moveTo('half-open')],
      ['close', () => this.#moveTo('closed')],
      ['shutdown', () => this.#moveTo('isolated')],
    ];
  }

  /** The subscription function for `list`, which listens to the breaker while anyone subscribes. */
  subscribe<E>(list: EventList<E>): Subscribe<E> {
    return (listener) => {
      const unsubscribe = list.subscribe(listener);
      if (this.#subscribers++ === 0) this.#attach();
      let subscribed = true;
      return () => {
        if (!subscribed) return;
        subscribed = false;
        unsubscribe();
        if (--this.#subscribers === 0) this.#detach();
      };
    };
  }

  /** Reports a call turned away; also used by the adapter for a shut-down breaker's rejections. */
  rejected(): void {
    if (!this.rejections.active) return;
    const state = stateOf(this.breaker) as OpossumRejectedEvent['state'];
    this.rejections.emit({ state, retryAfter: retryAfterOf(this.breaker) });
  }

  #attach(): void {
    this.#state = stateOf(this.breaker);
    for (const [event, listener] of this.#listeners) this.breaker.on(event, listener);
  }

  #detach(): void {
    for (const [event, listener] of this.#listeners) this.breaker.removeListener(event, listener);
  }

  #succeeded(value: unknown, latency: number): void {
    if (this.successes.active && !this.isCallerAbort(value)) this.successes.emit({ duration: latency, slow: false, outcome: { ok: true, value } });
  }

  #failed(error: unknown, latency: number): void {
    if (this.failures.active) this.failures.emit({ duration: latency, slow: false, outcome: { ok: false, error } });
  }

  #timedOut(): void {
    if (!this.timeouts.active) return;
    const timeout = this.breaker.options.timeout;
    this.timeouts.emit({ duration: typeof timeout === 'number' ? timeout : 0 });
  }

  #moveTo(to: OpossumState): void {
    const from = this.#state;
    this.#state = to;
    if (from !== to && this.stateChanges.active) this.stateChanges.emit({ from, to });
  }
}
