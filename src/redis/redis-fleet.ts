import type { Clock } from '../clock.js';
import { fleetFrom, type StoreFleet } from '../fleet/store-fleet.js';
import { OptionReader } from '../options.js';
import { isRedisClient, type RedisClientLike } from './client.js';
import { redisStore } from './redis-store.js';

/**
 * Options of {@link redisFleet}.
 *
 * @example
 * ```ts
 * import { createClient } from 'redis';
 * import type { RedisFleetOptions } from 'firebreak/redis';
 * const options: RedisFleetOptions = { client: await createClient().connect(), prefix: 'checkout:', quorum: 2 };
 * ```
 */
export interface RedisFleetOptions {
  /** A connected node-redis (`redis` 4 or later) or `ioredis` client; the fleet never closes it. */
  readonly client: RedisClientLike;
  /** Put before every key, to keep services apart on one Redis. @default 'firebreak:' */
  readonly prefix?: string;
  /** Name for metrics. @default 'fleet' */
  readonly name?: string;
  /**
   * Replicas that must report an opening before the others open: a count (an integer >= 1) or a
   * share of the live replicas in (0, 1). @default 1
   */
  readonly quorum?: number;
  /** Milliseconds each Redis operation may take before it counts as failed. @default 50 */
  readonly storeTimeout?: number;
  /** Milliseconds between two syncs of each policy with Redis. @default 250 */
  readonly syncInterval?: number;
  /** Source of time and timers. @default systemClock */
  readonly clock?: Clock;
}

/**
 * Replicas of one service sharing what their policies learn, through Redis: pass the fleet as
 * the `fleet` option of `circuitBreaker` and `retryBudget` (or of those stages of `firebreak()`),
 * with the same `name` in every replica.
 *
 * - Breakers: an opening is published with a relative expiry; the other replicas open when
 *   `quorum` replicas opened within their open time; when it is up one replica in the whole fleet
 *   probes (a lease taken with `SET NX PX`), and its good probe closes every replica.
 *   `fleet.isolate(name)` isolates the breaker in every replica. No lock is held across a call:
 *   every call is decided locally, at once.
 * - Retry budgets: one budget for the fleet (`ratio` of the fleet's requests plus one reserve),
 *   counted locally and synced in batches.
 * - Redis down, slow, partitioned, restarted or flushed: each operation has a time limit
 *   (`storeTimeout`) and the fleet's own breaker; the policies fall back to their local state and
 *   callers never see a Redis error (the fleet listens to the client's `error` events, counts
 *   them in `stats.storeErrors`, and reports them through `onStoreError`). Every key expires.
 *
 * Cost: Redis sees one script call per policy and replica every `syncInterval` ms (4 per second
 * at the default), plus one when a breaker has news; none per call.
 *
 * @param options - {@link RedisFleetOptions}.
 * @throws InvalidOptionError for a missing client or a bad or unknown option.
 * @example
 * ```ts
 * import { createClient } from 'redis';
 * import { firebreak } from 'firebreak';
 * import { redisFleet } from 'firebreak/redis';
 * const client = await createClient({ url: 'redis://127.0.0.1:6379' }).connect();
 * const fleet = redisFleet({ client, prefix: 'gateway:' });
 * const auth = firebreak('auth', {
 *   retry: { maxAttempts: 3, budget: { fleet } },
 *   circuitBreaker: { minimumCalls: 20, fleet },
 *   attemptTimeout: 300,
 * });
 * // at shutdown:
 * await fleet.close();
 * await client.quit();
 * ```
 */
export function redisFleet(options: RedisFleetOptions): StoreFleet {
  const read = new OptionReader('redisFleet', options, ['client', 'prefix', 'name', 'quorum', 'storeTimeout', 'syncInterval', 'clock']);
  const client = read.raw('client');
  if (!isRedisClient(client)) return read.fail('client', 'a node-redis (redis) or ioredis client');
  return fleetFrom(read, redisStore(client, read.string('prefix', 'firebreak:')));
}
