import { describe, expect, it } from 'vitest';
import { manualClock, retry, retryBudget, type ManualClock, type RetryBudget } from '../../src/index.js';

const CALLERS = 200;

/** A dependency that fails every call, counting them. */
function brokenDependency(): { calls: () => number; fn: () => Promise<never> } {
  let calls = 0;
  return { calls: () => calls, fn: () => (calls++, Promise.reject(new Error('unavailable'))) };
}

/** 200 callers at once, each through a retry policy of 3 attempts (default backoff), against a dependency that always fails. */
async function storm(clock: ManualClock, budget: RetryBudget | undefined): Promise<number> {
  const dependency = brokenDependency();
  const policy = retry({ maxAttempts: 3, clock, ...(budget ? { budget } : {}) });
  const calls = Array.from({ length: CALLERS }, () => policy.execute(dependency.fn).catch(() => undefined));
  await clock.advanceAsync(1_000);
  await Promise.all(calls);
  return dependency.calls();
}

describe('a retry storm: 200 concurrent callers against a dependency that fails every call', () => {
  it('without a budget, the dependency receives 3× the calls', async () => {
    expect(await storm(manualClock(), undefined)).toBe(3 * CALLERS);
  });

  it('with ratio 0.1 (and the default reserve of 10/s × 10 s), it receives at most 1.1× the calls plus the reserve', async () => {
    const clock = manualClock();
    const budget = retryBudget({ ratio: 0.1, clock });
    const received = await storm(clock, budget);
    expect(received).toBeLessThanOrEqual(1.1 * CALLERS + budget.reserve);
    expect(received).toBe(CALLERS + CALLERS / 10 + budget.reserve);
    expect(budget.stats).toMatchObject({ requests: CALLERS, retries: CALLERS / 10 + budget.reserve, available: 0 });
  });

  it('with ratio 0.1 and no reserve, it receives at most 1.1× the calls', async () => {
    const clock = manualClock();
    const received = await storm(clock, retryBudget({ ratio: 0.1, minPerSecond: 0, clock }));
    expect(received).toBe(CALLERS + CALLERS / 10);
  });

  it('sustained over 20 s (200 callers every second), with ratio 0.1 and no reserve: at most 1.1× the calls', async () => {
    const clock = manualClock();
    const budget = retryBudget({ ratio: 0.1, minPerSecond: 0, clock });
    const dependency = brokenDependency();
    const policy = retry({ maxAttempts: 3, clock, budget });
    const calls: Promise<unknown>[] = [];
    for (let tick = 0; tick < 200; tick++) {
      for (let i = 0; i < CALLERS / 10; i++) calls.push(policy.execute(dependency.fn).catch(() => undefined));
      await clock.advanceAsync(100);
    }
    await clock.advanceAsync(10_000);
    await Promise.all(calls);
    expect(calls).toHaveLength(4_000);
    expect(dependency.calls()).toBeGreaterThan(calls.length);
    expect(dependency.calls()).toBeLessThanOrEqual(1.1 * calls.length);
  });
});
