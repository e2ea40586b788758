import { describe, expect, it } from 'vitest';
import { constant, type Outcome } from '../../src/index.js';
import { decideRetry, retryAfterOf, type RetryState } from '../../src/retry/decide.js';

const failure: Outcome<unknown> = { ok: false, error: new Error('down') };

function state(overrides: Partial<RetryState> = {}): RetryState {
  return { attempt: 1, maxAttempts: 3, outcome: failure, previous: 0, now: 1_000, deadline: Infinity, wallNow: 0, backoff: constant(100), budget: undefined, ...overrides };
}

function countingBudget(grants: boolean): { asked: number; tryWithdraw(): boolean } {
  return {
    asked: 0,
    tryWithdraw() {
      this.asked++;
      return grants;
    },
  };
}

describe('decideRetry (the decision, as data)', () => {
  it('retries after the backoff delay while attempts remain', () => {
    expect(decideRetry(state())).toEqual({ retry: true, delay: 100, backoff: 100 });
    expect(decideRetry(state({ attempt: 2 }))).toEqual({ retry: true, delay: 100, backoff: 100 });
  });

  it("gives up for 'attempts' once maxAttempts were made, without asking the budget", () => {
    const budget = countingBudget(true);
    expect(decideRetry(state({ attempt: 3, budget }))).toEqual({ retry: false, reason: 'attempts' });
    expect(budget.asked).toBe(0);
  });

  it("gives up for 'deadline' when the delay would end at or after the deadline, without asking the budget", () => {
    const budget = countingBudget(true);
    expect(decideRetry(state({ deadline: 1_100, budget }))).toEqual({ retry: false, reason: 'deadline' });
    expect(decideRetry(state({ deadline: 1_101, budget }))).toMatchObject({ retry: true });
    expect(budget.asked).toBe(1);
  });

  it("gives up for 'budget' when the budget refuses, asking it last", () => {
    expect(decideRetry(state({ budget: countingBudget(false) }))).toEqual({ retry: false, reason: 'budget' });
  });

  it('raises the delay to the outcome’s retryAfter, and tells apart the backoff’s own delay', () => {
    const busy: Outcome<unknown> = { ok: false, error: Object.assign(new Error('busy'), { retryAfter: 400 }) };
    expect(decideRetry(state({ outcome: busy }))).toEqual({ retry: true, delay: 400, backoff: 100 });
    expect(decideRetry(state({ outcome: busy, deadline: 1_400 }))).toEqual({ retry: false, reason: 'deadline' });
  });
});

describe('retryAfterOf', () => {
  it('reads retryAfter on errors and results, and Retry-After on results with headers only', () => {
    const headers = new Headers({ 'Retry-After': '2' });
    expect(retryAfterOf({ ok: false, error: { retryAfter: 5 } }, 0)).toBe(5);
    expect(retryAfterOf({ ok: true, value: { retryAfter: 6 } }, 0)).toBe(6);
    expect(retryAfterOf({ ok: true, value: { headers } }, 0)).toBe(2_000);
    expect(retryAfterOf({ ok: false, error: { headers } }, 0)).toBe(0);
    expect(retryAfterOf({ ok: true, value: 'text' }, 0)).toBe(0);
    expect(retryAfterOf({ ok: false, error: null }, 0)).toBe(0);
  });
});
