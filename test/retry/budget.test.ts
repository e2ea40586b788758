import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { manualClock, retryBudget } from '../../src/index.js';

describe('retryBudget', () => {
  it('starts with the reserve: minPerSecond × window / 1000 retries, before any request', () => {
    const clock = manualClock();
    const budget = retryBudget({ minPerSecond: 3, window: 2_000, clock });
    expect(budget.reserve).toBe(6);
    expect(budget.stats).toEqual({ available: 6, requests: 0, retries: 0, exhausted: 0 });
    const granted = Array.from({ length: 8 }, () => budget.tryWithdraw());
    expect(granted).toEqual([true, true, true, true, true, true, false, false]);
    expect(budget.stats).toEqual({ available: 0, requests: 0, retries: 6, exhausted: 2 });
  });

  it('has the documented defaults: ratio 0.2, 10 per second over 10 s', () => {
    const budget = retryBudget();
    expect([budget.name, budget.ratio, budget.minPerSecond, budget.window, budget.reserve]).toEqual(['retry-budget', 0.2, 10, 10_000, 100]);
  });

  it('grants ratio × requests on top of the reserve', () => {
    const clock = manualClock();
    const budget = retryBudget({ ratio: 0.1, minPerSecond: 0, clock });
    for (let i = 0; i < 25; i++) budget.deposit();
    expect(budget.stats).toMatchObject({ available: 2, requests: 25 });
    expect([budget.tryWithdraw(), budget.tryWithdraw(), budget.tryWithdraw()]).toEqual([true, true, false]);
    for (let i = 0; i < 5; i++) budget.deposit();
    expect(budget.tryWithdraw()).toBe(true);
    expect(budget.stats).toEqual({ available: 0, requests: 30, retries: 3, exhausted: 1 });
  });

  it('forgets requests and retries once the window has passed', () => {
    const clock = manualClock();
    const budget = retryBudget({ ratio: 1, minPerSecond: 0, window: 1_000, clock });
    for (let i = 0; i < 10; i++) budget.deposit();
    for (let i = 0; i < 10; i++) expect(budget.tryWithdraw()).toBe(true);
    expect(budget.tryWithdraw()).toBe(false);
    clock.advance(1_100);
    expect(budget.stats).toEqual({ available: 0, requests: 0, retries: 0, exhausted: 1 });
    budget.deposit();
    expect(budget.tryWithdraw()).toBe(true);
  });

  it('a request counts for between 0.9 and 1 window, a retry for between 1 and 1.1 windows (bucketed)', () => {
    const clock = manualClock();
    const budget = retryBudget({ ratio: 1, minPerSecond: 0, window: 1_000, clock });
    budget.deposit();
    clock.advance(899);
    expect(budget.stats.requests).toBe(1);
    clock.advance(101);
    expect(budget.stats.requests).toBe(0);

    budget.deposit();
    expect(budget.tryWithdraw()).toBe(true);
    clock.advance(1_000);
    expect(budget.stats.retries).toBe(1);
    clock.advance(100);
    expect(budget.stats.retries).toBe(0);
  });

  it('after a long silence, picks up with empty counts (however many buckets passed)', () => {
    const clock = manualClock();
    const budget = retryBudget({ ratio: 0.5, minPerSecond: 1, window: 1_000, clock });
    for (let i = 0; i < 100; i++) budget.deposit();
    budget.tryWithdraw();
    clock.advance(3_600_000);
    expect(budget.stats).toEqual({ available: 1, requests: 0, retries: 0, exhausted: 0 });
  });

  it('property: the retries granted in the window before any grant ≤ ratio × the requests in it + reserve', () => {
    // Gaps in thousandths of the window, so that events land near the window's and the buckets' edges.
    const step = fc.record({ gap: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 200 }), fc.integer({ min: 0, max: 1_200 })), draw: fc.integer({ min: 0, max: 99 }) });
    fc.assert(
      fc.property(
        fc.oneof(fc.double({ min: 0, max: 2, noNaN: true }), fc.constantFrom(0, 0.1, 1)),
        fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 20 })),
        fc.integer({ min: 1, max: 2_000 }),
        fc.integer({ min: 0, max: 100 }),
        fc.array(step, { maxLength: 200 }),
        (ratio, minPerSecond, window, retryShare, draws) => {
          const steps = draws.map(({ gap, draw }) => ({ gap, retry: draw < retryShare }));
          const clock = manualClock();
          const budget = retryBudget({ ratio, minPerSecond, window, clock });
          const requests: number[] = [];
          const grants: number[] = [];
          for (const { gap, retry } of steps) {
            clock.advance(Math.round((gap * window) / 1_000));
            const now = clock.now();
            if (!retry) {
              budget.deposit();
              requests.push(now);
            } else if (budget.tryWithdraw()) {
              grants.push(now);
              const inWindow = (times: number[]): number => times.filter((time) => time > now - window).length;
              expect(inWindow(grants)).toBeLessThanOrEqual(ratio * inWindow(requests) + budget.reserve);
            }
          }
          const refused = steps.filter((s) => s.retry).length - grants.length;
          expect(budget.stats.exhausted).toBe(refused);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('property: a budget shared by callers at many times never lets retries exceed the ratio when the reserve is 0', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.01, max: 1, noNaN: true }), fc.array(fc.integer({ min: 0, max: 30 }), { minLength: 1, maxLength: 300 }), (ratio, gaps) => {
        const clock = manualClock();
        const budget = retryBudget({ ratio, minPerSecond: 0, window: 100, clock });
        let granted = 0;
        for (const gap of gaps) {
          clock.advance(gap);
          budget.deposit();
          while (budget.tryWithdraw()) granted++;
        }
        expect(granted).toBeLessThanOrEqual(ratio * gaps.length);
      }),
    );
  });
});
