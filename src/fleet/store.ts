import type {
  FleetBreakerReport,
  FleetBreakerView,
  FleetBudgetReport,
  FleetBudgetRules,
  FleetBudgetView,
  FleetLimiterReport,
  FleetLimiterRules,
  FleetLimiterView,
} from './fleet.js';

/**
 * What one replica tells the store about itself at every breaker sync.
 *
 * @example
 * ```ts
 * import type { FleetReplica } from 'firebreak';
 * const replica: FleetReplica = { id: 'a1b2c3', quorum: 2, liveFor: 1_000 };
 * ```
 */
export interface FleetReplica {
  /** This replica's id: also the token of its probe lease and isolations. */
  readonly id: string;
  /** Replicas whose openings open the fleet: a count (>= 1), or a share of live replicas in (0, 1). */
  readonly quorum: number;
  /** Milliseconds a replica counts as live after its last sync. */
  readonly liveFor: number;
}

/**
 * The storage engine under {@link storeFleet}: five operations, each one atomic round trip.
 * `firebreak/redis` implements it with Lua scripts; implement it to run a fleet on another store.
 * Every key it writes must expire on its own.
 *
 * @example
 * ```ts
 * import type { FleetStore } from 'firebreak';
 * declare const store: FleetStore; // redisStore(client) from 'firebreak/redis'
 * const view = await store.syncBreaker('auth', { id: 'r1', quorum: 1, liveFor: 1_000 }, { opened: 0, probe: undefined, wantProbe: 0 });
 * ```
 */
export interface FleetStore {
  /** Publishes a breaker's report and reads the fleet's view of that breaker, atomically. */
  syncBreaker(name: string, replica: FleetReplica, report: FleetBreakerReport): Promise<FleetBreakerView>;
  /** Adds a budget's counts and takes the retries it asks for, atomically. */
  syncBudget(name: string, replica: FleetReplica, rules: FleetBudgetRules, report: FleetBudgetReport): Promise<FleetBudgetView>;
  /** Gives back a limiter's unused admissions and takes what it asks for, by GCRA on the store's clock, atomically. */
  syncLimiter(name: string, replica: FleetReplica, rules: FleetLimiterRules, report: FleetLimiterReport): Promise<FleetLimiterView>;
  /** Isolates breaker `name` fleet-wide for `ttl` ms under `token` (renewing an existing one). */
  isolate(name: string, token: string, ttl: number): Promise<void>;
  /** Ends the isolation `token` of breaker `name`. */
  release(name: string, token: string): Promise<void>;
  /** Subscribes to errors the client reports outside of any operation (a lost connection). */
  onError?(listener: (error: unknown) => void): () => void;
}
