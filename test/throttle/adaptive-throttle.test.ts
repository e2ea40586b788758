import { describe, expect, it } from 'vitest';
import {
  adaptiveThrottle,
  circuitBreaker,
  constant,
  firebreak,
  isFastFail,
  manualClock,
  pipeline,
  retry,
  ThrottledError,
  type AdaptiveThrottlePolicy,
  type ManualClock,
} from '../../src/index.js';
import { seeded } from '../helpers/seeded-random.js';

const down = (): never => {
  throw new Error('overloaded');
};

/** Offers `count` calls at once and waits for all of them. */
async function offer(throttle: AdaptiveThrottlePolicy, count: number, dependency: () => string): Promise<void> {
  const calls: Promise<unknown>[] = [];
  for (let i = 0; i < count; i++) calls.push(throttle.execute(dependency).catch(() => undefined));
  await Promise.all(calls);
}

interface Tally {
  offered: number;
  received: number;
  accepted: number;
  rejected: number;
}

/**
 * Drives `throttle` for `ms` of manual time, offering `perTick` calls every 10 ms to `accept`
 * (which decides, for each call it receives, whether it handles it), and counts what happened.
 */
async function drive(clock: ManualClock, throttle: AdaptiveThrottlePolicy, ms: number, perTick: number, accept: (tick: number) => boolean): Promise<Tally> {
  const tally: Tally = { offered: 0, received: 0, accepted: 0, rejected: 0 };
  for (let t = 0; t < ms; t += 10) {
    const tick = clock.now();
    const dependency = (): string => {
      tally.received++;
      if (!accept(tick)) down();
      tally.accepted++;
      return 'ok';
    };
    const calls: Promise<unknown>[] = [];
    for (let i = 0; i < perTick; i++) {
      tally.offered++;
      calls.push(
        throttle.execute(dependency).catch((error: unknown) => {
          if (error instanceof ThrottledError) tally.rejected++;
        }),
      );
    }
    await Promise.all(calls);
    clock.advance(10);
  }
  return tally;
}

/** Accepts every `n`th call it receives. */
function everyNth(n: number): () => boolean {
  let received = 0;
  return () => received++ % n === 0;
}

/** Accepts up to `capacity` calls per tick (10 ms): a server of fixed capacity. */
function capacity(perTick: number): (tick: number) => boolean {
  let current = -1;
  let used = 0;
  return (tick) => {
    if (tick !== current) {
      current = tick;
      used = 0;
    }
    return used++ < perTick;
  };
}

describe('adaptiveThrottle', () => {
  it('rejects with probability max(0, (requests − k × accepts) / (requests + 1)), capped at maxRejection', async () => {
    const clock = manualClock();
    const throttle = adaptiveThrottle({ k: 2, window: 1_000, clock, random: () => 0.999 });
    await offer(throttle, 5, () => 'ok');
    expect(throttle.stats).toEqual({ requests: 5, accepts: 5, failures: 0, probability: 0 });
    await offer(throttle, 15, down);
    expect(throttle.stats).toEqual({ requests: 20, accepts: 5, failures: 15, probability: (20 - 10) / 21 });
    await offer(throttle, 200, down);
    expect(throttle.stats.probability).toBe(0.9);
  });

  it('counts its own rejections as requests, and turns calls away with a ThrottledError (a fast-fail)', async () => {
    const clock = manualClock();
    const throttle = adaptiveThrottle({ name: 'search', window: 1_000, clock, random: () => 0 });
    const probabilities: number[] = [];
    throttle.onRejected((event) => probabilities.push(event.probability));
    await offer(throttle, 1, down);
    expect(throttle.stats.probability).toBe(0.5);
    let called = false;
    const error = (await throttle.execute(() => (called = true)).catch((e: unknown) => e)) as ThrottledError;
    expect(called).toBe(false);
    expect(error).toBeInstanceOf(ThrottledError);
    expect([error.code, error.policy, error.probability, error.message]).toEqual(['ERR_THROTTLED', 'search', 0.5, 'search: throttled (rejecting 50 % of calls)']);
    expect(isFastFail(error)).toBe(true);
    expect(probabilities).toEqual([0.5]);
    expect(throttle.stats).toMatchObject({ requests: 2, accepts: 0, failures: 1 });
  });

  it("counts a caller's abort as neither a request nor an accept, and fast-fails from inner stages not at all", async () => {
    const clock = manualClock();
    const throttle = adaptiveThrottle({ window: 1_000, clock });
    const controller = new AbortController();
    const call = throttle.execute(() => new Promise((_, reject) => controller.signal.addEventListener('abort', () => reject(controller.signal.reason as Error))), { signal: controller.signal });
    controller.abort(new Error('caller left'));
    await call.catch(() => {});
    const breaker = circuitBreaker({ window: { type: 'consecutive', failures: 1 }, clock });
    breaker.isolate();
    await pipeline(throttle, breaker).execute(() => 'not called').catch(() => {});
    expect(throttle.stats).toEqual({ requests: 0, accepts: 0, failures: 0, probability: 0 });
  });

  it('judges results with shouldHandle (a 503 is not an accept)', async () => {
    const throttle = adaptiveThrottle({ shouldHandle: (outcome) => !outcome.ok || outcome.value === 503, clock: manualClock(), random: () => 0.999 });
    await throttle.execute(() => 503);
    await throttle.execute(() => 200);
    expect(throttle.stats).toMatchObject({ requests: 2, accepts: 1, failures: 1 });
  });

  it('has the documented defaults and refuses bad options', () => {
    const throttle = adaptiveThrottle();
    expect([throttle.name, throttle.k, throttle.window, throttle.maxRejection]).toEqual(['adaptive-throttle', 2, 120_000, 0.9]);
    expect(() => adaptiveThrottle({ k: 0.5 })).toThrow('adaptiveThrottle: `k` must be a finite number >= 1, got 0.5');
    expect(() => adaptiveThrottle({ maxRejection: 1.5 })).toThrow('`maxRejection` must be a number in [0, 1], got 1.5');
    expect(() => adaptiveThrottle({ window: 0 })).toThrow('`window` must be a number of milliseconds >= 1, got 0');
    expect(() => adaptiveThrottle({ random: 0.5 } as never)).toThrow('`random` must be a function, got 0.5');
  });

  it('is not retried by default and never opens a breaker', async () => {
    const clock = manualClock();
    const throttle = adaptiveThrottle({ window: 1_000, clock, random: () => 0 });
    const breaker = circuitBreaker({ window: { type: 'consecutive', failures: 2 }, clock });
    const policy = pipeline(retry({ maxAttempts: 5, backoff: constant(0), clock }), throttle, breaker);
    let calls = 0;
    await policy.execute(() => {
      calls++;
      down();
    }).catch(() => {});
    expect(calls).toBe(1);
    expect(breaker.state).toBe('closed');
  });

  it('is the throttle stage of firebreak(), between the rate limit and the breaker', () => {
    const auth = firebreak('auth', { retry: {}, throttle: { k: 1.5 }, rateLimit: { rate: 10 }, circuitBreaker: {} });
    expect(auth.throttle?.name).toBe('auth');
    expect(auth.throttle?.k).toBe(1.5);
    expect(auth.policies).toEqual([auth.retry, auth.rateLimit, auth.throttle, auth.circuitBreaker]);
  });
});

describe('adaptiveThrottle convergence (deterministic: manual clock, seeded random)', () => {
  const window = 10_000;
  const perTick = 10; // 1,000 calls per second offered

  it('against a dependency that accepts 10 % of its calls, the load it gets settles at (1 − maxRejection) × offered (the cap binds)', async () => {
    const clock = manualClock();
    const throttle = adaptiveThrottle({ k: 2, window, maxRejection: 0.9, clock, random: seeded(18) });
    await drive(clock, throttle, 2 * window, perTick, everyNth(10));
    const settled = await drive(clock, throttle, 2 * window, perTick, everyNth(10));
    const received = settled.received / settled.offered;
    // max(k × accepts, (1 − maxRejection) × offered) = max(2 × 0.1 × received, 0.1 × offered) = 0.1 × offered.
    expect(received).toBeGreaterThan(0.085);
    expect(received).toBeLessThan(0.115);
    expect(settled.accepted / settled.received).toBeCloseTo(0.1, 1);
    expect(throttle.stats.probability).toBe(0.9);
  });

  it('against a server of fixed capacity (a quarter of the offered load), the load settles at about k × its accepts', async () => {
    const clock = manualClock();
    const throttle = adaptiveThrottle({ k: 2, window, clock, random: seeded(7) });
    const server = capacity(perTick / 4);
    await drive(clock, throttle, 3 * window, perTick, server);
    const settled = await drive(clock, throttle, 2 * window, perTick, server);
    expect(settled.accepted / settled.offered).toBeCloseTo(0.25, 1);
    const perAccept = settled.received / settled.accepted;
    expect(perAccept).toBeGreaterThan(1.8);
    expect(perAccept).toBeLessThan(2.2);
  });

  it('against a dependency that accepts half its calls, the load settles at about k × its accepts (nothing to cut)', async () => {
    const clock = manualClock();
    const throttle = adaptiveThrottle({ k: 2, window, clock, random: seeded(3) });
    await drive(clock, throttle, 2 * window, perTick, everyNth(2));
    const settled = await drive(clock, throttle, 2 * window, perTick, everyNth(2));
    const perAccept = settled.received / settled.accepted;
    expect(perAccept).toBeGreaterThan(1.9);
    expect(perAccept).toBeLessThan(2.1);
    expect(settled.received / settled.offered).toBeGreaterThan(0.9);
  });

  it('stops rejecting within one window of the dependency recovering', async () => {
    const clock = manualClock();
    const throttle = adaptiveThrottle({ k: 2, window, clock, random: seeded(11) });
    await drive(clock, throttle, 3 * window, perTick, () => false);
    expect(throttle.stats.probability).toBe(0.9);
    const firstWindow = await drive(clock, throttle, window, perTick, () => true);
    expect(firstWindow.rejected).toBeGreaterThan(0);
    expect(throttle.stats.probability).toBe(0);
    const after = await drive(clock, throttle, window, perTick, () => true);
    expect(after.rejected).toBe(0);
    expect(after.received).toBe(after.offered);
  });
});
