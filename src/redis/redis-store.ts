import type { FleetBreakerView, FleetBudgetView } from '../fleet/fleet.js';
import type { FleetStore } from '../fleet/store.js';
import { adaptClient, type RedisClientLike } from './client.js';
import { BREAKER_SYNC, BUDGET_SYNC, ISOLATE, LIMITER_SYNC, RELEASE } from './scripts.js';

/** How long a close token lasts, in units of the replicas' live time: long enough for every replica to see it. */
const CLOSE_TOKEN_LIVES = 10;

/**
 * A {@link FleetStore} on Redis: one Lua script per operation (one round trip, atomic), on
 * Redis's clock, every key with an expiry. The keys of one policy share a hash tag
 * (`<prefix>{<name>}:…`), so a script touches one slot.
 *
 * @example
 * ```ts
 * import { createClient } from 'redis';
 * import { storeFleet } from 'firebreak';
 * import { redisStore } from 'firebreak/redis';
 * const client = await createClient().connect();
 * const fleet = storeFleet({ store: redisStore(client, 'shop:'), name: 'shop' });
 * ```
 */
export function redisStore(client: RedisClientLike, prefix = 'firebreak:'): FleetStore {
  const redis = adaptClient(client);
  const key = (name: string, part: string): string => `${prefix}{${name}}:${part}`;
  return {
    async syncBreaker(name, replica, report) {
      const keys = [
        key(name, 'cb:opened'),
        key(name, 'cb:probe'),
        key(name, 'cb:closed'),
        key(name, 'cb:isolated'),
        key(name, 'replicas'),
        key(name, 'cb:calls'),
        key(name, 'cb:tripped'),
      ];
      const pool = report.pool;
      const probe = report.probe === 'success' ? 's' : report.probe === 'failure' ? 'f' : '';
      const args = [
        replica.id,
        String(report.opened),
        probe,
        String(report.wantProbe),
        String(replica.quorum),
        String(replica.liveFor),
        String(replica.liveFor * CLOSE_TOKEN_LIVES),
        ...(pool === undefined
          ? ['0', '0', '0', '0', '0', '0', '0', '1']
          : [
              pool.calls,
              pool.failures,
              pool.window,
              pool.minimumCalls,
              pool.failureRateThreshold,
              Math.max(1, Math.round(pool.openFor)),
              pool.size,
              pool.buckets,
            ].map(String)),
      ];
      const reply = (await redis.run(BREAKER_SYNC, keys, args)) as unknown[];
      const closed = typeof reply[5] === 'string' ? reply[5] : '';
      const view: FleetBreakerView = {
        openFor: Number(reply[0]),
        probeHeldFor: Number(reply[1]),
        probing: Number(reply[2]) === 1,
        isolated: Number(reply[3]) > 0,
        replicas: Number(reply[4]),
        closed: closed === '' ? null : closed,
      };
      return view;
    },
    async syncBudget(name, _replica, rules, report) {
      const args = [report.deposits, report.unused, report.unusedBucket, report.want, rules.ratio, rules.reserve, rules.window].map(String);
      const reply = (await redis.run(BUDGET_SYNC, [key(name, 'rb')], args)) as unknown[];
      const view: FleetBudgetView = {
        granted: Number(reply[0]),
        requests: Number(reply[1]),
        retries: Number(reply[2]),
        available: Number(reply[3]),
        bucket: Number(reply[4]),
      };
      return view;
    },
    async syncLimiter(name, replica, rules, report) {
      const args = [replica.id, rules.emission, rules.burst, report.want, report.unused, replica.liveFor].map(String);
      const reply = (await redis.run(LIMITER_SYNC, [key(name, 'rl:tat'), key(name, 'replicas')], args)) as unknown[];
      return { granted: Number(reply[0]), retryAfter: Number(reply[1]), replicas: Number(reply[2]) };
    },
    async isolate(name, token, ttl) {
      await redis.run(ISOLATE, [key(name, 'cb:isolated')], [token, String(Math.ceil(ttl))]);
    },
    async release(name, token) {
      await redis.run(RELEASE, [key(name, 'cb:isolated')], [token]);
    },
    onError: (listener) => redis.onError(listener),
  };
}
