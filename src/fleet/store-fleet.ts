import { bulkhead } from '../bulkhead/bulkhead.js';
import { circuitBreaker, type CircuitBreakerPolicy } from '../circuit-breaker/circuit-breaker.js';
import type { Clock, TimerHandle } from '../clock.js';
import { isFastFail } from '../errors/fast-fail.js';
import { EventList, type Unsubscribe } from '../events.js';
import { OptionReader } from '../options.js';
import { pipeline, type Pipeline } from '../pipeline.js';
import { timeout, type TimeoutPolicy } from '../timeout/timeout.js';
import type {
  Fleet,
  FleetBreakerMember,
  FleetBreakerReport,
  FleetBudgetMember,
  FleetBudgetReport,
  FleetBudgetRules,
  FleetIsolation,
  FleetLimiterMember,
  FleetLimiterReport,
  FleetLimiterRules,
  FleetMembership,
} from './fleet.js';
import type { FleetReplica, FleetStore } from './store.js';

/**
 * Options of {@link storeFleet} (and of `redisFleet`, which adds the client).
 *
 * @example
 * ```ts
 * import type { StoreFleetOptions } from 'firebreak';
 * const options: Omit<StoreFleetOptions, 'store'> = { name: 'gateway', quorum: 2, storeTimeout: 50, syncInterval: 250 };
 * ```
 */
export interface StoreFleetOptions {
  /** The storage engine. */
  readonly store: FleetStore;
  /** Name for metrics. @default 'fleet' */
  readonly name?: string;
  /**
   * Replicas that must report an opening (each within its own open time) before the other
   * replicas open too: a count (an integer >= 1) or a share of the live replicas in (0, 1).
   * @default 1
   */
  readonly quorum?: number;
  /** Milliseconds each store operation may take before it counts as failed. @default 50 */
  readonly storeTimeout?: number;
  /**
   * Milliseconds between two syncs of each policy with the store: the delay before a replica
   * learns what the others published, and the store operations per policy and replica
   * (1000 / syncInterval per second, whatever the traffic). @default 250
   */
  readonly syncInterval?: number;
  /** Source of time and timers. @default systemClock */
  readonly clock?: Clock;
}

/**
 * What a fleet has seen of its store.
 *
 * @example
 * ```ts
 * import type { FleetStats } from 'firebreak';
 * const stats: FleetStats = { connected: true, syncs: 120, storeErrors: 0, members: 2 };
 * ```
 */
export interface FleetStats {
  /** Whether the store answered the last operation (and its breaker is closed). */
  readonly connected: boolean;
  /** Store operations that answered. */
  readonly syncs: number;
  /** Store operations that failed or ran past `storeTimeout`. */
  readonly storeErrors: number;
  /** Policies in the fleet. */
  readonly members: number;
}

/**
 * A {@link Fleet} with its counts and events, as {@link storeFleet} and `redisFleet` make it.
 *
 * @example
 * ```ts
 * import type { StoreFleet } from 'firebreak';
 * declare const fleet: StoreFleet;
 * fleet.onStoreError(({ error }) => console.warn('fleet store:', error));
 * console.log(fleet.stats.storeErrors);
 * ```
 */
export interface StoreFleet extends Fleet {
  /** The counts now. */
  readonly stats: FleetStats;
  /** The id of this replica in the fleet. */
  readonly replica: string;
  /** Emitted for each failed store operation (callers never see these errors). */
  onStoreError(listener: (event: { readonly error: unknown }) => void): Unsubscribe;
  /** Emitted when the link to the store comes up or goes down. */
  onConnectedChange(listener: (event: { readonly connected: boolean }) => void): Unsubscribe;
}

/** A member as the fleet holds it (weakly): its kind is known to the sync made for it. */
type AnyMember = object;

/** What every member is: a report to send, an answer to apply, a lost sync to survive. */
interface Member<R, V> {
  report(): R;
  apply(view: V): void;
  lost(): void;
}

type Sync = (entry: Entry, member: AnyMember) => Promise<void>;

interface Entry {
  readonly member: WeakRef<AnyMember>;
  readonly run: Pipeline;
  sync: Sync;
  running: boolean;
  again: boolean;
}

interface Hold {
  readonly name: string;
  readonly token: string;
}

let replicas = 0;

function replicaId(): string {
  const random = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto?.randomUUID?.();
  return random === undefined ? `${Date.now().toString(36)}-${++replicas}` : random.slice(0, 13);
}

class Fleetwide implements StoreFleet {
  readonly replica = replicaId();
  readonly #store: FleetStore;
  readonly #clock: Clock;
  readonly #self: FleetReplica;
  readonly #syncInterval: number;
  readonly #storeTimeout: TimeoutPolicy;
  readonly #storeBreaker: CircuitBreakerPolicy;
  readonly #entries = new Set<Entry>();
  readonly #holds = new Set<Hold>();
  readonly #holdRun: Pipeline;
  #holdsSent = 0;
  #timer: TimerHandle | undefined;
  #closed = false;
  #answered = false;
  #syncs = 0;
  #storeErrors = 0;
  #errors: EventList<{ readonly error: unknown }> | undefined;
  #connectedChanges: EventList<{ readonly connected: boolean }> | undefined;
  readonly #stopClientErrors: Unsubscribe | undefined;

  constructor(
    readonly name: string,
    store: FleetStore,
    quorum: number,
    storeTimeout: number,
    syncInterval: number,
    clock: Clock,
  ) {
    this.#store = store;
    this.#clock = clock;
    this.#syncInterval = syncInterval;
    this.#self = { id: this.replica, quorum, liveFor: Math.max(3 * syncInterval, 1_000) };
    this.#storeTimeout = timeout({ name: `${name}-store`, duration: storeTimeout, clock });
    this.#storeBreaker = circuitBreaker({
      name: `${name}-store`,
      window: { type: 'consecutive', failures: 3 },
      openFor: (opens) => Math.min(syncInterval * 2 ** (opens - 1), 30_000),
      halfOpen: { maxCalls: 1, probeTimeout: storeTimeout * 4 },
      clock,
    });
    this.#storeBreaker.onOpen(() => this.#setConnected(false));
    this.#holdRun = this.#guard();
    this.#stopClientErrors = store.onError?.((error) => this.#failed(error));
    this.#schedule();
  }

  get connected(): boolean {
    return this.#answered && this.#storeBreaker.state === 'closed';
  }

  get stats(): FleetStats {
    return { connected: this.connected, syncs: this.#syncs, storeErrors: this.#storeErrors, members: this.#entries.size };
  }

  onStoreError(listener: (event: { readonly error: unknown }) => void): Unsubscribe {
    return (this.#errors ??= new EventList()).subscribe(listener);
  }

  onConnectedChange(listener: (event: { readonly connected: boolean }) => void): Unsubscribe {
    return (this.#connectedChanges ??= new EventList()).subscribe(listener);
  }

  joinBreaker(name: string, member: FleetBreakerMember): FleetMembership {
    return this.#link(member, (report: FleetBreakerReport) => this.#store.syncBreaker(name, this.#self, report));
  }

  joinBudget(name: string, rules: FleetBudgetRules, member: FleetBudgetMember): FleetMembership {
    return this.#link(member, (report: FleetBudgetReport) => this.#store.syncBudget(name, this.#self, rules, report));
  }

  joinLimiter(name: string, rules: FleetLimiterRules, member: FleetLimiterMember): FleetMembership {
    return this.#link(member, (report: FleetLimiterReport) => this.#store.syncLimiter(name, this.#self, rules, report));
  }

  async isolate(name: string, options?: { readonly ttl?: number }): Promise<FleetIsolation> {
    const read = new OptionReader('fleet.isolate', options, ['ttl']);
    const ttl = read.duration('ttl', 0, { min: 1 });
    const hold: Hold = { name, token: `${this.replica}:${++this.#holdsSent}` };
    await this.#holdRun.execute(() => this.#store.isolate(name, hold.token, ttl > 0 ? ttl : this.#self.liveFor));
    if (ttl === 0) this.#holds.add(hold);
    let released = false;
    return {
      release: async () => {
        if (released) return;
        released = true;
        this.#holds.delete(hold);
        await this.#holdRun.execute(() => this.#store.release(name, hold.token));
      },
    };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#stopClientErrors?.();
    this.#entries.clear();
    const holds = [...this.#holds];
    this.#holds.clear();
    await Promise.allSettled(holds.map((hold) => this.#holdRun.execute(() => this.#store.release(hold.name, hold.token))));
  }

  /** Joins `member`: each sync sends its report through `operation` and hands it the answer, or tells it the sync was lost. */
  #link<R, V>(member: Member<R, V>, operation: (report: R) => Promise<V>): FleetMembership {
    return this.#join(member, async (entry, target) => {
      const joined = target as Member<R, V>;
      const report = joined.report();
      try {
        joined.apply(await this.#call(entry, () => operation(report)));
      } catch {
        joined.lost();
      }
    });
  }

  #join(member: AnyMember, sync: Sync): FleetMembership {
    const entry: Entry = { member: new WeakRef(member), run: this.#guard(), sync, running: false, again: false };
    this.#entries.add(entry);
    queueMicrotask(() => this.#run(entry));
    const connected = (): boolean => this.connected;
    return {
      syncSoon: () => this.#run(entry),
      get connected() {
        return connected();
      },
    };
  }

  #guard(): Pipeline {
    return pipeline(this.#storeBreaker, bulkhead({ name: `${this.name}-store`, concurrency: 1 }), this.#storeTimeout);
  }

  #call<T>(entry: Entry, operation: () => Promise<T>): Promise<T> {
    return entry.run.execute(operation).then(
      (value) => {
        this.#syncs++;
        this.#setConnected(true);
        return value;
      },
      (error: unknown) => {
        if (!isFastFail(error)) this.#failed(error);
        throw error;
      },
    );
  }

  #failed(error: unknown): void {
    this.#storeErrors++;
    if (this.#errors?.active) this.#errors.emit({ error });
    this.#setConnected(false);
  }

  #setConnected(answered: boolean): void {
    const before = this.connected;
    this.#answered = answered;
    const after = this.connected;
    if (before !== after && this.#connectedChanges?.active) this.#connectedChanges.emit({ connected: after });
  }

  #schedule(): void {
    if (this.#closed) return;
    this.#timer = this.#clock.setTimeout(() => this.#tick(), this.#syncInterval, true);
  }

  #tick(): void {
    for (const entry of this.#entries) {
      if (entry.member.deref() === undefined) this.#entries.delete(entry);
      else this.#run(entry);
    }
    for (const hold of this.#holds) {
      this.#holdRun.execute(() => this.#store.isolate(hold.name, hold.token, this.#self.liveFor)).catch(() => undefined);
    }
    this.#schedule();
  }

  /** Syncs one member now, or right after its sync in flight: never two at once. */
  #run(entry: Entry): void {
    if (this.#closed) return;
    if (entry.running) {
      entry.again = true;
      return;
    }
    const member = entry.member.deref();
    if (member === undefined) return;
    entry.running = true;
    void entry.sync(entry, member).finally(() => {
      entry.running = false;
      if (!entry.again) return;
      entry.again = false;
      this.#run(entry);
    });
  }
}

/**
 * A {@link Fleet} on any {@link FleetStore}: each policy that joins syncs with the store every
 * `syncInterval` ms (and at once when it has news), one atomic operation per sync, so the store
 * sees `1000 / syncInterval` operations per second per policy and replica, whatever the traffic.
 * Every operation runs through a timeout (`storeTimeout`), a bulkhead of one per policy (an
 * operation that outlives its timeout still holds it, so a stalled store never piles operations
 * up) and a circuit breaker of the store's own (three failures in a row stop the syncs for a
 * while); a failed sync leaves each policy on its local state, and callers never see a store
 * error. Timers are unref'd: a fleet never keeps the process alive.
 *
 * Use `redisFleet()` from `firebreak/redis`; call this one to run a fleet on another store.
 *
 * @param options - {@link StoreFleetOptions}.
 * @throws InvalidOptionError for a bad or unknown option.
 * @example
 * ```ts
 * import { circuitBreaker, storeFleet, type FleetStore } from 'firebreak';
 * declare const store: FleetStore;
 * const fleet = storeFleet({ store, name: 'gateway', quorum: 2 });
 * const breaker = circuitBreaker({ name: 'auth', fleet });
 * await fleet.close();
 * ```
 */
export function storeFleet(options: StoreFleetOptions): StoreFleet {
  const read = new OptionReader('storeFleet', options, ['store', 'name', 'quorum', 'storeTimeout', 'syncInterval', 'clock']);
  const store = read.raw('store') as Partial<FleetStore> | undefined;
  const ok = typeof store === 'object' && store !== null && STORE_METHODS.every((key) => typeof store[key] === 'function');
  if (!ok) read.fail('store', 'a FleetStore (syncBreaker, syncBudget, syncLimiter, isolate, release)');
  return fleetFrom(read, store as FleetStore);
}

const STORE_METHODS = ['syncBreaker', 'syncBudget', 'syncLimiter', 'isolate', 'release'] as const;

/** Builds a fleet on `store` from the common options, read by `storeFleet` or `redisFleet`. */
export function fleetFrom(read: OptionReader, store: FleetStore): StoreFleet {
  const quorum = read.number('quorum', 1, 0, true);
  if (quorum > 1 && !Number.isInteger(quorum)) read.fail('quorum', 'an integer >= 1 or a share in (0, 1)');
  return new Fleetwide(
    read.string('name', 'fleet'),
    store,
    quorum,
    read.duration('storeTimeout', 50, { min: 1 }),
    read.duration('syncInterval', 250, { min: 1 }),
    read.clock(),
  );
}
