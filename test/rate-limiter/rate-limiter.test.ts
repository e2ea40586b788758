import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  circuitBreaker,
  firebreak,
  isFastFail,
  manualClock,
  pipeline,
  RateLimitedError,
  rateLimiter,
  retry,
  constant,
  type Clock,
  type RateLimitAdmittedEvent,
} from '../../src/index.js';
import { flush } from '../helpers/async.js';

/** A clock set by hand to any time (no timers: the limiter under test never waits). */
function settableClock(): Clock & { time: number } {
  const clock = {
    time: 0,
    now: () => clock.time,
    wallNow: () => 1_700_000_000_000 + clock.time,
    setTimeout: () => {
      throw new Error('no timers here');
    },
    clearTimeout: () => {},
  };
  return clock;
}

const rejection = (call: Promise<unknown>): Promise<RateLimitedError> =>
  call.then(
    () => {
      throw new Error('admitted');
    },
    (error: unknown) => {
      if (!(error instanceof RateLimitedError)) throw error;
      return error;
    },
  );

describe('rateLimiter', () => {
  it('admits `burst` calls at once, then rejects with an exact retryAfter', async () => {
    const clock = manualClock();
    const limiter = rateLimiter({ name: 'search', rate: 4, interval: 1_000, burst: 2, clock });
    expect(limiter.stats.remaining).toBe(2);
    expect(await limiter.execute(() => 'a')).toBe('a');
    expect(await limiter.execute(() => 'b')).toBe('b');
    const error = await rejection(limiter.execute(() => 'c'));
    expect([error.code, error.policy, error.retryAfter, error.message]).toEqual(['ERR_RATE_LIMITED', 'search', 250, 'search: rate limit reached, retry after 250 ms']);
    expect(isFastFail(error)).toBe(true);
    clock.advance(249);
    expect((await rejection(limiter.execute(() => 'd'))).retryAfter).toBe(1);
    clock.advance(1);
    expect(await limiter.execute(() => 'e')).toBe('e');
  });

  it('has the documented defaults: interval 1 s, burst = rate (at least 1), maxWait 0', () => {
    const limiter = rateLimiter({ rate: 20 });
    expect([limiter.name, limiter.rate, limiter.interval, limiter.burst, limiter.maxWait]).toEqual(['rate-limiter', 20, 1_000, 20, 0]);
    expect(rateLimiter({ rate: 0.5 }).burst).toBe(1);
  });

  it('refuses bad options with InvalidOptionError', () => {
    expect(() => rateLimiter({} as never)).toThrow('rateLimiter: `rate` must be a finite number > 0, got undefined');
    expect(() => rateLimiter({ rate: 0 })).toThrow('`rate` must be a finite number > 0, got 0');
    expect(() => rateLimiter({ rate: 1, burst: 0.5 })).toThrow('`burst` must be a finite number >= 1, got 0.5');
    expect(() => rateLimiter({ rate: 1, interval: 0 })).toThrow('`interval` must be a finite number > 0, got 0');
    expect(() => rateLimiter({ rate: 1, maxWait: Infinity })).toThrow('`maxWait` must be a number of milliseconds >= 0, got Infinity');
    expect(() => rateLimiter({ rate: 1, maxWait: -1 })).toThrow('`maxWait`');
    expect(() => rateLimiter({ rate: 1, per: 1 } as never)).toThrow('`per` is not an option of rateLimiter');
  });

  it('with maxWait, a call waits for its turn (the exact time), and one that would wait longer is rejected', async () => {
    const clock = manualClock();
    const limiter = rateLimiter({ rate: 10, burst: 1, maxWait: 150, clock });
    const admitted: RateLimitAdmittedEvent[] = [];
    limiter.onAdmitted((event) => admitted.push(event));
    const started: number[] = [];
    const run = (): Promise<number> => limiter.execute(() => started.push(clock.now()));
    const calls = [run(), run()];
    const error = await rejection(run());
    expect(error.retryAfter).toBe(200);
    await clock.advanceAsync(99);
    expect(started).toEqual([0]);
    await clock.advanceAsync(1);
    expect(started).toEqual([0, 100]);
    await Promise.all(calls);
    expect(admitted).toEqual([{ waited: 0 }, { waited: 100 }]);
  });

  it('a waiting call whose signal aborts rejects at once with the reason and gives its turn back', async () => {
    const clock = manualClock();
    const limiter = rateLimiter({ rate: 10, burst: 1, maxWait: 500, clock });
    await limiter.execute(() => 'first');
    const controller = new AbortController();
    let ran = false;
    const waiting = limiter.execute(() => (ran = true), { signal: controller.signal }).catch((e: unknown) => e);
    await flush();
    expect(clock.pendingTimers).toBe(1);
    const reason = new Error('gone');
    controller.abort(reason);
    expect(await waiting).toBe(reason);
    expect(clock.pendingTimers).toBe(0);
    expect(ran).toBe(false);
    // The turn at 100 ms is free again: the next call waits 100 ms, not 200.
    const started: number[] = [];
    const next = limiter.execute(() => started.push(clock.now()));
    await clock.advanceAsync(100);
    await next;
    expect(started).toEqual([100]);
  });

  it('reports rejections with their retryAfter', async () => {
    const clock = manualClock();
    const limiter = rateLimiter({ rate: 1, clock });
    const events: number[] = [];
    limiter.onRejected((event) => events.push(event.retryAfter));
    await limiter.execute(() => 1);
    clock.advance(300);
    await limiter.execute(() => 2).catch(() => {});
    expect(events).toEqual([700]);
  });

  it('is a fast-fail: not retried by default, never a failure for a breaker', async () => {
    const clock = manualClock();
    const limiter = rateLimiter({ rate: 1, clock });
    const breaker = circuitBreaker({ window: { type: 'consecutive', failures: 1 }, clock });
    const policy = pipeline(retry({ maxAttempts: 3, backoff: constant(0), clock }), breaker, limiter);
    let calls = 0;
    await policy.execute(() => ++calls);
    const error = await rejection(policy.execute(() => ++calls));
    expect(error.retryAfter).toBe(1_000);
    expect(calls).toBe(1);
    expect(breaker.state).toBe('closed');
  });

  it('is the rateLimit stage of firebreak(), inside the retry and outside the breaker', () => {
    const auth = firebreak('auth', { retry: {}, rateLimit: { rate: 5 }, circuitBreaker: {} });
    expect(auth.rateLimit?.name).toBe('auth');
    expect(auth.rateLimit?.rate).toBe(5);
    expect(auth.policies).toEqual([auth.retry, auth.rateLimit, auth.circuitBreaker]);
    expect(() => firebreak('auth', { rateLimit: { rate: -1 } })).toThrow('firebreak: `rateLimit.rate` must be a finite number > 0, got -1');
  });
});

describe('the GCRA bound (property)', () => {
  const limits = fc.record({
    rate: fc.integer({ min: 1, max: 50 }),
    interval: fc.integer({ min: 10, max: 2_000 }),
    burst: fc.double({ min: 1, max: 10, noNaN: true }),
  });
  const steps = fc.array(fc.record({ gap: fc.integer({ min: 0, max: 300 }), calls: fc.integer({ min: 0, max: 6 }), probe: fc.boolean() }), {
    minLength: 1,
    maxLength: 60,
  });

  it('admits at most burst + rate × T / interval calls in any span T, and retryAfter is exactly when the next call passes', async () => {
    await fc.assert(
      fc.asyncProperty(limits, steps, async ({ rate, interval, burst }, script) => {
        const clock = settableClock();
        const limiter = rateLimiter({ rate, interval, burst, clock });
        const admittedAt: number[] = [];
        const call = (): Promise<unknown> => limiter.execute(() => admittedAt.push(clock.time));
        for (const { gap, calls, probe } of script) {
          clock.time += gap;
          for (let i = 0; i < calls; i++) {
            const error = await call().then(
              () => undefined,
              (e: unknown) => e as RateLimitedError,
            );
            if (error === undefined || !probe) continue;
            const at = clock.time + error.retryAfter;
            // Just before: still rejected. At exactly retryAfter: admitted.
            clock.time = at - Math.max(error.retryAfter * 1e-9, 1e-9);
            await expect(rejection(call())).resolves.toBeInstanceOf(RateLimitedError);
            clock.time = at;
            const admitted = admittedAt.length;
            await call();
            expect(admittedAt.length).toBe(admitted + 1);
          }
        }
        for (let i = 0; i < admittedAt.length; i++) {
          for (let j = i; j < admittedAt.length; j++) {
            const span = admittedAt[j]! - admittedAt[i]!;
            expect(j - i + 1).toBeLessThanOrEqual(burst + (rate * span) / interval + 1e-9);
          }
        }
      }),
      { numRuns: 150 },
    );
  });
});
