import type { CircuitFailureEvent, CircuitRejectedEvent, CircuitStateChangeEvent, CircuitSuccessEvent } from '../circuit-breaker/events.js';
import type { CircuitState } from '../circuit-breaker/state-machine.js';
import { EventList, type Subscribe } from '../events.js';
import type { TimeoutEvent } from '../timeout/timeout.js';
import type { OpossumBreaker, OpossumInternals } from './opossum-breaker.js';
import { trackOpenings, type Opening } from './openings.js';

/**
 * The state `breaker` is in now, in firebreak's words. A breaker that was shut down rejects every
 * call for good: it reads as `'isolated'`.
 */
export function stateOf(breaker: OpossumBreaker): CircuitState {
  if (breaker.isShutdown) return 'isolated';
  if (breaker.opened) return 'open';
  if (breaker.halfOpen) return 'half-open';
  return 'closed';
}

/**
 * Milliseconds until `breaker` lets a call through: the open time left (all of `resetTimeout`
 * when the opening was not seen), `0` in half-open, `Infinity` once shut down.
 */
export function retryAfterOf(breaker: OpossumBreaker & OpossumInternals, opening: Opening): number {
  const state = stateOf(breaker);
  if (state === 'isolated') return Infinity;
  if (state !== 'open') return 0;
  const resetTimeout = breaker.options.resetTimeout ?? OPOSSUM_RESET_TIMEOUT;
  if (opening.at === undefined) return resetTimeout;
  return Math.max(0, opening.at + resetTimeout - performance.now());
}

/** opossum's default `resetTimeout`. */
const OPOSSUM_RESET_TIMEOUT = 30_000;

type Listener = (...args: unknown[]) => void;

/**
 * opossum's events, relayed in the shapes of firebreak's circuit breaker and timeout (opossum has
 * no slow-call rule: `slow` is always false). The breaker's emitter is listened to only while
 * someone subscribes here, so an adapter nobody observes leaves no listener on the breaker.
 */
export class BreakerEvents {
  readonly stateChanges = new EventList<CircuitStateChangeEvent>();
  readonly rejections = new EventList<CircuitRejectedEvent>();
  readonly successes = new EventList<CircuitSuccessEvent>();
  readonly failures = new EventList<CircuitFailureEvent>();
  readonly timeouts = new EventList<TimeoutEvent>();

  /** When the breaker last opened. */
  readonly opening: Opening;

  #subscribers = 0;
  #state: CircuitState = 'closed';
  readonly #listeners: readonly (readonly [string, Listener])[];

  constructor(
    readonly breaker: OpossumBreaker & OpossumInternals,
    /** Tells a result that stands for a caller's abort, which is reported neither way. */
    readonly isCallerAbort: (result: unknown) => boolean,
  ) {
    this.opening = trackOpenings(breaker);
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
    const state = stateOf(this.breaker) as CircuitRejectedEvent['state'];
    this.rejections.emit({ state, retryAfter: retryAfterOf(this.breaker, this.opening) });
  }

  #attach(): void {
    this.#state = stateOf(this.breaker);
    for (const [event, listener] of this.#listeners) this.breaker.on(event, listener);
  }

  #detach(): void {
    for (const [event, listener] of this.#listeners) this.breaker.removeListener(event, listener);
  }

  #succeeded(value: unknown, latency: number): void {
    if (this.successes.active && !this.isCallerAbort(value)) this.successes.emit({ duration: latency, slow: false });
  }

  #failed(error: unknown, latency: number): void {
    if (this.failures.active) this.failures.emit({ duration: latency, slow: false, outcome: { ok: false, error } });
  }

  #timedOut(): void {
    if (!this.timeouts.active) return;
    const timeout = this.breaker.options.timeout;
    this.timeouts.emit({ duration: typeof timeout === 'number' ? timeout : 0 });
  }

  #moveTo(to: CircuitState): void {
    const from = this.#state;
    this.#state = to;
    if (from !== to && this.stateChanges.active) this.stateChanges.emit({ from, to });
  }
}
