import { ADMIT, HOLD, NOT_NOW, PASS_ERROR, PASS_VALUE, type AdmissionStage } from '../admission-stage.js';
import type { Clock } from '../clock.js';
import type { AbandonHandler, Context } from '../context.js';
import { entryNow } from '../entry-clock.js';
import { bulkheadRejectedError, type BulkheadRejectionReason } from '../errors/bulkhead-rejected-error.js';
import { heard, tell, Topic } from '../diagnostics.js';
import { EventList, type Subscribe, type Unsubscribe } from '../events.js';
import { OptionReader } from '../options.js';
import { callSafely, INVOKE_OWN, PolicyBase, type ObservablePolicy, type Operation } from '../policy.js';
import { admission, release } from './admission.js';
import { readQueueOptions } from './queue-options.js';
import { QueuedCall } from './queued-call.js';
import { WaitQueue } from './wait-queue.js';

/**
 * Options of {@link bulkhead}.
 *
 * @example
 * ```ts
 * import { bulkhead, type BulkheadOptions } from 'firebreak';
 * const options: BulkheadOptions = { name: 'auth', concurrency: 10, queue: 20, queueTimeout: 250 };
 * const pool = bulkhead(options);
 * ```
 */
export interface BulkheadOptions {
  /** Name for errors, events and metrics. @default 'bulkhead' */
  readonly name?: string;
  /** How many calls may run at once (an integer >= 1). */
  readonly concurrency: number;
  /** How many callers may wait for a slot (an integer >= 0); the next one is rejected. @default 0 */
  readonly queue?: number;
  /** Milliseconds a caller may wait in the queue before it is rejected. @default Infinity */
  readonly queueTimeout?: number;
  /** Source of time and timers. @default systemClock */
  readonly clock?: Clock;
}

/**
 * How full a bulkhead is, read at one moment.
 *
 * @example
 * ```ts
 * import { bulkhead, type BulkheadStats } from 'firebreak';
 * const stats: BulkheadStats = bulkhead({ concurrency: 4 }).stats;
 * console.log(stats.active, stats.queued, stats.available); // 0 0 4
 * ```
 */
export interface BulkheadStats {
  /** Slots taken: calls running, including work an inner timeout gave up on that still runs. */
  readonly active: number;
  /** Callers waiting for a slot. */
  readonly queued: number;
  /** Free slots: `concurrency - active`. */
  readonly available: number;
}

/**
 * Emitted when the bulkhead turns a call away.
 *
 * @example
 * ```ts
 * import { bulkhead, type BulkheadRejectedEvent } from 'firebreak';
 * bulkhead({ concurrency: 2 }).onRejected((event: BulkheadRejectedEvent) => console.log('rejected:', event.reason));
 * ```
 */
export interface BulkheadRejectedEvent {
  /** `'full'` on arrival, or `'queue-timeout'` after waiting `queueTimeout`. */
  readonly reason: BulkheadRejectionReason;
}

/**
 * Emitted when a caller starts waiting for a slot.
 *
 * @example
 * ```ts
 * import { bulkhead, type BulkheadQueuedEvent } from 'firebreak';
 * bulkhead({ concurrency: 2, queue: 10 }).onQueued((event: BulkheadQueuedEvent) => console.log(`${event.queued} waiting`));
 * ```
 */
export interface BulkheadQueuedEvent {
  /** Callers waiting, this one included. */
  readonly queued: number;
}

/**
 * Emitted for every call that gets a slot, at once or after waiting in the queue.
 *
 * @example
 * ```ts
 * import { bulkhead, type BulkheadAdmittedEvent } from 'firebreak';
 * bulkhead({ concurrency: 2, queue: 10 }).onAdmitted((event: BulkheadAdmittedEvent) => console.log(`waited ${event.waited} ms`));
 * ```
 */
export interface BulkheadAdmittedEvent {
  /** Milliseconds spent in the queue; 0 for a call that got a slot on arrival. */
  readonly waited: number;
}

/**
 * A bulkhead policy: see {@link bulkhead}.
 *
 * @example
 * ```ts
 * import { bulkhead, type BulkheadPolicy } from 'firebreak';
 * const pool: BulkheadPolicy = bulkhead({ concurrency: 8, queue: 16 });
 * console.log(pool.concurrency, pool.queue, pool.stats.available); // 8 16 8
 * ```
 */
export interface BulkheadPolicy extends ObservablePolicy {
  /** How many calls may run at once. */
  readonly concurrency: number;
  /** How many callers may wait for a slot. */
  readonly queue: number;
  /** Milliseconds a caller may wait in the queue; `Infinity` for no limit. */
  readonly queueTimeout: number;
  /** Slots taken, callers waiting and free slots, read now. */
  readonly stats: BulkheadStats;
  /** Subscribes to rejections ('full', 'queue-timeout'). */
  readonly onRejected: Subscribe<BulkheadRejectedEvent>;
  /** Subscribes to callers starting to wait. */
  readonly onQueued: Subscribe<BulkheadQueuedEvent>;
  /** Subscribes to calls getting a slot, with the time they waited. */
  readonly onAdmitted: Subscribe<BulkheadAdmittedEvent>;
}

const ADMITTED_AT_ONCE: BulkheadAdmittedEvent = Object.freeze({ waited: 0 });
const REJECTED_FULL: BulkheadRejectedEvent = Object.freeze({ reason: 'full' });
const REJECTED_QUEUE_TIMEOUT: BulkheadRejectedEvent = Object.freeze({ reason: 'queue-timeout' });
const BULKHEADS = new Topic('bulkhead');
/**
 * The queue of every bulkhead no caller has waited in yet, shared and never pushed to: a bulkhead
 * whose callers never wait (most run with `queue: 0`) holds no queue of its own.
 */
const NO_WAITERS = new WaitQueue<QueuedCall>();

class Bulkhead extends PolicyBase implements BulkheadPolicy, AdmissionStage {
  #rejected: EventList<BulkheadRejectedEvent> | undefined;
  #queuedEvents: EventList<BulkheadQueuedEvent> | undefined;
  #admitted: EventList<BulkheadAdmittedEvent> | undefined;

  /** Callers waiting for a slot: {@link NO_WAITERS} until the first caller waits. */
  #waiting = NO_WAITERS;
  /** Slots taken. */
  #active = 0;
  /**
   * Work abandoned by an inner stage that still runs on the slot of its call, which has not yet
   * released it: when a holder of a slot ends, such work keeps that slot.
   */
  #unplaced = 0;

  constructor(
    name: string,
    readonly concurrency: number,
    readonly queue: number,
    readonly queueTimeout: number,
    readonly clock: Clock,
  ) {
    super(name);
  }

  onRejected(listener: (event: BulkheadRejectedEvent) => void): Unsubscribe {
    return (this.#rejected ??= new EventList()).subscribe(listener);
  }

  onQueued(listener: (event: BulkheadQueuedEvent) => void): Unsubscribe {
    return (this.#queuedEvents ??= new EventList()).subscribe(listener);
  }

  onAdmitted(listener: (event: BulkheadAdmittedEvent) => void): Unsubscribe {
    return (this.#admitted ??= new EventList()).subscribe(listener);
  }

  get stats(): BulkheadStats {
    return { active: this.#active, queued: this.#waiting.length, available: this.concurrency - this.#active };
  }

  invoke<T>(ctx: Context, fn: Operation<T>): Promise<T> {
    return this.#admitOrQueue(ctx, fn, true);
  }

  /** The caller's own function abandons no work: no context that holds the slot for it. */
  override [INVOKE_OWN]<T>(ctx: Context, fn: Operation<T>): Promise<T> {
    if (this[ADMIT]() !== NOT_NOW) return this.#releasedAfter(callSafely(fn, ctx));
    return this.#queueOrReject(ctx, fn, false);
  }

  #admitOrQueue<T>(ctx: Context, fn: Operation<T>, holds: boolean): Promise<T> {
    if (this[ADMIT]() !== NOT_NOW) return this.#run(ctx, fn, holds);
    return this.#queueOrReject(ctx, fn, holds);
  }

  /** A call that found no free slot: it waits in the queue, or is turned away when the queue is full. */
  #queueOrReject<T>(ctx: Context, fn: Operation<T>, holds: boolean): Promise<T> {
    if (admission(this.#active, this.concurrency, this.#waiting.length, this.queue) === 'queue') return this.#enqueue(ctx, fn, holds);
    if (heard(this.#rejected, BULKHEADS)) tell(this.#rejected, BULKHEADS, this, 'rejected', REJECTED_FULL);
    return Promise.reject(bulkheadRejectedError(this.name, 'full'));
  }

  [ADMIT](): unknown {
    // The first rule of admission(): a free slot runs the call (a free slot implies an empty queue).
    if (this.#active >= this.concurrency) return NOT_NOW;
    this.#active++;
    if (heard(this.#admitted, BULKHEADS)) tell(this.#admitted, BULKHEADS, this, 'admitted', ADMITTED_AT_ONCE);
    return true;
  }

  [PASS_VALUE](_ticket: unknown, _ctx: Context, value: unknown): unknown {
    return Bulkhead.#releaseAfterValue.call(this, value);
  }

  [PASS_ERROR](_ticket: unknown, _ctx: Context, error: unknown): never {
    return Bulkhead.#releaseAfterError.call(this, error);
  }

  [HOLD](_ticket: unknown, work: PromiseLike<unknown>): void {
    this.#hold(work);
  }

  /**
   * Runs `fn` on a slot already taken; the slot is released when `fn` and any work it abandoned
   * settle. Only when `holds` (`fn` runs inner stages, such as an 'abort' timeout) does `fn` get a
   * context that reports abandoned work to this bulkhead.
   */
  #run<T>(ctx: Context, fn: Operation<T>, holds: boolean): Promise<T> {
    if (!holds) return this.#releasedAfter(callSafely(fn, ctx));
    const hold = (this.#holdWork ??= (work) => this.#hold(work));
    return this.#releasedAfter(callSafely(fn, ctx.withOnAbandon(hold)));
  }

  /**
   * `work`, releasing its slot when it settles. The two handlers are bound to this bulkhead by its
   * first call that needs them: a bulkhead inside a pipeline (released by the stage behind it)
   * never holds them.
   */
  #releasedAfter<T>(work: Promise<T>): Promise<T> {
    return work.then(
      (this.#afterValue ??= Bulkhead.#releaseAfterValue.bind(this)) as (value: T) => T,
      (this.#afterError ??= Bulkhead.#releaseAfterError.bind(this)),
    );
  }

  static #releaseAfterValue(this: Bulkhead, value: unknown): unknown {
    this.#release();
    return value;
  }

  static #releaseAfterError(this: Bulkhead, error: unknown): never {
    this.#release();
    throw error;
  }

  #afterValue: ((value: unknown) => unknown) | undefined;
  #afterError: ((error: unknown) => never) | undefined;

  /** {@link #hold} as a function for the contexts of inner stages; made by the first call that needs it. */
  #holdWork: AbandonHandler | undefined;

  /** An inner stage stopped waiting for `work` that still runs: it counts as a holder of a slot. */
  #hold(work: PromiseLike<unknown>): void {
    this.#unplaced++;
    const released = (): void => this.#release();
    void work.then(released, released);
  }

  /** A holder of a slot (a call, or abandoned work) has ended. */
  #release(): void {
    switch (release(this.#unplaced, this.#waiting.length)) {
      case 'keep':
        this.#unplaced--;
        return;
      case 'admit':
        this.#admit(this.#waiting.shift() as QueuedCall);
        return;
      case 'free':
        this.#active--;
    }
  }

  #enqueue<T>(ctx: Context, fn: Operation<T>, holds: boolean): Promise<T> {
    const scope = ctx.scope;
    if (scope.aborted) return Promise.reject(scope.reason);
    return new Promise<T>((resolve, reject) => {
      const call = new QueuedCall(ctx, fn, resolve as (value: unknown) => void, reject, entryNow(this.clock), 0, holds);
      if (this.#waiting === NO_WAITERS) this.#waiting = new WaitQueue<QueuedCall>();
      this.#waiting.push(call);
      const expire = (this.#expireCall ??= (expired) => this.#expire(expired));
      const leave = (this.#leaveCall ??= (left, error) => this.#leave(left, error));
      call.guard(this.clock, this.queueTimeout, expire, leave);
      if (heard(this.#queuedEvents, BULKHEADS)) tell(this.#queuedEvents, BULKHEADS, this, 'queued', { queued: this.#waiting.length });
    });
  }

  #admit(call: QueuedCall): void {
    call.unguard(this.clock);
    if (heard(this.#admitted, BULKHEADS)) tell(this.#admitted, BULKHEADS, this, 'admitted', { waited: this.clock.now() - call.since });
    this.#run(call.ctx, call.fn, call.holds).then(call.resolve, call.reject);
  }

  /**
   * {@link #expire} and {@link #leave} as functions for the guards of waiting callers; made by the
   * first call that waits, so that a bulkhead whose callers never wait does not hold them.
   */
  #expireCall: ((call: QueuedCall) => void) | undefined;
  #leaveCall: ((call: QueuedCall, error: unknown) => void) | undefined;

  #expire(call: QueuedCall): void {
    this.#leave(call, bulkheadRejectedError(this.name, 'queue-timeout'));
    if (heard(this.#rejected, BULKHEADS)) tell(this.#rejected, BULKHEADS, this, 'rejected', REJECTED_QUEUE_TIMEOUT);
  }

  /** Takes a waiting caller out of the queue and rejects it. */
  #leave(call: QueuedCall, error: unknown): void {
    this.#waiting.remove(call);
    call.unguard(this.clock);
    call.reject(error);
  }
}

/**
 * Bounds how many calls run at once against one dependency, so that a slow dependency cannot
 * take every socket, every queue slot and all the memory of a service. Up to `concurrency`
 * calls run; up to `queue` more wait in FIFO order, each for at most `queueTimeout`; the rest
 * are rejected at once with a cheap {@link BulkheadRejectedError}. A waiting caller whose signal
 * aborts leaves the queue at once. A slot is released only when the work really settles: when
 * an inner 'abort' timeout gives up on a function that ignores its signal, the slot stays taken
 * until that function settles, so no timeout ever lets more than `concurrency` calls run.
 *
 * @param options - {@link BulkheadOptions}.
 * @throws InvalidOptionError for a missing or non-integer `concurrency`, a bad `queue` or
 * `queueTimeout`, or an unknown option.
 * @example
 * ```ts
 * import { bulkhead, pipeline, timeout } from 'firebreak';
 * const auth = pipeline(bulkhead({ name: 'auth', concurrency: 10, queue: 20, queueTimeout: 100 }), timeout(300));
 * const response = await auth.execute((ctx) => fetch('http://127.0.0.1:8080/verify', { signal: ctx.signal }));
 * ```
 */
export function bulkhead(options: BulkheadOptions): BulkheadPolicy {
  const read = new OptionReader('bulkhead', options, ['name', 'concurrency', 'queue', 'queueTimeout', 'clock']);
  if (!read.has('concurrency')) read.fail('concurrency', 'an integer >= 1');
  const { queue, queueTimeout } = readQueueOptions(read);
  return new Bulkhead(
    read.string('name', 'bulkhead'),
    read.integer('concurrency', 1, 1),
    queue,
    queueTimeout,
    read.clock(),
  );
}
