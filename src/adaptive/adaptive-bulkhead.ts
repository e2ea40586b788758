import type { BulkheadAdmittedEvent, BulkheadPolicy, BulkheadQueuedEvent, BulkheadRejectedEvent, BulkheadStats } from '../bulkhead/bulkhead.js';
import { QueuedCall } from '../bulkhead/queued-call.js';
import { WaitQueue } from '../bulkhead/wait-queue.js';
import type { Clock } from '../clock.js';
import type { AbandonHandler, Context } from '../context.js';
import { bulkheadRejectedError, type BulkheadRejectionReason } from '../errors/bulkhead-rejected-error.js';
import { isFastFail } from '../errors/fast-fail.js';
import { heard, tell, Topic } from '../diagnostics.js';
import { EventList, type Subscribe, type Unsubscribe } from '../events.js';
import { callSafely, PolicyBase, type Operation, type Outcome, type ShouldHandle } from '../policy.js';
import { handleAllErrors } from '../should-handle.js';
import { adaptiveAdmission, mayRun } from './admission.js';
import { readAdaptiveOptions, type AdaptiveBulkheadOptions, type AdaptiveSettings } from './adaptive-options.js';
import { initialLimitState, nextLimitState, type LimitAlgorithmName, type LimitState } from './limit.js';
import { LoopDelayProbe } from './loop-delay.js';
import { PRIORITIES, priorityRank } from './priority.js';
import { SampleWindow } from './sample-window.js';

/**
 * How full an adaptive bulkhead is and what it has learned, read at one moment.
 *
 * @example
 * ```ts
 * import { adaptiveBulkhead, type AdaptiveBulkheadStats } from 'firebreak';
 * const stats: AdaptiveBulkheadStats = adaptiveBulkhead({ initial: 10 }).stats;
 * console.log(stats.limit, stats.active, stats.minRtt); // 10 0 NaN
 * ```
 */
export interface AdaptiveBulkheadStats extends BulkheadStats {
  /** The concurrency limit now (an integer in [min, max]). */
  readonly limit: number;
  /** The baseline: the lowest mean RTT (ms) of a sample window; `NaN` before the first window. */
  readonly minRtt: number;
  /** The mean RTT (ms) of the last sample window; `NaN` before the first window. */
  readonly sampleRtt: number;
}

/**
 * Emitted when the learned limit changes.
 *
 * @example
 * ```ts
 * import { adaptiveBulkhead, type LimitChangeEvent } from 'firebreak';
 * adaptiveBulkhead({}).onLimitChange(({ from, to }: LimitChangeEvent) => console.log(`limit ${from} -> ${to}`));
 * ```
 */
export interface LimitChangeEvent {
  readonly from: number;
  readonly to: number;
  /** The mean RTT (ms) of the window that changed it. */
  readonly sampleRtt: number;
  /** The baseline RTT (ms) it was compared with; `NaN` while no call has been measured. */
  readonly minRtt: number;
  /** Whether that window held a drop (or the event loop was overloaded). */
  readonly dropped: boolean;
}

/** Stands for any value when no `shouldHandle` was given: a value is then never a drop. */
const NO_DROP: Outcome<unknown> = Object.freeze({ ok: true, value: undefined });

/**
 * An adaptive bulkhead: see {@link adaptiveBulkhead}. It is a {@link BulkheadPolicy} whose
 * `concurrency` is the limit learned so far.
 *
 * @example
 * ```ts
 * import { adaptiveBulkhead, type AdaptiveBulkheadPolicy } from 'firebreak';
 * const pool: AdaptiveBulkheadPolicy = adaptiveBulkhead({ algorithm: 'vegas', initial: 16 });
 * console.log(pool.algorithm, pool.concurrency); // vegas 16
 * ```
 */
export interface AdaptiveBulkheadPolicy extends BulkheadPolicy {
  readonly algorithm: LimitAlgorithmName;
  /** Slots taken, callers waiting, free slots, the limit and the RTTs it was learned from. */
  readonly stats: AdaptiveBulkheadStats;
  /** Subscribes to changes of the limit. */
  readonly onLimitChange: Subscribe<LimitChangeEvent>;
}

const ADMITTED_AT_ONCE: BulkheadAdmittedEvent = Object.freeze({ waited: 0 });
/** Adaptive bulkheads publish on the bulkheads' channel: the same events, and `limitChange`. */
const BULKHEADS = new Topic('bulkhead');
const REJECTED: Record<BulkheadRejectionReason, BulkheadRejectedEvent> = {
  full: Object.freeze({ reason: 'full' }),
  'queue-timeout': Object.freeze({ reason: 'queue-timeout' }),
  shed: Object.freeze({ reason: 'shed' }),
};

class AdaptiveBulkhead extends PolicyBase implements AdaptiveBulkheadPolicy {
  #rejected: EventList<BulkheadRejectedEvent> | undefined;
  #queuedEvents: EventList<BulkheadQueuedEvent> | undefined;
  #admitted: EventList<BulkheadAdmittedEvent> | undefined;
  #limitChanges: EventList<LimitChangeEvent> | undefined;

  readonly #settings: AdaptiveSettings;
  readonly #clock: Clock;
  readonly #shouldHandle: ShouldHandle;
  readonly #window = new SampleWindow();
  readonly #probe: LoopDelayProbe | undefined;
  /** One FIFO per priority, the highest first. */
  readonly #waiting = [new WaitQueue<QueuedCall>(), new WaitQueue<QueuedCall>(), new WaitQueue<QueuedCall>()];
  #state: LimitState;
  /** The integer limit admission uses. */
  #limit: number;
  /** Slots taken, in all and per priority. */
  #active = 0;
  readonly #activeOf = [0, 0, 0];
  /** Per priority: work abandoned by an inner stage that still runs on the slot of its call. */
  readonly #unplacedOf = [0, 0, 0];
  /** Per priority: releases a slot of that priority. */
  readonly #releases = PRIORITIES.map((_, rank) => (): void => this.#release(rank));
  /** Per priority: an inner stage stopped waiting for `work` that still runs: it holds a slot until it settles. */
  readonly #holds = PRIORITIES.map((_, rank): AbandonHandler => (work) => {
    (this.#unplacedOf[rank] as number)++;
    const release = this.#releases[rank] as () => void;
    void work.then(release, release);
  });

  constructor(settings: AdaptiveSettings) {
    super(settings.name);
    this.#settings = settings;
    this.#clock = settings.clock;
    this.#shouldHandle = settings.shouldHandle;
    this.#state = initialLimitState(settings);
    this.#limit = settings.initial;
    if (settings.eventLoopDelay !== undefined) {
      this.#probe = new LoopDelayProbe(settings.clock, settings.eventLoopDelay, () => this.#active + this.#queued > 0);
    }
  }

  get algorithm(): LimitAlgorithmName {
    return this.#settings.algorithm;
  }

  get concurrency(): number {
    return this.#limit;
  }

  get queue(): number {
    return this.#settings.queue;
  }

  get queueTimeout(): number {
    return this.#settings.queueTimeout;
  }

  get stats(): AdaptiveBulkheadStats {
    const { minRtt, sampleRtt } = this.#state;
    return {
      active: this.#active,
      queued: this.#queued,
      available: Math.max(0, this.#limit - this.#active),
      limit: this.#limit,
      minRtt: minRtt === Infinity ? NaN : minRtt,
      sampleRtt,
    };
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

  onLimitChange(listener: (event: LimitChangeEvent) => void): Unsubscribe {
    return (this.#limitChanges ??= new EventList()).subscribe(listener);
  }

  get #queued(): number {
    const [critical, degraded, sheddable] = this.#waiting as [WaitQueue<QueuedCall>, WaitQueue<QueuedCall>, WaitQueue<QueuedCall>];
    return critical.length + degraded.length + sheddable.length;
  }

  /** The guaranteed share of the limit, in calls, of the priority ranked `rank`. */
  #share(rank: number): number {
    const partitions = this.#settings.partitions;
    return partitions === undefined ? 0 : (partitions[rank] as number) * this.#limit;
  }

  /** The shares of the priorities ranked above `rank` that they leave unused now, in calls. */
  #reservedAbove(rank: number): number {
    let reserved = 0;
    for (let above = 0; above < rank; above++) reserved += Math.max(0, this.#share(above) - (this.#activeOf[above] as number));
    return reserved;
  }

  /** Whether a call of priority `rank` may take a slot now. */
  #mayRun(rank: number): boolean {
    return mayRun(this.#active, this.#limit, this.#activeOf[rank] as number, this.#share(rank), this.#reservedAbove(rank));
  }

  invoke<T>(ctx: Context, fn: Operation<T>): Promise<T> {
    let priority: unknown;
    try {
      priority = this.#settings.priority(ctx);
    } catch (error) {
      return Promise.reject(error);
    }
    const rank = priorityRank(priority);
    if (rank < 0) return Promise.reject(new TypeError(`${this.name}: a priority must be one of ${PRIORITIES.map((p) => `'${p}'`).join(', ')}, got ${String(priority)}`));
    if (this.#probe === undefined && this.#settings.partitions === undefined && this.#active < this.#limit) {
      // What adaptiveAdmission decides here, without building its input.
      this.#take(rank);
      if (heard(this.#admitted, BULKHEADS)) tell(this.#admitted, BULKHEADS, this, 'admitted', ADMITTED_AT_ONCE);
      return this.#run(ctx, fn, rank);
    }
    this.#probe?.start();
    const decision = adaptiveAdmission({
      active: this.#active,
      activeOfPriority: this.#activeOf[rank] as number,
      limit: this.#limit,
      share: this.#share(rank),
      reservedAbove: this.#reservedAbove(rank),
      partitioned: this.#settings.partitions !== undefined,
      critical: rank === 0,
      sheddable: rank === 2,
      queued: this.#queued,
      queue: this.#settings.queue,
      lowerWaiting: this.#lowestWaitingBelow(rank) !== undefined,
      overloaded: this.#probe?.overloaded ?? false,
    });
    switch (decision) {
      case 'run':
        this.#take(rank);
        if (heard(this.#admitted, BULKHEADS)) tell(this.#admitted, BULKHEADS, this, 'admitted', ADMITTED_AT_ONCE);
        return this.#run(ctx, fn, rank);
      case 'evict':
        this.#evict(this.#lowestWaitingBelow(rank) as WaitQueue<QueuedCall>);
        return this.#enqueue(ctx, fn, rank);
      case 'queue':
        return this.#enqueue(ctx, fn, rank);
      case 'full':
      case 'shed':
        return this.#reject(decision);
    }
  }

  #reject(reason: BulkheadRejectionReason): Promise<never> {
    if (heard(this.#rejected, BULKHEADS)) tell(this.#rejected, BULKHEADS, this, 'rejected', REJECTED[reason]);
    return Promise.reject(bulkheadRejectedError(this.name, reason));
  }

  /** The queue of the lowest priority below `rank` that has a waiter. */
  #lowestWaitingBelow(rank: number): WaitQueue<QueuedCall> | undefined {
    for (let lower = this.#waiting.length - 1; lower > rank; lower--) {
      const queue = this.#waiting[lower] as WaitQueue<QueuedCall>;
      if (queue.length > 0) return queue;
    }
    return undefined;
  }

  #take(rank: number): void {
    this.#active++;
    (this.#activeOf[rank] as number)++;
    this.#window.seeInflight(this.#active);
  }

  /** Runs `fn` on a slot already taken, samples its RTT or drop, and releases the slot. */
  #run<T>(ctx: Context, fn: Operation<T>, rank: number): Promise<T> {
    const release = this.#releases[rank] as () => void;
    const hold = this.#holds[rank] as AbandonHandler;
    const start = this.#clock.now();
    return callSafely(fn, ctx.withOnAbandon(hold)).then(
      (value) => {
        this.#settle(start, this.#shouldHandle === handleAllErrors ? NO_DROP : { ok: true, value }, release);
        return value;
      },
      (error: unknown) => {
        this.#settle(start, isFastFail(error) || ctx.isCallerAbort(error) ? undefined : { ok: false, error }, release);
        throw error;
      },
    );
  }

  /**
   * A call has settled: samples its RTT or drop (an `outcome` of `undefined`, a caller abort or
   * a fast-fail, is no sample) and releases its slot. A `shouldHandle` that throws makes the call
   * a drop and reject with that error.
   */
  #settle(start: number, outcome: Outcome<unknown> | undefined, release: () => void): void {
    try {
      if (outcome !== undefined) this.#sample(start, this.#isDrop(outcome));
    } catch (judgeError) {
      this.#sample(start, true);
      throw judgeError;
    } finally {
      release();
    }
  }

  #isDrop(outcome: Outcome<unknown>): boolean {
    if (outcome === NO_DROP) return false;
    if (this.#shouldHandle === handleAllErrors) return !outcome.ok;
    return this.#shouldHandle(outcome);
  }

  /** Adds one settled call to the window; a full window updates the limit. */
  #sample(start: number, dropped: boolean): void {
    const now = this.#clock.now();
    this.#window.add(now, dropped ? undefined : now - start);
    if (this.#window.ready(now)) this.#update();
  }

  #update(): void {
    if (this.#probe?.overloaded) this.#window.markDropped();
    const window = this.#window.close(this.#active);
    this.#state = nextLimitState(this.#state, window, this.#settings, this.#settings.decide);
    const from = this.#limit;
    const to = Math.max(this.#settings.min, Math.floor(this.#state.limit));
    if (to === from) return;
    this.#limit = to;
    if (heard(this.#limitChanges, BULKHEADS)) {
      const { sampleRtt, minRtt } = this.stats;
      tell(this.#limitChanges, BULKHEADS, this, 'limitChange', { from, to, sampleRtt, minRtt, dropped: window.dropped });
    }
    if (to > from) this.#drain();
  }

  /** A holder of a slot of priority `rank` (a call, or work it abandoned) has ended. */
  #release(rank: number): void {
    if ((this.#unplacedOf[rank] as number) > 0) {
      (this.#unplacedOf[rank] as number)--;
      return;
    }
    this.#active--;
    (this.#activeOf[rank] as number)--;
    this.#drain();
  }

  /** Admits waiters, the highest priority first, while they may run. */
  #drain(): void {
    this.#waiting.forEach((queue, rank) => {
      while (queue.length > 0 && this.#mayRun(rank)) {
        this.#admit(queue.shift() as QueuedCall);
      }
    });
  }

  #enqueue<T>(ctx: Context, fn: Operation<T>, rank: number): Promise<T> {
    const scope = ctx.scope;
    if (scope.aborted) return Promise.reject(scope.reason);
    return new Promise<T>((resolve, reject) => {
      const call = new QueuedCall(ctx, fn, resolve as (value: unknown) => void, reject, this.#clock.now(), rank);
      (this.#waiting[rank] as WaitQueue<QueuedCall>).push(call);
      call.guard(this.#clock, this.#settings.queueTimeout, this.#expire, this.#leave);
      if (heard(this.#queuedEvents, BULKHEADS)) tell(this.#queuedEvents, BULKHEADS, this, 'queued', { queued: this.#queued });
    });
  }

  #admit(call: QueuedCall): void {
    call.unguard(this.#clock);
    this.#take(call.rank);
    if (heard(this.#admitted, BULKHEADS)) tell(this.#admitted, BULKHEADS, this, 'admitted', { waited: this.#clock.now() - call.since });
    this.#run(call.ctx, call.fn, call.rank).then(call.resolve, call.reject);
  }

  /** Turns away the oldest waiter of `queue` for a caller of higher priority. */
  #evict(queue: WaitQueue<QueuedCall>): void {
    this.#leave(queue.shift() as QueuedCall, bulkheadRejectedError(this.name, 'shed'));
    if (heard(this.#rejected, BULKHEADS)) tell(this.#rejected, BULKHEADS, this, 'rejected', REJECTED.shed);
  }

  readonly #expire = (call: QueuedCall): void => {
    this.#leave(call, bulkheadRejectedError(this.name, 'queue-timeout'));
    if (heard(this.#rejected, BULKHEADS)) tell(this.#rejected, BULKHEADS, this, 'rejected', REJECTED['queue-timeout']);
  };

  /** Takes a waiting caller out of its queue and rejects it. */
  readonly #leave = (call: QueuedCall, error: unknown): void => {
    (this.#waiting[call.rank] as WaitQueue<QueuedCall>).remove(call);
    call.unguard(this.#clock);
    call.reject(error);
  };
}

/**
 * A bulkhead whose limit is learned from latency instead of guessed: a drop-in for
 * {@link bulkhead} (same {@link BulkheadRejectedError}, same events and stats) for a dependency
 * whose capacity you do not know or that changes. It measures the round-trip time of the calls
 * it lets through, in windows of at least 10 calls and 100 ms, compares each window with the
 * lowest RTT seen (the baseline), and moves the limit: up while the RTT stays within
 * `tolerance × baseline`, down once it rises past it or a call drops (`shouldHandle`), as the
 * `algorithm` (`'gradient2'`, `'vegas'` or `'aimd'`) says by how much.
 *
 * Each call has a priority (`priority(ctx)`, by default `ctx.priority ?? 'critical'`, from
 * `execute(fn, { priority })`). Waiters are admitted the highest priority first; a full queue
 * evicts its oldest waiter of lower priority for a new caller ('shed'). With `partitions`, each
 * priority is guaranteed its share of the limit: it runs while it is below its share even when
 * the rest of the limit is taken, and a call below critical turned away at the limit is 'shed'.
 * With `eventLoopDelay`, a process whose event loop lags past that many milliseconds sheds its
 * sheddable calls and counts the window as a drop.
 *
 * @param options - {@link AdaptiveBulkheadOptions}.
 * @throws InvalidOptionError for a bad or unknown option.
 * @example
 * ```ts
 * import { adaptiveBulkhead, pipeline, timeout } from 'firebreak';
 * const payments = adaptiveBulkhead({ name: 'payments', initial: 20, max: 200, partitions: { critical: 0.6, degraded: 0.3, sheddable: 0.1 } });
 * payments.onLimitChange(({ from, to }) => console.log(`payments: limit ${from} -> ${to}`));
 * const charge = pipeline(payments, timeout(2_000));
 * await charge.execute((ctx) => fetch('http://127.0.0.1:8080/charge', { method: 'POST', signal: ctx.signal }), { priority: 'critical' });
 * ```
 */
export function adaptiveBulkhead(options?: AdaptiveBulkheadOptions): AdaptiveBulkheadPolicy {
  return new AdaptiveBulkhead(readAdaptiveOptions(options));
}

export type { AdaptiveBulkheadOptions, AdaptivePartitions } from './adaptive-options.js';
