import { describe, expect, it } from 'vitest';
import { memoryStore } from '../../bench/fleet/memory-store.js';
import { circuitBreaker, InvalidOptionError, manualClock, retryBudget, storeFleet, type FleetStore, type ManualClock } from '../../src/index.js';
import { redisFleet } from '../../src/redis/index.js';

const fail = (): Promise<never> => Promise.reject(new Error('down'));
const consecutive = { type: 'consecutive', failures: 3 } as const;

async function settle(clock: ManualClock, ms: number): Promise<void> {
  await clock.advanceAsync(ms);
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

describe('fleet options', () => {
  it('refuse what is not a fleet or a store, naming the factory and the option', () => {
    expect(() => circuitBreaker({ fleet: {} as never })).toThrow('circuitBreaker: `fleet` must be a Fleet');
    expect(() => retryBudget({ fleet: 42 as never })).toThrow(InvalidOptionError);
    expect(() => storeFleet({ store: {} as never })).toThrow('storeFleet: `store` must be a FleetStore');
    const store = memoryStore(manualClock());
    expect(() => storeFleet({ store, quorum: 1.5 })).toThrow('storeFleet: `quorum`');
    expect(() => storeFleet({ store, quorum: 0 })).toThrow(InvalidOptionError);
    expect(() => storeFleet({ store, storeTimeout: 0 })).toThrow('storeFleet: `storeTimeout`');
    expect(() => storeFleet({ store, colour: 'red' } as never)).toThrow(InvalidOptionError);
    expect(() => redisFleet({ client: {} as never })).toThrow('redisFleet: `client` must be a node-redis (redis) or ioredis client');
  });
});

describe('breakers in a fleet (manual clock, in-memory store)', () => {
  it('an opening reaches the other replica at its next sync; one probe for the fleet; its success closes both', async () => {
    const clock = manualClock();
    const store = memoryStore(clock);
    const options = { name: 'auth', window: consecutive, openFor: 1_000, clock };
    const a = circuitBreaker({ ...options, fleet: storeFleet({ store, clock, syncInterval: 100 }) });
    const b = circuitBreaker({ ...options, fleet: storeFleet({ store, clock, syncInterval: 100 }) });
    await settle(clock, 0);
    for (let i = 0; i < 3; i++) await a.execute(fail).catch(() => undefined);
    expect([a.state, b.state]).toEqual(['open', 'closed']);
    await settle(clock, 100);
    expect(b.state).toBe('open');
    await settle(clock, 1_000);
    // Both open times are up: the first caller asks for the lease and is turned away meanwhile.
    const calls: string[] = [];
    const attempt = (name: string, breaker: typeof a) => breaker.execute(() => void calls.push(name)).catch(() => undefined);
    await attempt('a', a);
    await attempt('b', b);
    await settle(clock, 0);
    await attempt('a', a);
    await attempt('b', b);
    expect(calls).toHaveLength(1);
    await settle(clock, 100);
    expect([a.state, b.state]).toEqual(['closed', 'closed']);
  });

  it('a fleet-wide isolation reaches every replica and ends with its release', async () => {
    const clock = manualClock();
    const store = memoryStore(clock);
    const operator = storeFleet({ store, clock, syncInterval: 100 });
    const breaker = circuitBreaker({ name: 'auth', clock, fleet: storeFleet({ store, clock, syncInterval: 100 }) });
    const isolation = await operator.isolate('auth');
    await settle(clock, 100);
    expect(breaker.state).toBe('isolated');
    await isolation.release();
    await settle(clock, 100);
    expect(breaker.state).toBe('closed');
  });

  it('a store that hangs: each sync fails at storeTimeout, the store breaker stops trying, the breaker runs alone', async () => {
    const clock = manualClock();
    let started = 0;
    const hang = (): Promise<never> => {
      started++;
      return new Promise(() => undefined);
    };
    const store: FleetStore = { syncBreaker: hang, syncBudget: hang, syncLimiter: hang, isolate: hang, release: hang };
    const fleet = storeFleet({ store, clock, storeTimeout: 50, syncInterval: 100 });
    const breaker = circuitBreaker({ name: 'auth', window: consecutive, openFor: 1_000, clock, fleet });
    await settle(clock, 0);
    expect(started).toBe(1);
    await settle(clock, 1_000);
    // The one hung operation holds the breaker's only slot: no operation piles up behind it.
    expect(started).toBe(1);
    expect(fleet.connected).toBe(false);
    expect(fleet.stats.storeErrors).toBeGreaterThanOrEqual(1);
    for (let i = 0; i < 3; i++) await breaker.execute(fail).catch(() => undefined);
    expect(breaker.state).toBe('open');
    await settle(clock, 1_000);
    expect(await breaker.execute(() => 'ok')).toBe('ok');
    expect(breaker.state).toBe('closed');
    await fleet.close();
  });

  it('a fleet budget runs on the local budget while the store is down', async () => {
    const clock = manualClock();
    const fleet = storeFleet({ store: { syncBreaker: fail, syncBudget: fail, syncLimiter: fail, isolate: fail, release: fail }, clock });
    const budget = retryBudget({ name: 'auth', ratio: 0, minPerSecond: 0.2, window: 10_000, clock, fleet });
    await settle(clock, 0);
    expect([budget.tryWithdraw(), budget.tryWithdraw(), budget.tryWithdraw()]).toEqual([true, true, false]);
    await fleet.close();
  });

  it('one fleet budget: two replicas share one reserve', async () => {
    const clock = manualClock();
    const store = memoryStore(clock);
    const options = { name: 'auth', ratio: 0, minPerSecond: 0.4, window: 10_000, clock };
    const a = retryBudget({ ...options, fleet: storeFleet({ store, clock, syncInterval: 100 }) });
    const b = retryBudget({ ...options, fleet: storeFleet({ store, clock, syncInterval: 100 }) });
    let granted = 0;
    for (let round = 0; round < 20; round++) {
      await settle(clock, 100);
      for (const budget of [a, b]) for (let i = 0; i < 3; i++) if (budget.tryWithdraw()) granted++;
    }
    expect(granted).toBe(4);
  });
});
