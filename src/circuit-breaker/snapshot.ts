import { MAX_TIMER_DELAY, type Clock } from '../clock.js';
import type { OptionReader } from '../options.js';
import { openForAt, type BreakerMachine, type CircuitState, type MachineRules } from './state-machine.js';

/**
 * A circuit breaker's state as plain JSON, from `toJSON()`: pass it as `initialState` to a new
 * breaker, in this process or another one, to carry the state over. The open time is a wall-clock
 * instant, so the time left open survives the move (the clocks of both processes agreeing). The
 * time left is capped at the length of the open period the snapshot was taken in (`openFor`), so
 * a wall clock that moved back between the two never keeps a restored circuit open longer than
 * that. The window is not carried: a restored breaker starts with an empty one.
 *
 * @example
 * ```ts
 * import { circuitBreaker, type CircuitBreakerSnapshot } from 'firebreak';
 * const saved: CircuitBreakerSnapshot = JSON.parse(JSON.stringify(circuitBreaker())) as CircuitBreakerSnapshot;
 * const restored = circuitBreaker({ initialState: saved });
 * ```
 */
export interface CircuitBreakerSnapshot {
  /** The state. A restored `'isolated'` state has no handle: `reset()`, or the release of a new isolation, ends it. */
  readonly state: CircuitState;
  /** Opens since the last close: an `openFor` backoff goes on from there. */
  readonly opens: number;
  /** Wall-clock time (ms since the Unix epoch) at which the circuit turns half-open; only when open. */
  readonly openUntil?: number;
  /**
   * How long the open period lasts in all, in ms; only when open. A restored breaker stays open
   * no longer than this (without it, no longer than its own `openFor` gives for `opens`).
   */
  readonly openFor?: number;
}

/** The snapshot of `machine` (already refreshed to the present). */
export function takeSnapshot(machine: BreakerMachine, clock: Clock): CircuitBreakerSnapshot {
  const { state, opens } = machine;
  if (state !== 'open') return { state, opens };
  return { state, opens, openUntil: clock.wallNow() + (machine.openUntil - clock.now()), openFor: machine.openDuration };
}

/** A checked snapshot, with the open time turned into this process's clock time. */
export interface RestoredState {
  readonly state: CircuitState;
  readonly opens: number;
  readonly openUntil: number;
  /** The length of the open period, in ms (0 unless open). */
  readonly openFor: number;
}

/**
 * Reads and checks the `initialState` option (a {@link CircuitBreakerSnapshot}); `openFor` is the
 * restoring breaker's own rule, the cap for a snapshot that does not say how long it was open for.
 */
export function readSnapshot(read: OptionReader, clock: Clock, openFor: MachineRules['openFor']): RestoredState | undefined {
  if (!read.has('initialState')) return undefined;
  const snapshot = read.nested('initialState', ['state', 'opens', 'openUntil', 'openFor']);
  if (!snapshot.has('state')) snapshot.fail('state', "one of 'closed', 'open', 'half-open', 'isolated'");
  const state = snapshot.oneOf<CircuitState>('state', 'closed', ['closed', 'open', 'half-open', 'isolated']);
  const opens = snapshot.integer('opens', 0, 0);
  if (state !== 'open') return { state, opens, openUntil: 0, openFor: 0 };
  if (!snapshot.has('openUntil')) snapshot.fail('openUntil', 'a wall-clock time in ms (the circuit is open)');
  const wallUntil = snapshot.number('openUntil', 0, 0);
  const period = snapshot.has('openFor') ? snapshot.duration('openFor', 0) : openForAt({ openFor }, Math.max(opens, 1));
  const left = Math.min(Math.max(wallUntil - clock.wallNow(), 0), period, MAX_TIMER_DELAY);
  return { state, opens, openUntil: clock.now() + left, openFor: period };
}
