/**
 * What a breaker publishes to its fleet at a sync: its news since the last one.
 *
 * @example
 * ```ts
 * import type { FleetBreakerReport } from 'firebreak';
 * const report: FleetBreakerReport = { opened: 10_000, probe: undefined, wantProbe: 0 };
 * ```
 */
export interface FleetBreakerReport {
  /** This replica's breaker opened by its own calls for this many ms (0: no new opening). */
  readonly opened: number;
  /** How this replica's fleet probe ended, when it held the probe lease: `'success'` closes the fleet. */
  readonly probe: 'success' | 'failure' | undefined;
  /** This replica's open time is up: it asks for the fleet's probe lease for this many ms (0: it does not). */
  readonly wantProbe: number;
  /**
   * The calls this replica's closed breaker saw since the last sync, to judge with those of the
   * other replicas in one fleet window: the fleet opens as soon as the replicas together reach
   * `minimumCalls` at the failure rate, not when each one has. Absent for a consecutive window.
   */
  readonly pool?: FleetBreakerPool;
}

/**
 * A breaker's calls since the last sync and the rules to judge the fleet's window of them by.
 *
 * @example
 * ```ts
 * import type { FleetBreakerPool } from 'firebreak';
 * const pool: FleetBreakerPool = { calls: 12, failures: 9, window: 5_000, buckets: 20, size: 20, minimumCalls: 10, failureRateThreshold: 0.5, openFor: 5_000 };
 * ```
 */
export interface FleetBreakerPool {
  readonly calls: number;
  readonly failures: number;
  /** Milliseconds of calls the fleet window holds. */
  readonly window: number;
  /** Buckets the fleet window is kept in (calls are filed by the time of their sync). */
  readonly buckets: number;
  /** A count window's size: the fleet judges its newest buckets holding this many calls (0: a time window, judged whole). */
  readonly size: number;
  readonly minimumCalls: number;
  readonly failureRateThreshold: number;
  /** Milliseconds the fleet opens for when its window trips. */
  readonly openFor: number;
}

/**
 * What a fleet tells a breaker at a sync. Durations are relative (ms from the sync's reply),
 * never wall-clock instants, so that no two clocks have to agree.
 *
 * @example
 * ```ts
 * import type { FleetBreakerView } from 'firebreak';
 * const quiet: FleetBreakerView = { openFor: 0, probeHeldFor: 0, probing: false, isolated: false, closed: null, replicas: 3 };
 * ```
 */
export interface FleetBreakerView {
  /** Milliseconds the fleet stays open: a quorum of replicas opened, or the fleet's window tripped (0: neither). */
  readonly openFor: number;
  /** Milliseconds left on another replica's probe lease (0: no other replica is probing). */
  readonly probeHeldFor: number;
  /** This replica holds the fleet's probe lease: it may let its probes through. */
  readonly probing: boolean;
  /** The breaker is isolated fleet-wide (an operator's kill switch). */
  readonly isolated: boolean;
  /** The token of the latest fleet-wide close (a good probe), or `null`; a new token closes the fleet. */
  readonly closed: string | null;
  /** Replicas seen alive recently. */
  readonly replicas: number;
}

/**
 * The breaker side of a fleet membership: the fleet asks for its report at each sync and hands
 * back the fleet's view, or says the sync failed (the breaker then runs on local state alone).
 *
 * @example
 * ```ts
 * import type { FleetBreakerMember } from 'firebreak';
 * const member: FleetBreakerMember = {
 *   report: () => ({ opened: 0, probe: undefined, wantProbe: 0 }),
 *   apply: (view) => console.log(view.openFor),
 *   lost: () => console.log('running on local state'),
 * };
 * ```
 */
export interface FleetBreakerMember {
  /** The news since the last sync; called once per sync, which then owns it. */
  report(): FleetBreakerReport;
  /** The fleet's answer to the report. */
  apply(view: FleetBreakerView): void;
  /** The sync failed or timed out: the report is lost and local state rules. */
  lost(): void;
}

/**
 * What a retry budget sends to its fleet at a sync: the counts since the last one.
 *
 * @example
 * ```ts
 * import type { FleetBudgetReport } from 'firebreak';
 * const report: FleetBudgetReport = { deposits: 120, unused: 2, unusedBucket: 17, want: 5 };
 * ```
 */
export interface FleetBudgetReport {
  /** Requests (first attempts) since the last sync. */
  readonly deposits: number;
  /** Retries granted at the last sync and not used: given back. */
  readonly unused: number;
  /** The fleet's bucket those retries were granted in (from the last view). */
  readonly unusedBucket: number;
  /** Retries this replica asks for until the next sync. */
  readonly want: number;
}

/**
 * A fleet's answer to a budget's report.
 *
 * @example
 * ```ts
 * import type { FleetBudgetView } from 'firebreak';
 * const view: FleetBudgetView = { granted: 5, requests: 3_000, retries: 40, available: 660, bucket: 17 };
 * ```
 */
export interface FleetBudgetView {
  /** Retries granted to this replica until the next sync. */
  readonly granted: number;
  /** Requests counted fleet-wide in the window. */
  readonly requests: number;
  /** Retries granted fleet-wide in the window. */
  readonly retries: number;
  /** Retries the fleet could still grant. */
  readonly available: number;
  /** The fleet's bucket of this grant, to give unused retries back to. */
  readonly bucket: number;
}

/**
 * The budget side of a fleet membership.
 *
 * @example
 * ```ts
 * import type { FleetBudgetMember } from 'firebreak';
 * const member: FleetBudgetMember = {
 *   report: () => ({ deposits: 0, unused: 0, unusedBucket: 0, want: 0 }),
 *   apply: (view) => console.log(view.granted),
 *   lost: () => console.log('running on the local budget'),
 * };
 * ```
 */
export interface FleetBudgetMember {
  report(): FleetBudgetReport;
  apply(view: FleetBudgetView): void;
  lost(): void;
}

/**
 * The rules of a fleet-wide retry budget.
 *
 * @example
 * ```ts
 * import type { FleetBudgetRules } from 'firebreak';
 * const rules: FleetBudgetRules = { ratio: 0.2, reserve: 100, window: 10_000 };
 * ```
 */
export interface FleetBudgetRules {
  readonly ratio: number;
  /** Retries the whole fleet may make with no traffic: `minPerSecond × window / 1000`. */
  readonly reserve: number;
  readonly window: number;
}

/**
 * The limits of a fleet-wide rate limiter (GCRA): one admission every `emission` ms on average,
 * `burst` at once after a quiet spell, for the whole fleet.
 *
 * @example
 * ```ts
 * import type { FleetLimiterRules } from 'firebreak';
 * const rules: FleetLimiterRules = { emission: 10, burst: 100 }; // 100 calls/s across the fleet
 * ```
 */
export interface FleetLimiterRules {
  readonly emission: number;
  readonly burst: number;
}

/**
 * What a rate limiter sends at a sync: the admissions it asks for until the next sync, and those
 * it was granted at the last one and did not use (given back).
 *
 * @example
 * ```ts
 * import type { FleetLimiterReport } from 'firebreak';
 * const report: FleetLimiterReport = { want: 12, unused: 3 };
 * ```
 */
export interface FleetLimiterReport {
  readonly want: number;
  readonly unused: number;
}

/**
 * A fleet's answer to a rate limiter: admissions granted until the next sync, and when the next
 * one would be free.
 *
 * @example
 * ```ts
 * import type { FleetLimiterView } from 'firebreak';
 * const view: FleetLimiterView = { granted: 12, retryAfter: 0, replicas: 3 };
 * ```
 */
export interface FleetLimiterView {
  readonly granted: number;
  /** Milliseconds until the fleet's limiter would admit another call. */
  readonly retryAfter: number;
  /** Replicas seen alive recently (a replica on its own takes its share of the rate). */
  readonly replicas: number;
}

/**
 * The rate limiter side of a fleet membership.
 *
 * @example
 * ```ts
 * import type { FleetLimiterMember } from 'firebreak';
 * const member: FleetLimiterMember = { report: () => ({ want: 1, unused: 0 }), apply: () => {}, lost: () => {} };
 * ```
 */
export interface FleetLimiterMember {
  report(): FleetLimiterReport;
  apply(view: FleetLimiterView): void;
  lost(): void;
}

/**
 * A membership of a policy in a fleet.
 *
 * @example
 * ```ts
 * import type { FleetMembership } from 'firebreak';
 * const membership: FleetMembership = { syncSoon: () => {}, connected: true };
 * ```
 */
export interface FleetMembership {
  /** Asks for a sync as soon as possible (news that should not wait for the next tick). */
  syncSoon(): void;
  /** Whether the fleet's store answered the last sync. */
  readonly connected: boolean;
}

/**
 * A handle on a fleet-wide isolation: `release()` ends it (calling it twice is harmless).
 *
 * @example
 * ```ts
 * import type { FleetIsolation } from 'firebreak';
 * const handle: FleetIsolation = { release: async () => {} };
 * ```
 */
export interface FleetIsolation {
  release(): Promise<void>;
}

/**
 * Replicas of one service sharing what they learn: the breakers and retry budgets given the same
 * `fleet` and the same `name` in every replica. This is the small interface the core relies on;
 * `redisFleet()` from `firebreak/redis` implements it on Redis, and another store could too.
 *
 * A fleet carries signals, never a lock: each policy decides every call locally and at once,
 * from its own state and the fleet's view of the last sync. When the store is down or slow, the
 * syncs fail (within a time limit) and every policy runs on local state alone.
 *
 * @example
 * ```ts
 * import { circuitBreaker, retryBudget, type Fleet } from 'firebreak';
 * declare const fleet: Fleet; // redisFleet({ client }) from 'firebreak/redis'
 * const breaker = circuitBreaker({ name: 'auth', fleet });
 * const budget = retryBudget({ name: 'auth', fleet });
 * ```
 */
export interface Fleet {
  /** The fleet's name, for metrics. */
  readonly name: string;
  /** Whether the store answered the last operation. */
  readonly connected: boolean;
  /** Joins the breaker `name`; the fleet holds the member weakly, so a dropped breaker leaves. */
  joinBreaker(name: string, member: FleetBreakerMember): FleetMembership;
  /** Joins the retry budget `name` with `rules` (the same in every replica). */
  joinBudget(name: string, rules: FleetBudgetRules, member: FleetBudgetMember): FleetMembership;
  /** Joins the rate limiter `name` with `rules` (the same in every replica). */
  joinLimiter(name: string, rules: FleetLimiterRules, member: FleetLimiterMember): FleetMembership;
  /**
   * Isolates the breaker `name` in every replica (an operator's kill switch) until released, or
   * for `ttl` ms when given (then it outlives this process). Without `ttl`, this process renews
   * the isolation while it lives; it lapses soon after the process dies.
   */
  isolate(name: string, options?: { readonly ttl?: number }): Promise<FleetIsolation>;
  /** Stops syncing and releases this process's isolations; the fleet's keys expire on their own. */
  close(): Promise<void>;
}
