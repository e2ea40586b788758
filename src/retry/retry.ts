import { ADMIT, HOLD, NOT_NOW, PASS_ERROR, PASS_VALUE, type AdmissionGroup, type AdmissionStage } from '../admission-stage.js';
import type { Clock } from '../clock.js';
import type { Context } from '../context.js';
import { isFastFail } from '../errors/fast-fail.js';
import { heard, tell, Topic } from '../diagnostics.js';
import { EventList, type Subscribe, type Unsubscribe } from '../events.js';
import { OptionReader } from '../options.js';
import { callSafely, PolicyBase, type ObservablePolicy, type Operation, type Outcome, type ShouldHandle } from '../policy.js';
import { constant, type Backoff } from './backoff.js';
import { exponential } from './backoff-exponential.js';
import type { RetryBudget } from './budget.js';
import { decideRetry, type GiveUpReason, type RetryDecision } from './decide.js';
import { discardBody } from './http.js';
import { sleep } from './sleep.js';

/**
 * Options of {@link retry}.
 *
 * @example
 * ```ts
 * import { constant, retry, type RetryOptions } from 'firebreak';
 * const options: RetryOptions = { name: 'auth', maxAttempts: 4, backoff: constant(100) };
 * const policy = retry(options);
 * ```
 */
export interface RetryOptions<T = unknown> {
  /** Name for events and metrics. @default 'retry' */
  readonly name?: string;
  /** Attempts in all, the first included: 1 never retries. Never infinite. @default 3 */
  readonly maxAttempts?: number;
  /** The delay before each retry. @default exponential({ initial: 100, max: 10_000, jitter: 'full' }) */
  readonly backoff?: Backoff;
  /**
   * Which outcomes to retry. A caller's abort is never retried, whatever this says.
   * @default every error except firebreak's fast-fail rejections (circuit open, bulkhead full)
   */
  readonly shouldHandle?: ShouldHandle<T>;
  /** A budget shared with other retry policies that caps retries at a share of the requests. @default none */
  readonly budget?: RetryBudget;
  /** Source of time and timers: the deadline is read on it and the backoff sleeps on it. @default systemClock */
  readonly clock?: Clock;
}

/**
 * Emitted before each retry.
 *
 * @example
 * ```ts
 * import { retry, type RetryEvent } from 'firebreak';
 * retry().onRetry((event: RetryEvent) => console.log(`attempt ${event.attempt} failed, retrying in ${event.delay} ms`));
 * ```
 */
export interface RetryEvent {
  /** The number of the attempt that just failed (1 for the first). */
  readonly attempt: number;
  /** Milliseconds before the next attempt. */
  readonly delay: number;
  /** The failed attempt's outcome. A `Response`'s body is cancelled after the listeners ran, unless one started reading it. */
  readonly outcome: Outcome<unknown>;
}

/**
 * Emitted when a retry policy stops retrying a failure; the call then ends with that outcome.
 *
 * @example
 * ```ts
 * import { retry, type GiveUpEvent } from 'firebreak';
 * retry().onGiveUp((event: GiveUpEvent) => console.log(`gave up after ${event.attempts} attempts: ${event.reason}`));
 * ```
 */
export interface GiveUpEvent {
  readonly reason: GiveUpReason;
  /** Attempts made, the first included. */
  readonly attempts: number;
  /** The outcome the call ends with. */
  readonly outcome: Outcome<unknown>;
}

/**
 * Emitted once at the end of every call through a retry policy.
 *
 * @example
 * ```ts
 * import { retry, type RetrySettledEvent } from 'firebreak';
 * retry().onSettled((event: RetrySettledEvent) => console.log(event.ok ? 'resolved' : 'rejected', 'after', event.attempts));
 * ```
 */
export interface RetrySettledEvent {
  /** Whether the call resolved. */
  readonly ok: boolean;
  /**
   * Whether the call ended in a failure: a rejection, or a result `shouldHandle` judged a failure
   * (a 503 returned after the last attempt resolves, so `ok` is true, but `failed` is true too).
   */
  readonly failed: boolean;
  /** Attempts made, the first included. */
  readonly attempts: number;
}

/**
 * A retry policy: see {@link retry}.
 *
 * @example
 * ```ts
 * import { retry, type RetryPolicy } from 'firebreak';
 * const policy: RetryPolicy = retry({ maxAttempts: 2 });
 * console.log(policy.maxAttempts, policy.budget); // 2 undefined
 * ```
 */
export interface RetryPolicy extends ObservablePolicy {
  /** Attempts in all, the first included. */
  readonly maxAttempts: number;
  /** The shared budget, if any. */
  readonly budget: RetryBudget | undefined;
  /** Subscribes to retries. */
  readonly onRetry: Subscribe<RetryEvent>;
  /** Subscribes to give-ups. */
  readonly onGiveUp: Subscribe<GiveUpEvent>;
  /** Subscribes to the end of every call. */
  readonly onSettled: Subscribe<RetrySettledEvent>;
}

/** The default judgement: every error but firebreak's fast-fail rejections; no result. */
const retryErrors: ShouldHandle = (outcome) => !outcome.ok && !isFastFail(outcome.error);

/** The settled event of most calls, shared (events are read-only). */
const FIRST_ATTEMPT_SUCCEEDED: RetrySettledEvent = Object.freeze({ ok: true, failed: false, attempts: 1 });
const NOT_HANDLED: RetryDecision = { retry: false, reason: 'not-handled' };
const ABORTED: RetryDecision = { retry: false, reason: 'deadline' };
const NOT_REPEATABLE: RetryDecision = { retry: false, reason: 'not-handled' };
const RETRIES = new Topic('retry');

class Retry extends PolicyBase implements RetryPolicy, AdmissionStage {
  #retries: EventList<RetryEvent> | undefined;
  #giveUps: EventList<GiveUpEvent> | undefined;
  #settled: EventList<RetrySettledEvent> | undefined;
  readonly #judgesResults: boolean;

  constructor(
    name: string,
    readonly maxAttempts: number,
    readonly backoff: Backoff,
    readonly shouldHandle: ShouldHandle,
    readonly budget: RetryBudget | undefined,
    readonly clock: Clock,
  ) {
    super(name);
    this.#judgesResults = shouldHandle !== retryErrors;
  }

  onRetry(listener: (event: RetryEvent) => void): Unsubscribe {
    return (this.#retries ??= new EventList()).subscribe(listener);
  }

  onGiveUp(listener: (event: GiveUpEvent) => void): Unsubscribe {
    return (this.#giveUps ??= new EventList()).subscribe(listener);
  }

  onSettled(listener: (event: RetrySettledEvent) => void): Unsubscribe {
    return (this.#settled ??= new EventList()).subscribe(listener);
  }

  invoke<T>(ctx: Context, fn: Operation<T>): Promise<T> {
    this.budget?.deposit();
    return this.#attempt(ctx, fn, 1, 0);
  }

  #attempt<T>(ctx: Context, fn: Operation<T>, attempt: number, previous: number): Promise<T> {
    const work = callSafely(fn, ctx.attempt === attempt ? ctx : ctx.withAttempt(attempt));
    const onError = (error: unknown): T | Promise<T> => this.#after(ctx, fn, attempt, previous, { ok: false, error });
    if (!this.#judgesResults && !heard(this.#settled, RETRIES)) return work.then(undefined, onError);
    return work.then((value) => this.#afterValue(ctx, fn, attempt, previous, value), onError);
  }

  /** Admits the first attempt of a call (not one already on a later attempt of a retry around it). */
  [ADMIT](ctx: Context): unknown {
    if (ctx.attempt !== 1) return NOT_NOW;
    this.budget?.deposit();
    return 1;
  }

  [PASS_VALUE](_ticket: unknown, ctx: Context, value: unknown, group: AdmissionGroup, index: number): unknown {
    // The stages inside are entered again only when a result may be retried.
    if (this.#judgesResults) return this.#after(ctx, group.inside(index), 1, 0, { ok: true, value });
    this.#settle(true, false, 1);
    return value;
  }

  [PASS_ERROR](_ticket: unknown, ctx: Context, error: unknown, group: AdmissionGroup, index: number): unknown {
    return this.#after(ctx, group.inside(index), 1, 0, { ok: false, error });
  }

  /** Work abandoned inside is not this policy's to count. */
  [HOLD](): void {}

  /** What follows an attempt that resolved with `value`. */
  #afterValue<T>(ctx: Context, fn: Operation<T>, attempt: number, previous: number, value: T): T | Promise<T> {
    if (this.#judgesResults) return this.#after(ctx, fn, attempt, previous, { ok: true, value });
    this.#settle(true, false, attempt);
    return value;
  }

  /** What follows an attempt's outcome: the end of the call, or a sleep and the next attempt. */
  /** Runs inside a `then` callback: a throw rejects the call. */
  #after<T>(ctx: Context, fn: Operation<T>, attempt: number, previous: number, outcome: Outcome<T>): T | Promise<T> {
    let decision: RetryDecision | undefined;
    try {
      decision = this.#decide(ctx, attempt, previous, outcome);
    } catch (error) {
      this.#settle(false, true, attempt);
      throw error;
    }
    if (decision === undefined) return this.#end(outcome, attempt, !outcome.ok);
    if (decision === NOT_REPEATABLE) return this.#end(outcome, attempt, true);
    if (!decision.retry) {
      if (heard(this.#giveUps, RETRIES)) tell(this.#giveUps, RETRIES, this, 'giveUp', { reason: decision.reason, attempts: attempt, outcome });
      return this.#end(outcome, attempt, true);
    }
    if (heard(this.#retries, RETRIES)) tell(this.#retries, RETRIES, this, 'retry', { attempt, delay: decision.delay, outcome });
    if (outcome.ok) discardBody(outcome.value);
    const next = decision.backoff;
    return sleep(this.clock, decision.delay, ctx.scope.canAbort ? ctx.signal : undefined).then(
      () => this.#attempt(ctx, fn, attempt + 1, next),
      (reason: unknown) => {
        this.#settle(false, true, attempt);
        throw reason;
      },
    );
  }

  /**
   * `undefined` when the outcome ends the call as it is, with no give-up: a success, a caller's
   * abort, or an error this policy does not retry on the first attempt. `NOT_REPEATABLE` for a
   * handled failure of a call that must not run twice: it ends as it is, a failure, with no give-up.
   */
  #decide(ctx: Context, attempt: number, previous: number, outcome: Outcome<unknown>): RetryDecision | undefined {
    if (outcome.ok && !(this.#judgesResults && this.shouldHandle(outcome))) return undefined;
    if (ctx.callerSignal?.aborted) return undefined;
    if (!outcome.ok && !this.shouldHandle(outcome)) return attempt > 1 ? NOT_HANDLED : undefined;
    if (!ctx.repeatable) return NOT_REPEATABLE;
    if (ctx.scope.aborted) return ABORTED;
    return decideRetry({
      attempt,
      maxAttempts: this.maxAttempts,
      outcome,
      previous,
      now: this.clock.now(),
      deadline: ctx.deadline,
      wallNow: this.clock.wallNow(),
      backoff: this.backoff,
      budget: this.budget,
    });
  }

  #end<T>(outcome: Outcome<T>, attempts: number, failed: boolean): T {
    this.#settle(outcome.ok, failed, attempts);
    if (outcome.ok) return outcome.value;
    throw outcome.error;
  }

  #settle(ok: boolean, failed: boolean, attempts: number): void {
    if (!heard(this.#settled, RETRIES)) return;
    tell(this.#settled, RETRIES, this, 'settled', ok && !failed && attempts === 1 ? FIRST_ATTEMPT_SUCCEEDED : { ok, failed, attempts });
  }
}

/**
 * Retries failed attempts after a backoff, within `maxAttempts`, the call's deadline and an
 * optional shared {@link RetryBudget}.
 *
 * Use it for transient failures of calls that are safe to repeat, inside a total timeout and
 * outside a circuit breaker (as {@link firebreak} arranges). Each attempt sees its number in
 * `ctx.attempt`. The sleep between attempts ends at once when the call is aborted; no retry is
 * made whose delay would end after `ctx.deadline`; a numeric `retryAfter` on an error or result,
 * or a `Retry-After` header on a fetch `Response` result, is the minimum delay. firebreak's own
 * fast-fail rejections (circuit open, bulkhead full) are not retried by default. When attempts,
 * time or budget run out, the last outcome is returned or thrown as it was. A `Response` result
 * that is retried has its unread body cancelled, freeing its connection. A call made with
 * `execute(fn, { repeatable: false })` is never retried.
 *
 * @param options - {@link RetryOptions}.
 * @throws InvalidOptionError for a bad or unknown option (`maxAttempts` must be an integer >= 1).
 * @example
 * ```ts
 * import { exponential, httpShouldHandle, retry, retryBudget } from 'firebreak';
 * const policy = retry({
 *   name: 'auth',
 *   maxAttempts: 3,
 *   backoff: exponential({ initial: 100, max: 2_000 }),
 *   shouldHandle: httpShouldHandle,
 *   budget: retryBudget({ name: 'auth', ratio: 0.1 }),
 * });
 * const response = await policy.execute((ctx) => fetch('http://127.0.0.1:8080/verify', { signal: ctx.signal }));
 * ```
 */
export function retry<T = unknown>(options?: RetryOptions<T>): RetryPolicy {
  const read = new OptionReader('retry', options, ['name', 'maxAttempts', 'backoff', 'shouldHandle', 'budget', 'clock']);
  return new Retry(
    read.string('name', 'retry'),
    read.integer('maxAttempts', 3, 1),
    readBackoff(read),
    read.optionalFunction<ShouldHandle>('shouldHandle') ?? retryErrors,
    readBudget(read),
    read.clock(),
  );
}

function readBackoff(read: OptionReader): Backoff {
  const backoff = read.optionalFunction<Backoff>('backoff');
  // `exponential` and `constant` make backoffs: passed uncalled, each would be taken for one.
  const given: unknown = backoff;
  if (given === exponential || given === constant) {
    read.fail('backoff', `a backoff: call the factory, as in \`${given === exponential ? 'exponential()' : 'constant(100)'}\``);
  }
  return backoff ?? (defaultBackoff ??= exponential({ initial: 100, max: 10_000, jitter: 'full' }));
}

/** The default backoff: stateless, so one is shared by every retry policy that takes it. */
let defaultBackoff: Backoff | undefined;

/** Reads the `budget` option of a policy that draws from a {@link RetryBudget}. */
export function readBudget(read: OptionReader): RetryBudget | undefined {
  const value = read.raw('budget') as Partial<RetryBudget> | null | undefined;
  if (value === undefined) return undefined;
  const ok = typeof value === 'object' && value !== null && typeof value.deposit === 'function' && typeof value.tryWithdraw === 'function';
  if (!ok) read.fail('budget', 'a RetryBudget (made by retryBudget())');
  return value as RetryBudget;
}
