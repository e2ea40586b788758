import type { Clock } from '../clock.js';
import { entryNow } from '../entry-clock.js';
import type { Fleet } from '../fleet/fleet.js';
import { readFleet } from '../fleet/read-fleet.js';
import { OptionReader } from '../options.js';
import { FleetBudget } from './fleet-budget.js';

/**
 * Options of {@link retryBudget}.
 *
 * @example
 * ```ts
 * import { retryBudget, type RetryBudgetOptions } from 'firebreak';
 * const options: RetryBudgetOptions = { name: 'auth', ratio: 0.1, minPerSecond: 5 };
 * const budget = retryBudget(options);
 * ```
 */
export interface RetryBudgetOptions {
  /** Name for events and metrics. @default 'retry-budget' */
  readonly name?: string;
  /** Retries allowed per request made in the window (0.2: retries add at most 20 % to the load). @default 0.2 */
  readonly ratio?: number;
  /** Retries per second allowed whatever the traffic, so that low-traffic callers can retry. @default 10 */
  readonly minPerSecond?: number;
  /** How long, in milliseconds, a request or a retry counts toward the budget. @default 10_000 */
  readonly window?: number;
  /** Source of time. @default systemClock */
  readonly clock?: Clock;
  /**
   * Replicas to share one budget with (budgets of the same `name`): `redisFleet()` from
   * `firebreak/redis`. The fleet then allows `ratio` of the whole fleet's requests plus one
   * reserve, not one reserve per replica; this replica's own budget decides while the fleet is
   * unreachable. @default none: this process alone
   */
  readonly fleet?: Fleet;
}

/**
 * What a {@link RetryBudget} holds now.
 *
 * @example
 * ```ts
 * import { retryBudget, type RetryBudgetStats } from 'firebreak';
 * const stats: RetryBudgetStats = retryBudget().stats;
 * console.log(stats.available); // 100: the reserve, 10 per second over 10 s
 * ```
 */
export interface RetryBudgetStats {
  /** Retries that would be granted now. */
  readonly available: number;
  /** Requests (first attempts) counted in the current window. */
  readonly requests: number;
  /** Retries granted in the current window. */
  readonly retries: number;
  /** Retries refused since the budget was created. */
  readonly exhausted: number;
}

/**
 * A shared cap on retries: see {@link retryBudget}.
 *
 * @example
 * ```ts
 * import { retryBudget, type RetryBudget } from 'firebreak';
 * const budget: RetryBudget = retryBudget({ name: 'auth' });
 * console.log(budget.name, budget.stats.available);
 * ```
 */
export interface RetryBudget {
  /** The name used in metrics. */
  readonly name: string;
  /** Retries allowed per request in the window. */
  readonly ratio: number;
  /** Retries per second allowed whatever the traffic. */
  readonly minPerSecond: number;
  /** How long, in milliseconds, a request or a retry counts. */
  readonly window: number;
  /** The retries available with no traffic at all: `minPerSecond × window / 1000`. */
  readonly reserve: number;
  /** The counts now (read at each access). */
  readonly stats: RetryBudgetStats;
  /** Counts one request (a first attempt). Retry policies call it; you rarely need to. */
  deposit(): void;
  /** Takes one retry from the budget: true when granted, false (counted in `exhausted`) when not. */
  tryWithdraw(): boolean;
}

/**
 * The number of buckets a window is split into. Requests count over the last `BUCKETS` buckets
 * (between 0.9 and 1 window), retries over the last `BUCKETS + 1` (between 1 and 1.1 windows), so
 * that the retries granted in the window before any grant never exceed the ratio of the requests
 * in that window plus the reserve.
 */
const BUCKETS = 10;
const SLOTS = BUCKETS + 1;

class Budget implements RetryBudget {
  readonly reserve: number;
  /** Requests per slot. */
  readonly #requests = new Array<number>(SLOTS).fill(0);
  /** Retries per slot: made by the first retry granted (a budget that never grants one holds none). */
  #retries: number[] | undefined;
  /** Requests over every slot (the oldest one included). */
  #requestSum = 0;
  /** Retries over every slot. */
  #retrySum = 0;
  #exhausted = 0;
  #bucket: number;

  constructor(
    readonly name: string,
    readonly ratio: number,
    readonly minPerSecond: number,
    readonly window: number,
    readonly clock: Clock,
  ) {
    this.reserve = (minPerSecond * window) / 1000;
    this.#bucket = bucketAt(clock.now(), window);
  }

  get stats(): RetryBudgetStats {
    const slot = Budget.#advance(this);
    const requests = Budget.#requestsInWindow(this, slot);
    return {
      available: Math.max(0, Math.floor(this.ratio * requests + this.reserve - this.#retrySum)),
      requests,
      retries: this.#retrySum,
      exhausted: this.#exhausted,
    };
  }

  deposit(): void {
    const slot = Budget.#advance(this);
    this.#requests[slot]!++;
    this.#requestSum++;
  }

  tryWithdraw(): boolean {
    const slot = Budget.#advance(this);
    if (this.#retrySum + 1 > this.ratio * Budget.#requestsInWindow(this, slot) + this.reserve) {
      this.#exhausted++;
      return false;
    }
    (this.#retries ??= new Array<number>(SLOTS).fill(0))[slot]!++;
    this.#retrySum++;
    return true;
  }

  // The helpers below are static: a private instance method would cost every budget a slot (its class brand).

  /** Requests in the last `BUCKETS` buckets: all but the oldest slot. */
  static #requestsInWindow(budget: Budget, slot: number): number {
    return budget.#requestSum - budget.#requests[(slot + 1) % SLOTS]!;
  }

  /** Empties the slots of the buckets that ended since the last call; returns the current slot. */
  static #advance(budget: Budget): number {
    const bucket = bucketAt(entryNow(budget.clock), budget.window);
    const passed = Math.min(bucket - budget.#bucket, SLOTS);
    for (let i = 1; i <= passed; i++) {
      const slot = slotOf(budget.#bucket + i);
      budget.#requestSum -= budget.#requests[slot]!;
      budget.#requests[slot] = 0;
      const retries = budget.#retries;
      if (retries !== undefined) {
        budget.#retrySum -= retries[slot]!;
        retries[slot] = 0;
      }
    }
    if (passed > 0) budget.#bucket = bucket;
    return slotOf(budget.#bucket);
  }
}

/** The number of the bucket of a `window` split in `BUCKETS` that clock time `now` falls in. */
function bucketAt(now: number, window: number): number {
  return Math.floor((now * BUCKETS) / window);
}

function slotOf(bucket: number): number {
  return ((bucket % SLOTS) + SLOTS) % SLOTS;
}

/**
 * A cap on retries shared by any number of retry policies: each request (first attempt) deposits,
 * each retry withdraws, and a retry is granted only while the retries of the last `window` stay
 * within `ratio ×` its requests plus a reserve of `minPerSecond × window / 1000`.
 *
 * Use one per dependency, shared by every caller in the process: when the dependency fails,
 * retries then add at most `ratio` to its load instead of multiplying it by `maxAttempts`. An
 * exhausted budget only stops new retries; work in flight runs on. Each call costs O(1), however
 * heavy the traffic: counts are kept in 10 buckets per window.
 *
 * @param options - {@link RetryBudgetOptions}.
 * @throws InvalidOptionError for a negative, infinite or NaN ratio or rate, a window under 1 ms, or an unknown option.
 * @example
 * ```ts
 * import { retry, retryBudget } from 'firebreak';
 * const authBudget = retryBudget({ name: 'auth', ratio: 0.1 });
 * const login = retry({ name: 'auth-login', budget: authBudget });
 * const verify = retry({ name: 'auth-verify', budget: authBudget });
 * ```
 */
export function retryBudget(options?: RetryBudgetOptions): RetryBudget {
  const read = new OptionReader('retryBudget', options, ['name', 'ratio', 'minPerSecond', 'window', 'clock', 'fleet']);
  const budget = new Budget(
    read.string('name', 'retry-budget'),
    read.number('ratio', 0.2, 0),
    read.number('minPerSecond', 10, 0),
    read.duration('window', 10_000, { min: 1 }),
    read.clock(),
  );
  const fleet = readFleet(read);
  return fleet === undefined ? budget : new FleetBudget(budget, fleet);
}
