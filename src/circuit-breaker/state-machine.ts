import type { Clock } from '../clock.js';
import type { RestoredState } from './snapshot.js';
import type { CallWindow } from './window.js';

/**
 * The state of a circuit breaker.
 * - `'closed'`: calls pass and are recorded in the window.
 * - `'open'`: calls are rejected until the open time is up.
 * - `'half-open'`: a few probe calls pass; their results close or re-open the circuit.
 * - `'isolated'`: opened by hand with `isolate()`; calls are rejected until released.
 *
 * @example
 * ```ts
 * import { circuitBreaker, type CircuitState } from 'firebreak';
 * const state: CircuitState = circuitBreaker().state; // 'closed'
 * ```
 */
export type CircuitState = 'closed' | 'open' | 'half-open' | 'isolated';

/** The answer of {@link BreakerMachine.admit}. */
export type Admission = typeof REJECTED | typeof ADMITTED | typeof PROBE;
/** The call is turned away. */
export const REJECTED = 0;
/** The call passes, closed. */
export const ADMITTED = 1;
/** The call passes as a half-open probe, holding one of the probe permits. */
export const PROBE = 2;

/** How a call ended, as the breaker records it. */
export type CallResult = typeof SUCCESS | typeof FAILURE | typeof IGNORED;
/** Not a failure: recorded as a success. */
export const SUCCESS = 0;
/** A failure. */
export const FAILURE = 1;
/** Neither (a caller's abort, a sibling's fast-fail): not recorded; a probe's permit is freed. */
export const IGNORED = 2;

/** What the machine needs to know beyond its window. */
export interface MachineRules {
  /** Probes let through in half-open; this many successes close the circuit. */
  readonly maxProbes: number;
  /** Slow probes re-open the circuit once slow probes / `maxProbes` reach this (Infinity: never). */
  readonly slowProbeRate: number;
  /**
   * Milliseconds to stay open: a number, or a function of the number of opens since the last
   * close (1 for the first). Read it with {@link openForAt}.
   */
  readonly openFor: number | ((opens: number) => number);
}

/** How long `rules` keep the circuit open after its `opens`-th open. */
export function openForAt(rules: Pick<MachineRules, 'openFor'>, opens: number): number {
  const openFor = rules.openFor;
  return typeof openFor === 'number' ? openFor : openFor(opens);
}

/** The key of the method a machine calls on every change of state. */
export const TRANSITIONED = Symbol('transitioned');

/**
 * Told of every change of state, after the machine has fully moved to the new state. An object
 * with a method rather than a function, so that the breaker itself can listen without a closure.
 */
export interface TransitionListener {
  [TRANSITIONED](from: CircuitState, to: CircuitState): void;
}

/**
 * The breaker's decisions as data: may this call pass, and what does its result do to the state.
 * No timers and no promises: time comes in as arguments, so that every decision can be tested
 * with plain numbers. Each state period has its own `generation`; a result carries the
 * generation its call started in, and a result from an earlier period changes nothing.
 */
export class BreakerMachine {
  #state: CircuitState = 'closed';
  /** Bumped on every change of state and on reset: results from older periods are set aside. */
  generation = 0;
  /** Opens since the last close. */
  opens = 0;
  /** Clock time at which an open circuit turns half-open. */
  openUntil = 0;
  /** How long the current (or last) open period lasts, in ms. */
  openDuration = 0;
  #probesRunning = 0;
  #probesSucceeded = 0;
  #probesSlow = 0;
  #isolations = 0;
  /** Bumped on reset, so that the isolation handles given out before it do nothing. */
  isolationEpoch = 0;
  /**
   * Asked when an open circuit's time is up (a fleet's probe lease): milliseconds to stay open
   * longer, or 0 to turn half-open now. Without it the circuit turns half-open at once.
   */
  probeGate: ((now: number) => number) | undefined;

  constructor(
    readonly window: CallWindow,
    readonly rules: MachineRules,
    readonly listener: TransitionListener,
    /** Read when a result recorded without its time (`now` NaN, in a window that files no call by time) opens the circuit. */
    readonly clock?: Clock,
  ) {}

  /** The state as last moved to; see {@link refresh}. */
  get state(): CircuitState {
    return this.#state;
  }

  /** Probes holding a permit in the current half-open period. */
  get probesRunning(): number {
    return this.#probesRunning;
  }

  /** Turns an open circuit whose time is up half-open. */
  refresh(now: number): void {
    if (this.#state === 'open' && now >= this.openUntil && this.#mayProbe(now)) this.#moveTo('half-open');
  }

  /** Whether a call starting at `now` may pass, taking a probe permit in half-open. */
  admit(now: number): Admission {
    switch (this.#state) {
      case 'closed':
        return ADMITTED;
      case 'open':
        if (now < this.openUntil || !this.#mayProbe(now)) return REJECTED;
        this.#moveTo('half-open');
        // A listener told of the move may have isolated or reset the breaker: decide again.
        return this.state === 'half-open' ? this.#takeProbe() : this.admit(now);
      case 'half-open':
        return this.#takeProbe();
      case 'isolated':
        return REJECTED;
    }
  }

  /** Milliseconds until a call may pass, for a rejection at `now`. */
  retryAfter(now: number): number {
    if (this.#state === 'open') return this.openUntil - now;
    if (this.#state === 'isolated') return Infinity;
    return 0;
  }

  /**
   * Records the result of a call that started in period `generation` and ended at `now`. `now` may
   * be NaN in a window that does not file calls by time (consecutive, count): the clock is then
   * read only if the result opens the circuit.
   */
  record(generation: number, result: CallResult, slow: boolean, now: number): void {
    if (generation !== this.generation) return;
    if (this.#state === 'closed') {
      if (result === IGNORED) return;
      if (this.window.record(result === FAILURE, slow, now)) this.#open(now);
    } else if (this.#state === 'half-open') {
      if (result === FAILURE) return this.#open(now);
      this.#probesRunning--;
      if (result === IGNORED) return;
      this.#probesSucceeded++;
      if (slow && ++this.#probesSlow / this.rules.maxProbes >= this.rules.slowProbeRate) return this.#open(now);
      if (this.#probesSucceeded >= this.rules.maxProbes) this.#close();
    }
  }

  /** Adds one isolation; returns the epoch its release must match. */
  isolate(): number {
    this.#isolations++;
    if (this.#state !== 'isolated') this.#moveTo('isolated');
    return this.isolationEpoch;
  }

  /** Ends one isolation of epoch `epoch`; the last one closes the circuit with an empty window. */
  release(epoch: number): void {
    if (epoch !== this.isolationEpoch || this.#isolations === 0) return;
    this.#isolations--;
    if (this.#isolations === 0 && this.#state === 'isolated') this.#close();
  }

  /** Back to closed with an empty window, no isolation and no open count. */
  reset(): void {
    this.#isolations = 0;
    this.isolationEpoch++;
    this.#close();
  }

  /** Starts in a restored snapshot's state (no transition is reported). */
  restore({ state, opens, openUntil, openFor }: RestoredState): void {
    this.#state = state;
    this.opens = opens;
    this.openUntil = openUntil;
    this.openDuration = openFor;
    this.generation++;
  }

  /** Opens the circuit for `ms` on a fleet's word (a quorum of replicas opened), unless isolated. */
  hold(now: number, ms: number): void {
    if (this.#state === 'isolated') return;
    if (this.#state === 'open') {
      this.openUntil = Math.max(this.openUntil, now + ms);
      return;
    }
    this.opens++;
    this.openDuration = ms;
    this.openUntil = now + ms;
    this.#moveTo('open');
  }

  /** Closes an open or half-open circuit with an empty window: a fleet's probe succeeded elsewhere. */
  closeRemotely(): void {
    if (this.#state === 'open' || this.#state === 'half-open') this.#close();
  }

  /** Whether an open circuit whose time is up may turn half-open now; if not, its open time grows. */
  #mayProbe(now: number): boolean {
    const wait = this.probeGate?.(now) ?? 0;
    if (wait <= 0) return true;
    this.openUntil = now + wait;
    return false;
  }

  #takeProbe(): Admission {
    if (this.#probesRunning + this.#probesSucceeded >= this.rules.maxProbes) return REJECTED;
    this.#probesRunning++;
    return PROBE;
  }

  #open(now: number): void {
    if (Number.isNaN(now)) now = this.clock?.now() ?? now;
    this.opens++;
    this.openDuration = openForAt(this.rules, this.opens);
    this.openUntil = now + this.openDuration;
    this.#moveTo('open');
  }

  #close(): void {
    this.window.clear();
    this.opens = 0;
    this.#moveTo('closed');
  }

  #moveTo(to: CircuitState): void {
    const from = this.#state;
    this.#state = to;
    this.generation++;
    this.#probesRunning = 0;
    this.#probesSucceeded = 0;
    this.#probesSlow = 0;
    if (from !== to) this.listener[TRANSITIONED](from, to);
  }
}
