import { describe, expect, it } from 'vitest';
import { constant, firebreak, manualClock, retryBudget, type GiveUpEvent } from '../../src/index.js';

describe('firebreak() with a retry stage', () => {
  it('puts the retry inside the total timeout, named after the dependency, with its own budget', () => {
    const dep = firebreak('auth', { totalTimeout: 1_000, retry: { maxAttempts: 4 }, attemptTimeout: 100 });
    expect(dep.policies).toEqual([dep.totalTimeout, dep.retry, dep.attemptTimeout]);
    expect(dep.retry?.name).toBe('auth');
    expect(dep.retry?.maxAttempts).toBe(4);
    expect(dep.budget).toBe(dep.retry?.budget);
    expect(dep.budget?.name).toBe('auth');
    expect([dep.budget?.ratio, dep.budget?.reserve]).toEqual([0.2, 100]);
  });

  it('leaves the retry and the budget out when there is no retry option', () => {
    const dep = firebreak('auth', { attemptTimeout: 100 });
    expect(dep.retry).toBeUndefined();
    expect(dep.budget).toBeUndefined();
  });

  it('shares a budget given as a RetryBudget, and builds one from options (on the retry clock) otherwise', () => {
    const shared = retryBudget({ name: 'auth-all' });
    const a = firebreak('auth-login', { retry: { budget: shared } });
    const b = firebreak('auth-verify', { retry: { budget: shared } });
    expect(a.budget).toBe(shared);
    expect(b.retry?.budget).toBe(shared);

    const clock = manualClock();
    const own = firebreak('auth', { retry: { clock, budget: { ratio: 0.5, minPerSecond: 1, window: 1_000 } } });
    expect(own.budget).toMatchObject({ name: 'auth', ratio: 0.5, reserve: 1 });
    own.budget?.tryWithdraw();
    expect(own.budget?.stats.retries).toBe(1);
    clock.advance(1_100);
    expect(own.budget?.stats.retries).toBe(0);
  });

  it('retries within the total timeout: no retry whose delay ends after its deadline', async () => {
    const clock = manualClock();
    const dep = firebreak('auth', { totalTimeout: { duration: 1_000, clock }, retry: { maxAttempts: 10, backoff: constant(400), clock } });
    const giveUps: GiveUpEvent[] = [];
    dep.retry?.onGiveUp((event) => giveUps.push(event));
    let calls = 0;
    const call = dep.execute(() => (calls++, Promise.reject(new Error('down')))).catch((e: unknown) => e);
    await clock.advanceAsync(1_000);
    expect(await call).toEqual(new Error('down'));
    expect(calls).toBe(3);
    expect(giveUps).toMatchObject([{ reason: 'deadline', attempts: 3 }]);
  });

  it('names refused retry and budget options after their place in the options', () => {
    expect(() => firebreak('auth', { retry: { maxAttempts: 0 } })).toThrow('firebreak: `retry.maxAttempts` must be an integer >= 1, got 0');
    expect(() => firebreak('auth', { retry: { name: 'x' } as never })).toThrow(/firebreak: `retry.name` must be left out/);
    expect(() => firebreak('auth', { retry: { budget: { ratio: -1 } } })).toThrow('firebreak: `retry.budget.ratio` must be a finite number >= 0, got -1');
    expect(() => firebreak('auth', { retry: { budget: { name: 'b' } as never } })).toThrow(/firebreak: `retry.budget.name` must be left out/);
    expect(() => firebreak('auth', { retry: { budget: 3 as never } })).toThrow(/firebreak: `retry.budget` must be a RetryBudget or retryBudget\(\) options, got 3/);
    expect(() => firebreak('auth', { retry: { clock: {} as never } })).toThrow(/firebreak: `retry.clock` must be a Clock/);
    expect(() => firebreak('auth', { retry: 3 as never })).toThrow(/firebreak: `retry` must be an object, got 3/);
  });
});
