import type { Clock } from '../clock.js';
import { InvalidOptionError } from '../errors/invalid-option-error.js';
import { heard, tell, Topic } from '../diagnostics.js';
import { EventList, type Subscribe, type Unsubscribe } from '../events.js';
import { OptionReader } from '../options.js';
import type { Alternative, ExecuteOptions, Operation, Policy } from '../policy.js';
import { LruList, type LruNode } from './lru-list.js';
import { retainedState, statefulParts, type StatefulParts } from './retained-state.js';

/**
 * Options of {@link keyed}.
 *
 * @example
 * ```ts
 * import { keyed, circuitBreaker, type KeyedOptions } from 'firebreak';
 * const options: KeyedOptions = { name: 'tenants', maxKeys: 500, idleTtl: 60_000 };
 * const perTenant = keyed((tenant) => circuitBreaker({ name: tenant }), options);
 * ```
 */
export interface KeyedOptions {
  /** Name of the keyed policy, for its own metrics (overflows). @default 'keyed' */
  readonly name?: string;
  /** How many keys keep a policy of their own (an integer >= 1). @default 1000 */
  readonly maxKeys?: number;
  /** Milliseconds after its last use at which a key's policy is dropped; `Infinity` for never. @default 600_000 */
  readonly idleTtl?: number;
  /** Source of time, for idle expiry. @default systemClock */
  readonly clock?: Clock;
}

/**
 * Why a key's policy was dropped: `'idle'` (unused for `idleTtl`) or `'capacity'` (the least
 * recently used droppable key, to make room for a new one).
 *
 * @example
 * ```ts
 * import type { KeyedEvictReason } from 'firebreak';
 * const reason: KeyedEvictReason = 'idle';
 * ```
 */
export type KeyedEvictReason = 'idle' | 'capacity';

/**
 * Emitted when a key's policy is dropped by expiry or for room (not by `delete`).
 *
 * @example
 * ```ts
 * import { keyed, timeout, type KeyedEvictEvent } from 'firebreak';
 * const perOrigin = keyed((origin) => timeout({ name: origin, duration: 500 }));
 * perOrigin.onEvict((event: KeyedEvictEvent) => console.log(`dropped ${event.key}: ${event.reason}`));
 * ```
 */
export interface KeyedEvictEvent<P = Policy<unknown>> {
  readonly key: string;
  readonly reason: KeyedEvictReason;
  /** The policy dropped; calls already running through it go on. */
  readonly policy: P;
}

/**
 * Counts of a keyed policy, read at one moment.
 *
 * @example
 * ```ts
 * import { keyed, timeout, type KeyedStats } from 'firebreak';
 * const stats: KeyedStats = keyed((key) => timeout({ name: key, duration: 100 })).stats;
 * console.log(stats.size, stats.overflows); // 0 0
 * ```
 */
export interface KeyedStats {
  /** Keys holding a policy now. */
  readonly size: number;
  /** Calls for a new key that found every kept policy holding state, and ran on a policy not kept. */
  readonly overflows: number;
  /** Policies dropped because they were idle for `idleTtl`. */
  readonly idleEvictions: number;
  /** Policies dropped to make room for a new key. */
  readonly capacityEvictions: number;
}

/**
 * One policy per key (per origin, tenant or shard), made by `build` on first use: see {@link keyed}.
 * Not itself a `Policy`: its `execute` takes a key; the policies it builds are policies.
 *
 * @example
 * ```ts
 * import { keyed, firebreak, type KeyedPolicy, type Firebreak } from 'firebreak';
 * const perOrigin: KeyedPolicy<Firebreak> = keyed((origin) => firebreak(origin, { attemptTimeout: 500 }));
 * console.log(perOrigin.get('http://127.0.0.1:8080').name); // 'http://127.0.0.1:8080'
 * ```
 */
export interface KeyedPolicy<P extends Policy<unknown> = Policy<unknown>> {
  /** The name given in the options, for metrics. */
  readonly name: string;
  /** How many keys keep a policy. */
  readonly maxKeys: number;
  /** Milliseconds of disuse after which a key's policy is dropped. */
  readonly idleTtl: number;
  /**
   * The policy of `key`, built on first use; counts as a use. When all `maxKeys` policies hold
   * state that matters, a new key gets a fresh policy that is not kept (counted in `stats.overflows`).
   */
  get(key: string): P;
  /** Runs `fn` under the policy of `key` (see {@link KeyedPolicy.get}). */
  execute<T>(key: string, fn: Operation<T>, options?: ExecuteOptions): Promise<T | Alternative<P>>;
  /** Keys holding a policy. */
  readonly size: number;
  /** Drops the policy of `key` (calls running through it go on); true when there was one. */
  delete(key: string): boolean;
  /** The keys holding a policy, least recently used first. */
  keys(): IterableIterator<string>;
  /** Counts: keys, overflows and evictions. */
  readonly stats: KeyedStats;
  /** Subscribes to policies dropped by expiry or for room. */
  readonly onEvict: Subscribe<KeyedEvictEvent<P>>;
}

/** Told about every key's policy as it is kept and dropped (any reason): what `instrument` uses. */
export interface KeyedEntryObserver<P = unknown> {
  added(key: string, policy: P): void;
  removed(key: string, policy: P): void;
}

/**
 * The symbol-keyed method of a keyed policy that reports its entries (those kept now, then each
 * one kept or dropped) to an observer until unsubscribed. A `Symbol.for` key, so that
 * `firebreak/prometheus` recognises a keyed policy from another copy of the package.
 */
export const OBSERVE_ENTRIES: unique symbol = Symbol.for('firebreak.keyed.observe-entries.v1') as never;

class Entry<P> implements LruNode {
  prev: Entry<P> | undefined = undefined;
  next: Entry<P> | undefined = undefined;

  constructor(
    readonly key: string,
    readonly policy: P,
    readonly parts: StatefulParts,
    public lastUse: number,
  ) {}
}

const KEYED = new Topic('keyed');

class Keyed<P extends Policy<unknown>> implements KeyedPolicy<P> {
  #evictions: EventList<KeyedEvictEvent<P>> | undefined;
  #observers: EventList<{ readonly added: boolean; readonly key: string; readonly policy: P }> | undefined;
  readonly #entries = new Map<string, Entry<P>>();
  readonly #lru = new LruList<Entry<P>>();
  #overflows = 0;
  #idleEvictions = 0;
  #capacityEvictions = 0;

  constructor(
    readonly name: string,
    readonly build: (key: string) => P,
    readonly maxKeys: number,
    readonly idleTtl: number,
    readonly clock: Clock,
  ) {}

  onEvict(listener: (event: KeyedEvictEvent<P>) => void): Unsubscribe {
    return (this.#evictions ??= new EventList()).subscribe(listener);
  }

  [OBSERVE_ENTRIES](observer: KeyedEntryObserver<P>): Unsubscribe {
    for (const entry of this.#entries.values()) observer.added(entry.key, entry.policy);
    return (this.#observers ??= new EventList()).subscribe((event) => {
      if (event.added) observer.added(event.key, event.policy);
      else observer.removed(event.key, event.policy);
    });
  }

  get size(): number {
    this.#expire(this.clock.now());
    return this.#entries.size;
  }

  get stats(): KeyedStats {
    return { size: this.size, overflows: this.#overflows, idleEvictions: this.#idleEvictions, capacityEvictions: this.#capacityEvictions };
  }

  keys(): IterableIterator<string> {
    this.#expire(this.clock.now());
    const keys: string[] = [];
    for (let entry = this.#lru.first; entry; entry = entry.next) keys.push(entry.key);
    return keys.values();
  }

  get(key: string): P {
    if (typeof key !== 'string') throw new TypeError(`keyed ${this.name}: a key must be a string, got ${typeof key}`);
    const now = this.clock.now();
    this.#expire(now);
    const found = this.#entries.get(key);
    if (found) {
      found.lastUse = now;
      this.#lru.touch(found);
      return found.policy;
    }
    if (this.#entries.size >= this.maxKeys && !this.#makeRoom()) {
      this.#overflows++;
      return this.#build(key);
    }
    const policy = this.#build(key);
    const entry = new Entry(key, policy, statefulParts(policy), now);
    this.#entries.set(key, entry);
    this.#lru.push(entry);
    if (this.#observers?.active) this.#observers.emit({ added: true, key, policy });
    return policy;
  }

  execute<T>(key: string, fn: Operation<T>, options?: ExecuteOptions): Promise<T | Alternative<P>> {
    let policy: P;
    try {
      policy = this.get(key);
    } catch (error) {
      return Promise.reject(error);
    }
    return policy.execute(fn, options) as Promise<T | Alternative<P>>;
  }

  delete(key: string): boolean {
    const entry = this.#entries.get(key);
    if (entry === undefined) return false;
    this.#drop(entry);
    return true;
  }

  #build(key: string): P {
    const policy = this.build(key);
    if (typeof policy !== 'object' || policy === null || typeof (policy as Partial<Policy<unknown>>).execute !== 'function') {
      throw new TypeError(`keyed ${this.name}: build(${JSON.stringify(key)}) must return a policy, got ${policy === null ? 'null' : typeof policy}`);
    }
    return policy;
  }

  /** Drops the entries idle for `idleTtl`, least recently used first, but for those holding live state. */
  #expire(now: number): void {
    const horizon = now - this.idleTtl;
    for (let entry = this.#lru.first; entry !== undefined && entry.lastUse <= horizon; ) {
      const next = entry.next;
      if (retainedState(entry.parts) !== 'live') {
        this.#drop(entry);
        this.#idleEvictions++;
        this.#evicted(entry, 'idle');
      }
      entry = next;
    }
  }

  /** Drops the least recently used entry that holds no state; false when every entry holds some. */
  #makeRoom(): boolean {
    for (let entry = this.#lru.first; entry !== undefined; entry = entry.next) {
      if (retainedState(entry.parts) !== 'none') continue;
      this.#drop(entry);
      this.#capacityEvictions++;
      this.#evicted(entry, 'capacity');
      return true;
    }
    return false;
  }

  #drop(entry: Entry<P>): void {
    this.#entries.delete(entry.key);
    this.#lru.remove(entry);
    if (this.#observers?.active) this.#observers.emit({ added: false, key: entry.key, policy: entry.policy });
  }

  #evicted(entry: Entry<P>, reason: KeyedEvictReason): void {
    if (heard(this.#evictions, KEYED)) tell(this.#evictions, KEYED, this, 'evict', { key: entry.key, reason, policy: entry.policy });
  }
}

/**
 * One policy per key (per origin, per tenant, per shard), built by `build(key)` on the key's
 * first use, with bounded memory.
 *
 * Use it when the dependencies are not known in advance: one breaker per origin a service calls,
 * one bulkhead per tenant. At most `maxKeys` policies are kept; the least recently used one is
 * dropped to make room for a new key (true LRU by last use), and a policy unused for `idleTtl` is
 * dropped (on the keyed policy's next use: no timer runs).
 *
 * A policy that holds state that matters is never dropped for room: a circuit breaker that is not
 * closed, a bulkhead with calls running or queued (found in the policy itself or in the stages of
 * a `pipeline()` or `firebreak()` result). Expiry spares open and isolated breakers and busy
 * bulkheads, but drops a breaker left half-open with nobody calling for `idleTtl`: what it
 * learned is that old. When every kept policy holds such state, a call for a new key still gets
 * protection: a fresh policy from `build`, not kept, counted in `stats.overflows`. Memory stays
 * bounded by `maxKeys` kept policies plus the policies of calls running at that moment.
 *
 * @param build - makes the policy of one key; give each a name derived from the key, for metrics.
 * @param options - {@link KeyedOptions}.
 * @throws InvalidOptionError for a `build` that is not a function or a bad option.
 * @example
 * ```ts
 * import { keyed, firebreak } from 'firebreak';
 * const perOrigin = keyed((origin) => firebreak(origin, { circuitBreaker: {}, attemptTimeout: 500 }), { maxKeys: 200 });
 * const url = new URL('http://127.0.0.1:8080/health');
 * const response = await perOrigin.execute(url.origin, (ctx) => fetch(url, { signal: ctx.signal }));
 * ```
 */
export function keyed<P extends Policy<unknown>>(build: (key: string) => P, options?: KeyedOptions): KeyedPolicy<P> {
  if (typeof build !== 'function') throw new InvalidOptionError('keyed', 'build', 'a function (key) => policy', build);
  const read = new OptionReader('keyed', options, ['name', 'maxKeys', 'idleTtl', 'clock']);
  return new Keyed(read.string('name', 'keyed'), build, read.integer('maxKeys', 1000, 1), read.duration('idleTtl', 600_000, { min: 1, allowInfinity: true }), read.clock());
}
