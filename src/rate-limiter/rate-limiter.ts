import { ADMIT, HOLD, NOT_NOW, PASS_ERROR, PASS_VALUE, type AdmissionStage } from '../admission-stage.js';
import type { Clock } from '../clock.js';
import { entryNow } from '../entry-clock.js';
import type { Context } from '../context.js';
import { rateLimitedError } from '../errors/rate-limited-error.js';
import { heard, tell, Topic } from '../diagnostics.js';
import { EventList, type Subscribe, type Unsubscribe } from '../events.js';
import { OptionReader } from '../options.js';
import { callSafely, PolicyBase, type ObservablePolicy, type Operation } from '../policy.js';
import { sleep } from '../retry/sleep.js';
import type { Fleet } from '../fleet/fleet.js';
import { readFleet } from '../fleet/read-fleet.js';
import { LimiterFleetLink } from './fleet-link.js';
import { gcra, gcraRemaining, type GcraParams } from './gcra.js';

/**
 * Options of {@link rateLimiter}.
 *
 * @example
 * ```ts
 * import { rateLimiter, type RateLimiterOptions } from 'firebreak';
 * const options: RateLimiterOptions = { name: 'search', rate: 50, interval: 1_000, burst: 10, maxWait: 200 };
 * const limiter = rateLimiter(options);
 * ```
 */
export interface RateLimiterOptions {
  /** Name for errors, events and metrics. @default 'rate-limiter' */
  readonly name?: string;
  /** Calls allowed per `interval` at the sustained rate (a number > 0; 0.5 per second is fine). */
  readonly rate: number;
  /** The span `rate` is counted over, in milliseconds. @default 1_000 */
  readonly interval?: number;
  /** Calls that may pass at once after a quiet spell (a number >= 1). @default max(1, rate) */
  readonly burst?: number;
  /**
   * The longest a call may wait for its turn, in milliseconds; a call that would wait longer is
   * rejected at once. The wait ends when the call's signal aborts. @default 0 (never waits)
   */
  readonly maxWait?: number;
  /** Source of time and timers. @default systemClock */
  readonly clock?: Clock;
  /**
   * Replicas to share the limit with (limiters of the same `name`): `redisFleet()` from
   * `firebreak/redis`. The rate and burst are then the whole fleet's, decided by GCRA on the
   * store's clock in batches; calls never wait (`maxWait` applies while the replica decides
   * alone, on its share of the rate, when the fleet is unreachable). @default none
   */
  readonly fleet?: Fleet;
}

/**
 * Emitted when the limiter turns a call away.
 *
 * @example
 * ```ts
 * import { rateLimiter, type RateLimitedEvent } from 'firebreak';
 * rateLimiter({ rate: 10 }).onRejected((event: RateLimitedEvent) => console.log(`limited, next call in ${event.retryAfter} ms`));
 * ```
 */
export interface RateLimitedEvent {
  /** Milliseconds until a call would be admitted without waiting. */
  readonly retryAfter: number;
}

/**
 * Emitted when a call is let through, at once or after waiting for its turn.
 *
 * @example
 * ```ts
 * import { rateLimiter, type RateLimitAdmittedEvent } from 'firebreak';
 * rateLimiter({ rate: 10, maxWait: 500 }).onAdmitted((event: RateLimitAdmittedEvent) => console.log(`waited ${event.waited} ms`));
 * ```
 */
export interface RateLimitAdmittedEvent {
  /** Milliseconds the call waited for its turn; 0 for a call admitted on arrival. */
  readonly waited: number;
}

/**
 * What a rate limiter allows now.
 *
 * @example
 * ```ts
 * import { rateLimiter, type RateLimiterStats } from 'firebreak';
 * const stats: RateLimiterStats = rateLimiter({ rate: 5 }).stats;
 * console.log(stats.remaining); // 5
 * ```
 */
export interface RateLimiterStats {
  /** Calls that would pass at once now, without waiting. */
  readonly remaining: number;
}

/**
 * A rate limiter: see {@link rateLimiter}.
 *
 * @example
 * ```ts
 * import { rateLimiter, type RateLimiterPolicy } from 'firebreak';
 * const limiter: RateLimiterPolicy = rateLimiter({ rate: 100, burst: 20 });
 * console.log(limiter.rate, limiter.interval, limiter.burst, limiter.maxWait); // 100 1000 20 0
 * ```
 */
export interface RateLimiterPolicy extends ObservablePolicy {
  /** Calls allowed per `interval`. */
  readonly rate: number;
  /** Milliseconds `rate` is counted over. */
  readonly interval: number;
  /** Calls that may pass at once after a quiet spell. */
  readonly burst: number;
  /** The longest a call may wait for its turn, in milliseconds. */
  readonly maxWait: number;
  /** What the limiter allows now. */
  readonly stats: RateLimiterStats;
  /** Subscribes to rejections. */
  readonly onRejected: Subscribe<RateLimitedEvent>;
  /** Subscribes to admissions, with the time each call waited. */
  readonly onAdmitted: Subscribe<RateLimitAdmittedEvent>;
}

const ADMITTED_AT_ONCE: RateLimitAdmittedEvent = Object.freeze({ waited: 0 });
const RATE_LIMITERS = new Topic('rate-limiter');

class RateLimiter extends PolicyBase implements RateLimiterPolicy, AdmissionStage {
  #rejected: EventList<RateLimitedEvent> | undefined;
  #admitted: EventList<RateLimitAdmittedEvent> | undefined;
  /** The theoretical arrival time: the one timestamp of GCRA state. */
  #tat = -Infinity;
  readonly #params: GcraParams;
  readonly #link: LimiterFleetLink | undefined;

  constructor(
    name: string,
    readonly rate: number,
    readonly interval: number,
    readonly burst: number,
    readonly maxWait: number,
    readonly clock: Clock,
    fleet: Fleet | undefined,
  ) {
    super(name);
    this.#params = { emission: interval / rate, burst, maxWait };
    this.#link = fleet === undefined ? undefined : new LimiterFleetLink(fleet, name, this.#params);
  }

  onRejected(listener: (event: RateLimitedEvent) => void): Unsubscribe {
    return (this.#rejected ??= new EventList()).subscribe(listener);
  }

  onAdmitted(listener: (event: RateLimitAdmittedEvent) => void): Unsubscribe {
    return (this.#admitted ??= new EventList()).subscribe(listener);
  }

  get stats(): RateLimiterStats {
    return { remaining: gcraRemaining(this.#tat, this.clock.now(), this.#params) };
  }

  invoke<T>(ctx: Context, fn: Operation<T>): Promise<T> {
    const link = this.#link;
    if (link?.active) return link.take() ? this.#admit(ctx, fn) : this.#reject(link.retryAfter);
    const decision = this.#decide();
    if (!decision.allowed) return this.#reject(decision.retryAfter);
    this.#tat = decision.tat;
    if (decision.delay === 0) return this.#admit(ctx, fn);
    return this.#wait(ctx, fn, decision.tat, decision.delay);
  }

  /** The decision for a call arriving now (one clock reading per call entry). */
  #decide(): ReturnType<typeof gcra> {
    const link = this.#link;
    return gcra(this.#tat, entryNow(this.clock), link === undefined ? this.#params : link.share(this.#params));
  }

  /** Admits a call under the limit with no wait; a call over it is rejected; one that must wait, or a fleet's, goes through {@link invoke}. */
  [ADMIT](): unknown {
    if (this.#link?.active) return NOT_NOW;
    const decision = this.#decide();
    if (!decision.allowed) {
      this.#tellRejected(decision.retryAfter);
      throw rateLimitedError(this.name, decision.retryAfter);
    }
    if (decision.delay > 0) return NOT_NOW;
    this.#tat = decision.tat;
    this.#tellAdmitted();
    return true;
  }

  [PASS_VALUE](_ticket: unknown, _ctx: Context, value: unknown): unknown {
    return value;
  }

  [PASS_ERROR](_ticket: unknown, _ctx: Context, error: unknown): never {
    throw error;
  }

  [HOLD](): void {}

  #tellAdmitted(): void {
    if (heard(this.#admitted, RATE_LIMITERS)) tell(this.#admitted, RATE_LIMITERS, this, 'admitted', ADMITTED_AT_ONCE);
  }

  #tellRejected(retryAfter: number): void {
    if (heard(this.#rejected, RATE_LIMITERS)) tell(this.#rejected, RATE_LIMITERS, this, 'rejected', { retryAfter });
  }

  #admit<T>(ctx: Context, fn: Operation<T>): Promise<T> {
    this.#tellAdmitted();
    return callSafely(fn, ctx);
  }

  #reject(retryAfter: number): Promise<never> {
    this.#tellRejected(retryAfter);
    return Promise.reject(rateLimitedError(this.name, retryAfter));
  }

  /** Waits for the booked turn, then runs `fn`; an abort gives the turn back if no later call booked after it. */
  #wait<T>(ctx: Context, fn: Operation<T>, booked: number, delay: number): Promise<T> {
    const scope = ctx.scope;
    if (scope.aborted) return this.#giveBack(booked, scope.reason);
    return sleep(this.clock, delay, scope.canAbort ? ctx.signal : undefined).then(
      () => {
        if (heard(this.#admitted, RATE_LIMITERS)) tell(this.#admitted, RATE_LIMITERS, this, 'admitted', { waited: delay });
        return callSafely(fn, ctx);
      },
      (reason: unknown) => this.#giveBack(booked, reason),
    );
  }

  #giveBack(booked: number, reason: unknown): Promise<never> {
    if (this.#tat === booked) this.#tat = booked - this.#params.emission;
    return Promise.reject(reason);
  }
}

/**
 * Limits the rate of calls to `rate` per `interval` ms, with bursts of up to `burst` calls, by
 * the Generic Cell Rate Algorithm (GCRA): one timestamp of state, O(1) per call, and over any
 * span of `T` ms at most `burst + rate × T / interval` calls pass. A call over the limit is
 * rejected at once with a {@link RateLimitedError} whose `retryAfter` is exactly the time until
 * a call would pass, or, with `maxWait`, waits for its turn if that comes within `maxWait` ms
 * (the wait ends when the call's signal aborts, and the turn is given back).
 *
 * Use it to stay within a quota a dependency enforces (an API's requests per second), or to
 * protect a dependency from your own bursts. The rejection is a fast-fail: not retried by
 * default, never a breaker failure.
 *
 * @param options - {@link RateLimiterOptions}.
 * @throws InvalidOptionError for a missing or non-positive `rate`, a `burst` below 1, a negative
 * or infinite `maxWait`, or an unknown option.
 * @example
 * ```ts
 * import { rateLimiter, RateLimitedError } from 'firebreak';
 * const github = rateLimiter({ name: 'github', rate: 5_000, interval: 3_600_000, burst: 100 });
 * try {
 *   await github.execute((ctx) => fetch('https://api.github.com/rate_limit', { signal: ctx.signal }));
 * } catch (error) {
 *   if (error instanceof RateLimitedError) console.log(`try again in ${error.retryAfter} ms`);
 * }
 * ```
 */
export function rateLimiter(options: RateLimiterOptions): RateLimiterPolicy {
  const read = new OptionReader('rateLimiter', options, ['name', 'rate', 'interval', 'burst', 'maxWait', 'clock', 'fleet']);
  if (!read.has('rate')) read.fail('rate', 'a finite number > 0');
  const rate = read.number('rate', 1, 0, true);
  return new RateLimiter(
    read.string('name', 'rate-limiter'),
    rate,
    read.number('interval', 1_000, 0, true),
    read.number('burst', Math.max(1, rate), 1),
    read.duration('maxWait', 0),
    read.clock(),
    readFleet(read),
  );
}
