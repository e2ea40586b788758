import type { Clock, TimerHandle } from '../clock.js';
import { AbortScope, Context } from '../context.js';
import { heard, tell, Topic } from '../diagnostics.js';
import { isFastFail } from '../errors/fast-fail.js';
import { hedgeLostError } from '../errors/hedge-lost-error.js';
import { EventList, type Subscribe, type Unsubscribe } from '../events.js';
import { OptionReader } from '../options.js';
import { callSafely, PolicyBase, type ObservablePolicy, type Operation, type Outcome, type ShouldHandle } from '../policy.js';
import type { RetryBudget } from '../retry/budget.js';
import { readBudget } from '../retry/retry.js';
import { readDelay, type DelaySource, type HedgeDelay } from './delay.js';

/**
 * Options of {@link hedge}.
 *
 * @example
 * ```ts
 * import { hedge, retryBudget, type HedgeOptions } from 'firebreak';
 * const options: HedgeOptions = { name: 'search', maxAttempts: 2, delay: { percentile: 0.95 }, budget: retryBudget({ ratio: 0.05 }) };
 * const search = hedge(options);
 * ```
 */
export interface HedgeOptions<T = unknown> {
  /** Name for events and metrics. @default 'hedge' */
  readonly name?: string;
  /** Attempts in all, the first included, that may run at once: 1 never hedges. @default 2 */
  readonly maxAttempts?: number;
  /** When to start the next attempt while the earlier ones run. @default { percentile: 0.95 } */
  readonly delay?: HedgeDelay;
  /** A budget each hedge draws from (each call deposits): an empty one stops new hedges, never running ones. @default none */
  readonly budget?: RetryBudget;
  /**
   * Which outcomes are failures: a handled failure starts the next attempt at once and never wins
   * while another attempt may still succeed. A caller's abort is never a failure.
   * @default every error
   */
  readonly shouldHandle?: ShouldHandle<T>;
  /**
   * Once an attempt has won, how long, in milliseconds, the call waits for the losers (whose
   * signal aborts) to settle before it settles: work that honours its signal ends at once and
   * leaves nothing running; work that does not is handed on after `grace` to the stages around
   * the hedge that bound running work (a bulkhead keeps its slot). @default 100
   */
  readonly grace?: number;
  /** Source of time and timers. @default systemClock */
  readonly clock?: Clock;
}

/**
 * Emitted when a hedge starts another attempt.
 *
 * @example
 * ```ts
 * import { hedge, type HedgeEvent } from 'firebreak';
 * hedge({ delay: 100 }).onHedge((event: HedgeEvent) => console.log(`attempt ${event.attempt} after ${event.reason}`));
 * ```
 */
export interface HedgeEvent {
  /** The number of the attempt started (2 for the first hedge). */
  readonly attempt: number;
  /** `'delay'`: the earlier attempts ran longer than the delay; `'failure'`: an attempt failed. */
  readonly reason: 'delay' | 'failure';
}

/**
 * Emitted once at the end of every call through a hedge.
 *
 * @example
 * ```ts
 * import { hedge, type HedgeSettledEvent } from 'firebreak';
 * hedge().onSettled((event: HedgeSettledEvent) => console.log(`attempt ${event.winner} of ${event.attempts} decided`));
 * ```
 */
export interface HedgeSettledEvent {
  /** Whether the call resolved. */
  readonly ok: boolean;
  /** Attempts started, the first included. */
  readonly attempts: number;
  /**
   * The number of the attempt whose outcome (not a failure) the call settled with: above 1, a
   * hedge won. `undefined` when every attempt failed and the call settled with the last failure.
   */
  readonly winner: number | undefined;
}

/**
 * What a hedge has done since it was made.
 *
 * @example
 * ```ts
 * import { hedge, type HedgeStats } from 'firebreak';
 * const stats: HedgeStats = hedge().stats;
 * console.log(stats.calls, stats.hedges, stats.wins, stats.delay); // 0 0 0 Infinity
 * ```
 */
export interface HedgeStats {
  /** Calls made through the hedge. */
  readonly calls: number;
  /** Attempts started after the first: the extra load is `hedges / calls`. */
  readonly hedges: number;
  /** Calls settled by an attempt after the first. */
  readonly wins: number;
  /** The delay before the first hedge now, in ms (`Infinity` while a percentile lacks samples). */
  readonly delay: number;
}

/**
 * A hedge policy: see {@link hedge}.
 *
 * @example
 * ```ts
 * import { hedge, type HedgePolicy } from 'firebreak';
 * const search: HedgePolicy = hedge({ delay: 80 });
 * console.log(search.maxAttempts, search.grace); // 2 100
 * ```
 */
export interface HedgePolicy extends ObservablePolicy {
  readonly maxAttempts: number;
  readonly grace: number;
  /** The shared budget, if any. */
  readonly budget: RetryBudget | undefined;
  /** Calls, hedges and wins so far, and the current delay. */
  readonly stats: HedgeStats;
  /** Subscribes to each hedge started. */
  readonly onHedge: Subscribe<HedgeEvent>;
  /** Subscribes to the end of every call. */
  readonly onSettled: Subscribe<HedgeSettledEvent>;
}

/** The default judgement: every error is a failure, no result is. */
const handleErrors: ShouldHandle = (outcome) => !outcome.ok;

const HEDGES = new Topic('hedge');

class Hedge extends PolicyBase implements HedgePolicy {
  #hedgeEvents: EventList<HedgeEvent> | undefined;
  #settledEvents: EventList<HedgeSettledEvent> | undefined;
  calls = 0;
  hedges = 0;
  wins = 0;

  constructor(
    name: string,
    readonly maxAttempts: number,
    readonly delay: DelaySource,
    readonly budget: RetryBudget | undefined,
    readonly shouldHandle: ShouldHandle,
    readonly grace: number,
    readonly clock: Clock,
  ) {
    super(name);
  }

  onHedge(listener: (event: HedgeEvent) => void): Unsubscribe {
    return (this.#hedgeEvents ??= new EventList()).subscribe(listener);
  }

  onSettled(listener: (event: HedgeSettledEvent) => void): Unsubscribe {
    return (this.#settledEvents ??= new EventList()).subscribe(listener);
  }

  get stats(): HedgeStats {
    return { calls: this.calls, hedges: this.hedges, wins: this.wins, delay: this.delay.after(1) };
  }

  invoke<T>(ctx: Context, fn: Operation<T>): Promise<T> {
    this.calls++;
    if (this.maxAttempts === 1 || !ctx.repeatable) return callSafely(fn, ctx);
    this.budget?.deposit();
    return new Promise<T>((resolve, reject) => new HedgedCall(this, ctx, fn, resolve, reject).start());
  }

  /** Reports a hedge started. */
  reportHedge(attempt: number, reason: HedgeEvent['reason']): void {
    this.hedges++;
    if (heard(this.#hedgeEvents, HEDGES)) tell(this.#hedgeEvents, HEDGES, this, 'hedge', { attempt, reason });
  }

  /** Reports the end of a call. */
  reportSettled(ok: boolean, attempts: number, winner: number | undefined): void {
    if (winner !== undefined && winner > 1) this.wins++;
    if (heard(this.#settledEvents, HEDGES)) tell(this.#settledEvents, HEDGES, this, 'settled', { ok, attempts, winner });
  }

  /** Whether `outcome` is a failure; a judge that throws makes it one. */
  isFailure(ctx: Context, outcome: Outcome<unknown>): boolean {
    if (!outcome.ok && ctx.isCallerAbort(outcome.error)) return false;
    if (outcome.ok && this.shouldHandle === handleErrors) return false;
    try {
      return this.shouldHandle(outcome);
    } catch {
      return true;
    }
  }
}

/** One attempt of a hedged call. */
interface Attempt {
  readonly number: number;
  readonly scope: AbortScope;
  readonly started: number;
  work: Promise<unknown> | undefined;
  done: boolean;
}

/** One call through a hedge: its attempts, the timer for the next one, and how it settles. */
class HedgedCall<T> {
  readonly #attempts: Attempt[] = [];
  #running = 0;
  #timer: TimerHandle | undefined;
  #graceTimer: TimerHandle | undefined;
  /** Set once an outcome decides the call; the call settles when the losers are done or the grace ends. */
  #decided: { outcome: Outcome<T>; winner: number | undefined } | undefined;
  #settled = false;

  constructor(
    readonly policy: Hedge,
    readonly ctx: Context,
    readonly fn: Operation<T>,
    readonly resolve: (value: T) => void,
    readonly reject: (error: unknown) => void,
  ) {}

  start(): void {
    this.#launch(1);
  }

  #launch(number: number): void {
    const { ctx } = this;
    const scope = new AbortScope(ctx.scope, undefined);
    const attempt: Attempt = { number, scope, started: this.policy.clock.now(), work: undefined, done: false };
    this.#attempts.push(attempt);
    this.#running++;
    const work = callSafely(this.fn, new Context(scope, number, ctx.deadline, ctx.onAbandon, ctx.callerSignal, ctx.priority, ctx.repeatable, ctx.operation));
    attempt.work = work;
    work.then(
      (value) => this.#settle(attempt, { ok: true, value }),
      (error: unknown) => this.#settle(attempt, { ok: false, error }),
    );
    if (number < this.policy.maxAttempts) this.#arm(this.policy.delay.after(number));
  }

  #arm(delay: number): void {
    this.#disarm();
    if (delay === Infinity) return;
    // Ref'd, like a retry's backoff: the call may be answered by the attempt it starts. It is
    // cleared when the call is decided, so it never outlives the call.
    this.#timer = this.policy.clock.setTimeout(this.#onDelay, delay);
  }

  #disarm(): void {
    if (this.#timer === undefined) return;
    this.policy.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  readonly #onDelay = (): void => {
    this.#timer = undefined;
    if (this.#decided === undefined) this.#hedge('delay');
  };

  /** Starts the next attempt if attempts, the call's abort, its deadline and the budget allow. */
  #hedge(reason: HedgeEvent['reason']): boolean {
    const { policy, ctx } = this;
    const number = this.#attempts.length + 1;
    if (number > policy.maxAttempts || ctx.scope.aborted || policy.clock.now() >= ctx.deadline) return false;
    if (policy.budget && !policy.budget.tryWithdraw()) return false;
    policy.reportHedge(number, reason);
    this.#launch(number);
    return true;
  }

  #settle(attempt: Attempt, outcome: Outcome<T>): void {
    attempt.done = true;
    this.#running--;
    attempt.scope.dispose();
    if (this.#decided !== undefined) {
      if (this.#running === 0) this.#finish();
      return;
    }
    const { policy, ctx } = this;
    if (!policy.isFailure(ctx, outcome)) {
      if (attempt.number === 1 || !this.#attempts[0]!.done) this.#sample(outcome);
      this.#decide(outcome, attempt.number);
      return;
    }
    const fastFail = !outcome.ok && isFastFail(outcome.error);
    if (!fastFail && this.#hedge('failure')) return;
    if (this.#running === 0) this.#decide(outcome, undefined);
    else if (!fastFail) this.#disarm();
  }

  /** Feeds the latency estimate with the first attempt's latency, cut short at the win if it still runs. */
  #sample(outcome: Outcome<T>): void {
    const estimate = this.policy.delay.estimate;
    if (estimate === undefined) return;
    if (!outcome.ok && this.ctx.isCallerAbort(outcome.error)) return;
    estimate.record(this.policy.clock.now() - this.#attempts[0]!.started);
  }

  /** The call's outcome is known: abort the attempts still running, and settle once they are done or the grace ends. */
  #decide(outcome: Outcome<T>, winner: number | undefined): void {
    this.#decided = { outcome, winner };
    this.#disarm();
    if (this.#running === 0 || winner === undefined) {
      this.#finish();
      return;
    }
    const reason = hedgeLostError(this.policy.name, winner);
    for (const attempt of this.#attempts) if (!attempt.done) attempt.scope.abort(reason);
    if (this.policy.grace === 0) this.#finish();
    // Ref'd: the winner's outcome waits on it.
    else this.#graceTimer = this.policy.clock.setTimeout(this.#finish, this.policy.grace);
  }

  readonly #finish = (): void => {
    if (this.#settled) return;
    this.#settled = true;
    if (this.#graceTimer !== undefined) this.policy.clock.clearTimeout(this.#graceTimer);
    for (const attempt of this.#attempts) if (!attempt.done && attempt.work) this.ctx.abandon(attempt.work);
    const { outcome, winner } = this.#decided!;
    this.policy.reportSettled(outcome.ok, this.#attempts.length, winner);
    if (outcome.ok) this.resolve(outcome.value);
    else this.reject(outcome.error);
  };
}

/**
 * Hedged requests ("The Tail at Scale", Dean and Barroso): when an attempt has not settled after
 * `delay`, another one starts alongside it, up to `maxAttempts` at once; the first outcome that is
 * not a failure wins and the call settles with it, and the losers' `ctx.signal` aborts with a
 * {@link HedgeLostError}. A failure starts the next attempt at once; when every attempt fails,
 * the last outcome is returned or thrown as it was. No attempt starts after the call was aborted
 * or past `ctx.deadline`, and with a `budget` each hedge draws from it (an empty budget stops new
 * hedges, never the attempts running). Each attempt sees its number in `ctx.attempt`.
 *
 * Use it for idempotent reads whose latency has a long tail (a search, a cache or a replica
 * read): hedging after the 95th percentile cuts the 99th and 99.9th at the cost of about 5 %
 * more requests. The default delay, `{ percentile: 0.95 }`, learns that percentile from recent
 * calls and starts hedging once it has enough of them. A firebreak fast-fail (a circuit open, a
 * rate limit) starts no hedge.
 *
 * @param options - {@link HedgeOptions}.
 * @throws InvalidOptionError for a `maxAttempts` that is not an integer in [1, 10], a bad
 * `delay`, `budget` or `grace`, or an unknown option.
 * @example
 * ```ts
 * import { hedge, retryBudget } from 'firebreak';
 * const search = hedge({ name: 'search', delay: { percentile: 0.95 }, budget: retryBudget({ ratio: 0.05 }) });
 * const response = await search.execute((ctx) => fetch('http://127.0.0.1:8080/search?q=tail', { signal: ctx.signal }));
 * ```
 */
export function hedge<T = unknown>(options?: HedgeOptions<T>): HedgePolicy {
  const read = new OptionReader('hedge', options, ['name', 'maxAttempts', 'delay', 'budget', 'shouldHandle', 'grace', 'clock']);
  return new Hedge(
    read.string('name', 'hedge'),
    read.integer('maxAttempts', 2, 1, 10),
    readDelay(read),
    readBudget(read),
    read.optionalFunction<ShouldHandle>('shouldHandle') ?? handleErrors,
    read.duration('grace', 100),
    read.clock(),
  );
}
