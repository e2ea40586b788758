import { ADMIT, HOLD, NOT_NOW, PASS_ERROR, PASS_VALUE, type AdmissionStage } from '../admission-stage.js';
import type { Clock, TimerHandle } from '../clock.js';
import type { Context } from '../context.js';
import { entryNow } from '../entry-clock.js';
import { circuitOpenError, type CircuitRejectionState } from '../errors/circuit-open-error.js';
import { isFastFail } from '../errors/fast-fail.js';
import { rejectSoon } from '../errors/reject-soon.js';
import { heard, tell, Topic } from '../diagnostics.js';
import { EventList, type Subscribe, type Unsubscribe } from '../events.js';
import { callSafely, INVOKE_OWN, PolicyBase, type ObservablePolicy, type Operation, type Outcome, type ShouldHandle } from '../policy.js';
import { handleAllErrors } from '../should-handle.js';
import type {
  CircuitCloseEvent,
  CircuitFailureEvent,
  CircuitHalfOpenEvent,
  CircuitIsolation,
  CircuitOpenEvent,
  CircuitRejectedEvent,
  CircuitStateChangeEvent,
  CircuitStats,
  CircuitSuccessEvent,
} from './events.js';
import { readBreakerOptions, type CircuitBreakerOptions } from './options.js';
import { takeSnapshot, type CircuitBreakerSnapshot } from './snapshot.js';
import { TimeWindow } from './time-window.js';
import { linkToFleet } from './fleet-link.js';
import { BreakerMachine, TRANSITIONED, FAILURE, IGNORED, PROBE, REJECTED, SUCCESS, type CircuitState } from './state-machine.js';
import { rate } from './window.js';

/**
 * A circuit breaker: see {@link circuitBreaker}.
 *
 * @example
 * ```ts
 * import { circuitBreaker, type CircuitBreakerPolicy } from 'firebreak';
 * const breaker: CircuitBreakerPolicy = circuitBreaker({ name: 'auth' });
 * console.log(breaker.state, breaker.stats.failureRate); // 'closed' 0
 * ```
 */
export interface CircuitBreakerPolicy extends ObservablePolicy {
  /** The state now. An open circuit whose time is up reads (and becomes) `'half-open'`; no timer is involved. */
  readonly state: CircuitState;
  /** The calls in the window and their rates. */
  readonly stats: CircuitStats;
  /**
   * Opens the circuit by hand until released: every call is rejected with a `CircuitOpenError`
   * whose `retryAfter` is `Infinity`. Isolations are counted: the circuit closes, with an empty
   * window, when the last handle is released.
   */
  isolate(): CircuitIsolation;
  /** Back to closed with an empty window, ending any isolation; results of calls started before are set aside. */
  reset(): void;
  /** The state as JSON, to restore with the `initialState` option, in this process or another. */
  toJSON(): CircuitBreakerSnapshot;
  readonly onStateChange: Subscribe<CircuitStateChangeEvent>;
  readonly onOpen: Subscribe<CircuitOpenEvent>;
  readonly onHalfOpen: Subscribe<CircuitHalfOpenEvent>;
  readonly onClose: Subscribe<CircuitCloseEvent>;
  readonly onRejected: Subscribe<CircuitRejectedEvent>;
  readonly onSuccess: Subscribe<CircuitSuccessEvent>;
  readonly onFailure: Subscribe<CircuitFailureEvent>;
}

const EMPTY = Object.freeze({});

/** The ticket of a call admitted by a closed breaker that times its calls: its period and start. */
class TimedTicket {
  constructor(
    readonly generation: number,
    readonly start: number,
  ) {}
}
const BREAKERS = new Topic('circuit-breaker');

/**
 * The event lists of a breaker's changes of state and rejections, in one object made with the
 * first listener of any of them: a breaker nobody listens to holds one field for the five.
 */
class TransitionEvents {
  stateChange: EventList<CircuitStateChangeEvent> | undefined;
  open: EventList<CircuitOpenEvent> | undefined;
  halfOpen: EventList<CircuitHalfOpenEvent> | undefined;
  close: EventList<CircuitCloseEvent> | undefined;
  rejected: EventList<CircuitRejectedEvent> | undefined;
}

class CircuitBreaker extends PolicyBase implements CircuitBreakerPolicy, AdmissionStage {
  /** The lists of the events of state and rejections, made with the first listener of any. */
  #transitions: TransitionEvents | undefined;
  #succeeded: EventList<CircuitSuccessEvent> | undefined;
  #failed: EventList<CircuitFailureEvent> | undefined;

  readonly #machine: BreakerMachine;
  readonly #clock: Clock;
  readonly #shouldHandle: ShouldHandle;
  readonly #slowCallDuration: number;
  readonly #probeTimeout: number;
  /**
   * Whether recording a success needs the time: only in a time window, which files it by time.
   * (In a count window a success can complete `minimumCalls` and open the circuit: the machine
   * reads the clock then.)
   */
  readonly #successNeedsTime: boolean;
  /** The probe timers of the current half-open period; made at the first probe. */
  #probeTimers: Set<TimerHandle> | undefined;
  /**
   * `generation + 1` when {@link #valueHandler} and {@link #errorHandler} are those of period
   * `generation`; `-1 - generation` after the first such call of that period; 0 before any (a
   * small integer, held in the object itself).
   */
  #handlersMark = 0;
  #valueHandler!: (value: unknown) => unknown;
  #errorHandler!: (error: unknown) => never;

  constructor(options: unknown) {
    const settings = readBreakerOptions(options);
    super(settings.name);
    this.#clock = settings.clock;
    this.#shouldHandle = settings.shouldHandle;
    this.#slowCallDuration = settings.slowCallDuration;
    this.#probeTimeout = settings.probeTimeout;
    this.#machine = new BreakerMachine(settings.window, settings.rules, this, settings.clock);
    this.#successNeedsTime = settings.window instanceof TimeWindow;
    const initial = settings.initialState;
    if (initial) this.#machine.restore(initial);
    // The link lives as long as the machine, whose probe gate it is (the fleet holds it weakly).
    if (settings.fleet) linkToFleet(settings.fleet, this.name, this, this.#machine, settings);
  }

  onStateChange(listener: (event: CircuitStateChangeEvent) => void): Unsubscribe {
    return ((this.#transitions ??= new TransitionEvents()).stateChange ??= new EventList()).subscribe(listener);
  }

  onOpen(listener: (event: CircuitOpenEvent) => void): Unsubscribe {
    return ((this.#transitions ??= new TransitionEvents()).open ??= new EventList()).subscribe(listener);
  }

  onHalfOpen(listener: (event: CircuitHalfOpenEvent) => void): Unsubscribe {
    return ((this.#transitions ??= new TransitionEvents()).halfOpen ??= new EventList()).subscribe(listener);
  }

  onClose(listener: (event: CircuitCloseEvent) => void): Unsubscribe {
    return ((this.#transitions ??= new TransitionEvents()).close ??= new EventList()).subscribe(listener);
  }

  onRejected(listener: (event: CircuitRejectedEvent) => void): Unsubscribe {
    return ((this.#transitions ??= new TransitionEvents()).rejected ??= new EventList()).subscribe(listener);
  }

  onSuccess(listener: (event: CircuitSuccessEvent) => void): Unsubscribe {
    return (this.#succeeded ??= new EventList()).subscribe(listener);
  }

  onFailure(listener: (event: CircuitFailureEvent) => void): Unsubscribe {
    return (this.#failed ??= new EventList()).subscribe(listener);
  }

  get state(): CircuitState {
    const machine = this.#machine;
    if (machine.state === 'open') machine.refresh(this.#clock.now());
    return machine.state;
  }

  get stats(): CircuitStats {
    const now = this.#clock.now();
    this.#machine.refresh(now);
    const window = this.#machine.window;
    window.advance(now);
    const { calls, failures, slowCalls } = window;
    return { calls, failures, slowCalls, failureRate: rate(failures, calls), slowCallRate: rate(slowCalls, calls) };
  }

  isolate(): CircuitIsolation {
    const machine = this.#machine;
    const epoch = machine.isolate();
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        machine.release(epoch);
      },
    };
  }

  reset(): void {
    this.#machine.reset();
  }

  toJSON(): CircuitBreakerSnapshot {
    this.#machine.refresh(this.#clock.now());
    return takeSnapshot(this.#machine, this.#clock);
  }

  /**
   * `invoke` itself: PolicyBase's sends it on to `invoke` through a call site every kind of
   * policy shares, slow once a process runs many kinds; this one only ever sees a breaker.
   */
  override [INVOKE_OWN]<T>(ctx: Context, fn: Operation<T>): Promise<T> {
    return this.invoke(ctx, fn);
  }

  invoke<T>(ctx: Context, fn: Operation<T>): Promise<T> {
    const machine = this.#machine;
    if (machine.state === 'closed' && ctx.callerSignal === undefined && !this.#timesCalls()) {
      // An untimed call that no caller can abort needs nothing of its own once it ends but its
      // period: it shares the handlers of that period instead of allocating a pair.
      const generation = machine.generation;
      const work = callSafely(fn, ctx);
      if (this.#sharesHandlers(generation)) return work.then(this.#valueHandler, this.#errorHandler) as Promise<T>;
      return this.#settle(ctx, work, generation, NaN);
    }
    const start = machine.state !== 'closed' || this.#timesCalls() ? entryNow(this.#clock) : NaN;
    const admission = machine.admit(start);
    if (admission === REJECTED) return this.#reject(start);
    const generation = machine.generation;
    const work = callSafely(fn, ctx);
    if (admission === PROBE) return this.#probe(ctx, work, generation, start);
    return this.#settle(ctx, work, generation, start);
  }

  #settle<T>(ctx: Context, work: Promise<T>, generation: number, start: number): Promise<T> {
    return work.then(
      (value) => this.#onValue(value, generation, start),
      (error: unknown) => this.#onError(ctx, error, generation, start),
    );
  }

  /** Admits a call to a closed breaker that needs no duration; any other goes through {@link invoke}. */
  /**
   * Admits a call to a closed breaker; any other (a probe, a rejection) goes through
   * {@link invoke}. The ticket is the call's period, with its start time when its duration is
   * needed (slow calls, outcome listeners).
   */
  [ADMIT](): unknown {
    const machine = this.#machine;
    if (machine.state !== 'closed') return NOT_NOW;
    if (!this.#timesCalls()) return machine.generation;
    return new TimedTicket(machine.generation, entryNow(this.#clock));
  }

  [PASS_VALUE](ticket: unknown, _ctx: Context, value: unknown): unknown {
    if (typeof ticket === 'number') return this.#onValue(value, ticket, NaN);
    const { generation, start } = ticket as TimedTicket;
    return this.#onValue(value, generation, start);
  }

  [PASS_ERROR](ticket: unknown, ctx: Context, error: unknown): never {
    if (typeof ticket === 'number') return this.#onError(ctx, error, ticket, NaN);
    const { generation, start } = ticket as TimedTicket;
    return this.#onError(ctx, error, generation, start);
  }

  /** Abandoned work is not this breaker's to count: the call's outcome was recorded. */
  [HOLD](): void {}

  /**
   * Whether an untimed call of period `generation` without a caller signal takes the handlers
   * shared by such calls: from the second one in the period on. The pair costs a breaker some
   * 180 bytes, which a breaker called once per period (a keyed breaker for a rare key) never
   * pays.
   */
  #sharesHandlers(generation: number): boolean {
    const mark = this.#handlersMark;
    if (mark === generation + 1) return true;
    if (mark !== -1 - generation) {
      this.#handlersMark = -1 - generation;
      return false;
    }
    this.#handlersMark = generation + 1;
    this.#valueHandler = (value) => this.#onValue(value, generation, NaN);
    this.#errorHandler = (error) => this.#onError(undefined, error, generation, NaN);
    return true;
  }

  #reject(now: number): Promise<never> {
    const machine = this.#machine;
    const retryAfter = machine.retryAfter(now);
    const state = machine.state as CircuitRejectionState;
    const rejected = this.#transitions?.rejected;
    if (heard(rejected, BREAKERS)) tell(rejected, BREAKERS, this, 'rejected', { state, retryAfter });
    return rejectSoon(circuitOpenError(this.name, retryAfter, state));
  }

  /** Watches a half-open probe: one that has not settled within `probeTimeout` is a failed probe. */
  #probe<T>(ctx: Context, work: Promise<T>, generation: number, start: number): Promise<T> {
    const clock = this.#clock;
    const timers = (this.#probeTimers ??= new Set());
    let timer: TimerHandle | undefined;
    if (this.#probeTimeout !== Infinity) {
      const timeout = this.#probeTimeout;
      const handle = clock.setTimeout(
        () => {
          timers.delete(handle);
          this.#machine.record(generation, FAILURE, timeout >= this.#slowCallDuration, clock.now());
        },
        timeout,
        true,
      );
      timers.add(handle);
      timer = handle;
    }
    const settled = (): void => {
      if (timer !== undefined && timers.delete(timer)) clock.clearTimeout(timer);
    };
    return work.then(
      (value) => {
        settled();
        return this.#onValue(value, generation, start);
      },
      (error: unknown) => {
        settled();
        return this.#onError(ctx, error, generation, start);
      },
    );
  }

  /**
   * Whether a call's duration is needed: for slow calls, or for the listeners of its outcome.
   * A closed breaker that needs neither reads the clock only when the call ends, and not even then
   * for a success in a consecutive window.
   */
  #timesCalls(): boolean {
    // heard(this.#succeeded, BREAKERS) || heard(this.#failed, BREAKERS), asking the channel once.
    return (
      this.#slowCallDuration !== Infinity ||
      this.#succeeded?.active === true ||
      this.#failed?.active === true ||
      BREAKERS.channel?.hasSubscribers === true
    );
  }

  #onValue<T>(value: T, generation: number, start: number): T {
    if (this.#shouldHandle === handleAllErrors) {
      const untimed = Number.isNaN(start) && !this.#successNeedsTime;
      this.#recordSuccess(generation, start, untimed ? NaN : this.#clock.now());
      return value;
    }
    const end = this.#clock.now();
    const outcome: Outcome<T> = { ok: true, value };
    if (this.#judge(outcome, generation, start, end)) this.#recordFailure(generation, start, end, outcome);
    else this.#recordSuccess(generation, start, end);
    return value;
  }

  /** `ctx` is undefined for a call without a caller signal, whose error is never the caller's abort. */
  #onError(ctx: Context | undefined, error: unknown, generation: number, start: number): never {
    const end = this.#clock.now();
    if (isFastFail(error) || (ctx !== undefined && ctx.isCallerAbort(error))) {
      this.#machine.record(generation, IGNORED, false, end);
      throw error;
    }
    const outcome: Outcome<never> = { ok: false, error };
    if (this.#shouldHandle === handleAllErrors || this.#judge(outcome, generation, start, end)) {
      this.#recordFailure(generation, start, end, outcome);
    } else {
      this.#recordSuccess(generation, start, end);
    }
    throw error;
  }

  /** Runs `shouldHandle`; if it throws, the call counts as a failure and rejects with that error. */
  #judge(outcome: Outcome<unknown>, generation: number, start: number, end: number): boolean {
    try {
      return this.#shouldHandle(outcome);
    } catch (error) {
      this.#recordFailure(generation, start, end, outcome);
      throw error;
    }
  }

  #recordSuccess(generation: number, start: number, end: number): void {
    const duration = Number.isNaN(start) ? 0 : end - start;
    const slow = duration >= this.#slowCallDuration;
    if (heard(this.#succeeded, BREAKERS)) tell(this.#succeeded, BREAKERS, this, 'success', { duration, slow });
    this.#machine.record(generation, SUCCESS, slow, end);
  }

  #recordFailure(generation: number, start: number, end: number, outcome: Outcome<unknown>): void {
    const duration = Number.isNaN(start) ? 0 : end - start;
    const slow = duration >= this.#slowCallDuration;
    if (heard(this.#failed, BREAKERS)) tell(this.#failed, BREAKERS, this, 'failure', { duration, slow, outcome });
    this.#machine.record(generation, FAILURE, slow, end);
  }

  /** The machine's report of a change of state (a symbol key: not part of the public surface). */
  [TRANSITIONED](from: CircuitState, to: CircuitState): void {
    if (from === 'half-open') this.#clearProbeTimers();
    const events = this.#transitions;
    if (heard(events?.stateChange, BREAKERS)) tell(events?.stateChange, BREAKERS, this, 'stateChange', { from, to });
    if (events === undefined) return;
    if (to === 'open') {
      if (events.open?.active) events.open.emit({ retryAfter: this.#machine.openDuration, opens: this.#machine.opens });
    } else if (to === 'half-open') {
      if (events.halfOpen?.active) events.halfOpen.emit(EMPTY);
    } else if (to === 'closed') {
      if (events.close?.active) events.close.emit(EMPTY);
    }
  }

  #clearProbeTimers(): void {
    const timers = this.#probeTimers;
    if (timers === undefined) return;
    for (const timer of timers) this.#clock.clearTimeout(timer);
    timers.clear();
  }
}

/**
 * Stops calling a dependency that keeps failing, so that it can recover and callers fail fast
 * instead of waiting. Closed, it records each call in a window (failures in a row, the last N
 * calls, or the last D milliseconds) and opens when the failures (or slow calls) reach their
 * threshold. Open, it rejects every call at once with a cheap {@link CircuitOpenError} for
 * `openFor` ms (a number, or a backoff that grows with each re-open). Then it turns half-open and
 * lets `halfOpen.maxCalls` probes through, rejecting the others at once: the probes succeeding
 * close it with an empty window, any failed probe (or one that does not settle within
 * `halfOpen.probeTimeout`) re-opens it. The result of a call that started before a change of
 * state never changes the state. A caller's abort and the fast-fail rejections of firebreak's
 * policies (circuit open, bulkhead full) are not recorded at all.
 *
 * Cost: a call through a closed breaker costs O(1) window work, whatever the window's size or
 * traffic, and one clock read when it ends (none for a success in a consecutive or count window) unless
 * slow calls or outcome listeners need its duration; a time window idle for any length of time catches up in O(buckets).
 *
 * @param options - {@link CircuitBreakerOptions}.
 * @throws InvalidOptionError for a bad or unknown option.
 * @example
 * ```ts
 * import { circuitBreaker, CircuitOpenError } from 'firebreak';
 * const breaker = circuitBreaker({
 *   name: 'auth',
 *   window: { type: 'time', duration: 10_000, buckets: 10 },
 *   failureRateThreshold: 0.5,
 *   minimumCalls: 20,
 *   openFor: (opens) => Math.min(1_000 * 2 ** opens, 60_000),
 *   halfOpen: { maxCalls: 2, probeTimeout: 5_000 },
 * });
 * breaker.onStateChange(({ from, to }) => console.log(`auth circuit: ${from} -> ${to}`));
 * try {
 *   await breaker.execute((ctx) => fetch('http://127.0.0.1:8080/verify', { signal: ctx.signal }));
 * } catch (error) {
 *   if (error instanceof CircuitOpenError) console.log(`auth is down, retry in ${error.retryAfter} ms`);
 * }
 * ```
 */
export function circuitBreaker<T = unknown>(options?: CircuitBreakerOptions<T>): CircuitBreakerPolicy {
  return new CircuitBreaker(options);
}
