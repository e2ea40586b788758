import type { Clock } from '../clock.js';
import { holdAbandoned, INVOKE_ADMITTED, NO_GROUP, NO_TICKETS, passOutcome, settledThrough, type AdmissionGroup, type AdmittedCall, type SettlesAdmitted } from '../admission-stage.js';
import { AbortScope, type Context } from '../context.js';
import { TimeoutError } from '../errors/timeout-error.js';
import { callerScope, heard, tell, Topic, type CallerScope } from '../diagnostics.js';
import { EventList, type Subscribe, type Unsubscribe } from '../events.js';
import { InvalidOptionError } from '../errors/invalid-option-error.js';
import { entryNow } from '../entry-clock.js';
import { OptionReader } from '../options.js';
import { DeadlineQueue, type Deadline } from './deadline-queue.js';
import { callSafely, PolicyBase, type ObservablePolicy, type Operation } from '../policy.js';

/**
 * What a timeout does at its deadline.
 * - `'abort'`: rejects at once with {@link TimeoutError} and aborts `ctx.signal`.
 * - `'cooperative'`: aborts `ctx.signal`, then waits for the function to settle.
 */
export type TimeoutStrategy = 'abort' | 'cooperative';

/**
 * Options of {@link timeout}.
 *
 * @example
 * ```ts
 * import { timeout, type TimeoutOptions } from 'firebreak';
 * const options: TimeoutOptions = { name: 'auth', duration: 250, strategy: 'cooperative' };
 * const guard = timeout(options);
 * ```
 */
export interface TimeoutOptions {
  /** Name for errors, events and metrics. @default 'timeout' */
  readonly name?: string;
  /** Milliseconds the call may take. `Infinity` disables the timeout. */
  readonly duration: number;
  /** What happens at the deadline. @default 'abort' */
  readonly strategy?: TimeoutStrategy;
  /** Source of time and timers. @default systemClock */
  readonly clock?: Clock;
}

/**
 * Emitted when a call runs past its timeout.
 *
 * @example
 * ```ts
 * import { timeout, type TimeoutEvent } from 'firebreak';
 * timeout(100).onTimeout((event: TimeoutEvent) => console.log(`gave up after ${event.duration} ms`));
 * ```
 */
export interface TimeoutEvent {
  /** Milliseconds the call was given (less than `duration` when an outer deadline came first). */
  readonly duration: number;
}

/**
 * A timeout policy: see {@link timeout}.
 *
 * @example
 * ```ts
 * import { timeout, type TimeoutPolicy } from 'firebreak';
 * const guard: TimeoutPolicy = timeout(100);
 * console.log(guard.duration, guard.strategy); // 100 'abort'
 * ```
 */
export interface TimeoutPolicy extends ObservablePolicy {
  readonly duration: number;
  readonly strategy: TimeoutStrategy;
  /** Subscribes to timeouts. */
  readonly onTimeout: Subscribe<TimeoutEvent>;
}

const TIMEOUTS = new Topic('timeout');

class Timeout extends PolicyBase implements TimeoutPolicy, SettlesAdmitted {
  #timeouts: EventList<TimeoutEvent> | undefined;
  readonly #queue: DeadlineQueue;

  constructor(
    name: string,
    readonly duration: number,
    readonly strategy: TimeoutStrategy,
    readonly clock: Clock,
  ) {
    super(name);
    this.#queue = new DeadlineQueue(clock);
  }

  onTimeout(listener: (event: TimeoutEvent) => void): Unsubscribe {
    return (this.#timeouts ??= new EventList()).subscribe(listener);
  }

  invoke<T>(ctx: Context, fn: Operation<T>): Promise<T> {
    return this[INVOKE_ADMITTED](ctx, fn, NO_GROUP, NO_TICKETS);
  }

  /**
   * {@link invoke} behind the stages of `group`, which admitted the call with `tickets`: one
   * `then` on this call's promise ends them all, innermost first (see admission-stage.ts), in
   * the caller's async context even when the deadline ends the call; and this call tells them
   * of the work it abandons.
   */
  [INVOKE_ADMITTED]<T>(ctx: Context, fn: Operation<T>, group: AdmissionGroup, tickets: unknown[]): Promise<T> {
    const now = entryNow(this.clock);
    const allowed = Math.min(this.duration, ctx.deadline - now);
    if (allowed === Infinity) return group === NO_GROUP ? callSafely(fn, ctx) : settledThrough({ group, tickets, entered: ctx }, callSafely(fn, ctx));
    const promise = new Promise<T>(capture);
    const call = new TimedCall<T>(this, ctx, now + allowed, allowed, capturedResolve as (value: T) => void, capturedReject, group, tickets);
    // Only a listener that may need the caller's async context makes the call capture it (a count does not).
    if (this.#timeouts?.scoped === true || TIMEOUTS.channel?.hasSubscribers === true) call.asyncScope = callerScope();
    this.#queue.add(call);
    const work = callSafely(fn, call.ctx);
    call.work = work;
    work.then(call.onValue.bind(call), call.onError.bind(call));
    if (group === NO_GROUP) return promise;
    return promise.then(call.passValue.bind(call), call.passError.bind(call)) as Promise<T>;
  }

  /** Settles a call: takes it off the queue and stops listening to the caller. */
  settle(call: Deadline & AbortScope): void {
    this.#queue.remove(call);
    call.dispose();
  }

  /** Reports a timeout to the listeners. */
  reportTimeout(duration: number): void {
    if (heard(this.#timeouts, TIMEOUTS)) tell(this.#timeouts, TIMEOUTS, this, 'timeout', { duration });
  }
}

/*
 * The resolving functions of the promise made last: `new Promise(capture)` hands them over
 * without a closure per call (the executor runs at once, before anything else can).
 */
let capturedResolve: (value: never) => void = () => {};
let capturedReject: (error: unknown) => void = () => {};
function capture(resolve: (value: never) => void, reject: (error: unknown) => void): void {
  capturedResolve = resolve;
  capturedReject = reject;
}

/**
 * One call under a timeout: the abort scope of the function (aborted at the deadline), its
 * place in the deadline queue, and how the call settles. One object for all three.
 */
class TimedCall<T> extends AbortScope implements Deadline, AdmittedCall {
  prev: Deadline | undefined = undefined;
  next: Deadline | undefined = undefined;
  queued = false;
  timedOut: TimeoutError | undefined = undefined;
  /** The function's own promise: abandoned, not cancelled, by the 'abort' strategy. */
  work: Promise<T> | undefined = undefined;
  /** The caller's async context, to report the timeout in; captured when someone listened at the start. */
  asyncScope: CallerScope | undefined = undefined;
  /** The context the function runs in: this scope, and the deadline. */
  readonly ctx: Context;
  /** The context this call came in with (the one the stages in front admitted it in). */
  readonly entered: Context;

  constructor(
    readonly policy: Timeout,
    outer: Context,
    /** Clock time at which the call times out. */
    readonly at: number,
    readonly allowed: number,
    readonly resolve: (value: T) => void,
    readonly reject: (error: unknown) => void,
    /** The stages in front of this timeout that admitted the call, ended by it (none alone). */
    readonly group: AdmissionGroup,
    readonly tickets: unknown[],
  ) {
    super(outer.madeScope, outer.callerSignal, true);
    this.entered = outer;
    this.ctx = outer.within(this, at);
  }

  expire(): void {
    const error = new TimeoutError(this.policy.name, this.allowed);
    this.timedOut = error;
    const scope = this.asyncScope;
    if (scope) {
      this.asyncScope = undefined;
      scope.runInAsyncScope(() => this.policy.reportTimeout(this.allowed));
      scope.emitDestroy();
    } else {
      this.policy.reportTimeout(this.allowed);
    }
    this.abort(error);
    if (this.policy.strategy === 'abort') {
      if (this.work) this.ctx.abandon(this.work);
      this.reject(error);
    }
  }

  override abandoned(work: PromiseLike<unknown>): void {
    if (this.group !== NO_GROUP) holdAbandoned(this, work);
  }

  /** Settles the call's place in the queue, and ends its captured scope if it never expired. */
  #settle(): void {
    this.policy.settle(this);
    this.asyncScope?.emitDestroy();
    this.asyncScope = undefined;
  }

  onValue(value: T): void {
    this.#settle();
    this.resolve(value);
  }

  onError(error: unknown): void {
    this.#settle();
    const timedOut = this.timedOut;
    if (timedOut && this.policy.strategy === 'cooperative' && error !== timedOut) {
      this.reject(new TimeoutError(this.policy.name, this.allowed, { cause: error }));
    } else {
      this.reject(error);
    }
  }

  /** The call resolved: through the stages that admitted it. */
  passValue(value: T): unknown {
    return passOutcome(this, true, value);
  }

  /** The call rejected (or timed out): through the stages that admitted it. */
  passError(error: unknown): unknown {
    return passOutcome(this, false, error);
  }
}

/**
 * Limits how long a call may take. At the deadline `ctx.signal` aborts with a
 * {@link TimeoutError}; the `'abort'` strategy (default) rejects at once, the `'cooperative'`
 * one waits for the function to settle. `ctx.deadline` becomes the earlier of this deadline and
 * the outer one, so inner policies (a retry, say) can respect it. One unref'd guard timer per
 * clock, shared by every timeout policy, watches every call in flight (no timer per call or per
 * policy); it never keeps the process alive and lapses by itself at most one `duration` after
 * the last call.
 *
 * @param options - a duration in milliseconds, or {@link TimeoutOptions}.
 * @throws InvalidOptionError for a negative, NaN or non-number duration or an unknown option.
 * @example
 * ```ts
 * import { timeout } from 'firebreak';
 * const guard = timeout(2_000);
 * const response = await guard.execute((ctx) => fetch('http://127.0.0.1:8080/slow', { signal: ctx.signal }));
 * ```
 */
export function timeout(options: number | TimeoutOptions): TimeoutPolicy {
  if (typeof options !== 'number' && (typeof options !== 'object' || options === null || Array.isArray(options))) {
    throw new InvalidOptionError('timeout', 'options', 'a number of milliseconds (the duration) or an object of options', options);
  }
  const read = new OptionReader('timeout', typeof options === 'number' ? { duration: options } : options, [
    'name',
    'duration',
    'strategy',
    'clock',
  ]);
  if (!read.has('duration')) read.fail('duration', 'a number of milliseconds >= 0 or Infinity');
  return new Timeout(
    read.string('name', 'timeout'),
    read.duration('duration', 0, { allowInfinity: true }),
    read.oneOf('strategy', 'abort', ['abort', 'cooperative']),
    read.clock(),
  );
}
