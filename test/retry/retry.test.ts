import { describe, expect, it } from 'vitest';
import {
  BulkheadRejectedError,
  constant,
  FirebreakError,
  InvalidOptionError,
  manualClock,
  pipeline,
  retry,
  retryBudget,
  timeout,
  type Clock,
  type GiveUpEvent,
  type Outcome,
  type RetryEvent,
  type RetryPolicy,
  type RetrySettledEvent,
} from '../../src/index.js';

/** A dependency that fails its first `failures` calls with a fresh error, then answers `value`. */
function flaky<T>(failures: number, value: T): { calls: number[]; errors: Error[]; fn: (ctx: { attempt: number }) => Promise<T> } {
  const state = { calls: [] as number[], errors: [] as Error[] };
  return {
    ...state,
    fn: (ctx) => {
      state.calls.push(ctx.attempt);
      if (state.calls.length <= failures) {
        const error = new Error(`failure ${state.calls.length}`);
        state.errors.push(error);
        return Promise.reject(error);
      }
      return Promise.resolve(value);
    },
  };
}

function record(policy: RetryPolicy): { retries: RetryEvent[]; giveUps: GiveUpEvent[]; settled: RetrySettledEvent[] } {
  const events = { retries: [] as RetryEvent[], giveUps: [] as GiveUpEvent[], settled: [] as RetrySettledEvent[] };
  policy.onRetry((event) => events.retries.push(event));
  policy.onGiveUp((event) => events.giveUps.push(event));
  policy.onSettled((event) => events.settled.push(event));
  return events;
}

describe('retry', () => {
  it('retries failures and returns the first success; each attempt sees its number in ctx.attempt', async () => {
    const dependency = flaky(2, 'ok');
    const policy = retry({ backoff: constant(0) });
    await expect(policy.execute(dependency.fn)).resolves.toBe('ok');
    expect(dependency.calls).toEqual([1, 2, 3]);
  });

  it('maxAttempts counts every attempt including the first, defaults to 3 and is never infinite ✱', async () => {
    const always = flaky(Infinity, 'never');
    const policy = retry({ backoff: constant(0) });
    expect(policy.maxAttempts).toBe(3);
    const error = await policy.execute(always.fn).catch((e: unknown) => e);
    expect(error).toBe(always.errors[2]);
    expect(always.calls).toEqual([1, 2, 3]);

    const once = flaky(Infinity, 'never');
    await expect(retry({ maxAttempts: 1 }).execute(once.fn)).rejects.toThrow('failure 1');
    expect(once.calls).toEqual([1]);

    for (const maxAttempts of [Infinity, 0, -1, 2.5, NaN]) {
      expect(() => retry({ maxAttempts })).toThrow(InvalidOptionError);
    }
    expect(() => retry({ maxAttempts: Infinity })).toThrow('retry: `maxAttempts` must be an integer >= 1, got Infinity');
  });

  it('when attempts run out, throws the last error as it was', async () => {
    const always = flaky(Infinity, 'never');
    const error = await retry({ maxAttempts: 2, backoff: constant(0) })
      .execute(always.fn)
      .catch((e: unknown) => e);
    expect(error).toBe(always.errors[1]);
    expect(error).not.toHaveProperty('cause');
  });

  it('when attempts run out, returns the last handled result as it was', async () => {
    const results = [{ status: 503 }, { status: 502 }];
    let call = 0;
    const policy = retry({ maxAttempts: 2, backoff: constant(0), shouldHandle: (outcome: Outcome<{ status: number }>) => outcome.ok && outcome.value.status >= 500 });
    await expect(policy.execute(() => results[call++]!)).resolves.toBe(results[1]);
  });

  it('the backoff gets the number of the attempt that just failed (1 → the delay before attempt 2)', async () => {
    const clock = manualClock();
    const asked: number[] = [];
    const started: number[] = [];
    const policy = retry({
      maxAttempts: 4,
      clock,
      backoff: (attempt) => {
        asked.push(attempt);
        return attempt * 100;
      },
    });
    const call = policy.execute(() => {
      started.push(clock.now());
      return Promise.reject(new Error('down'));
    });
    const caught = call.catch(() => undefined);
    await clock.advanceAsync(1_000);
    await caught;
    expect(asked).toEqual([1, 2, 3]);
    expect(started).toEqual([0, 100, 300, 600]);
  });

  it('by default backs off exponentially with full jitter from 100 ms', async () => {
    const delays: number[] = [];
    const clock = manualClock();
    const stepped = retry({ maxAttempts: 4, clock });
    stepped.onRetry(({ delay }) => delays.push(delay));
    const call = stepped.execute(() => Promise.reject(new Error('down'))).catch(() => undefined);
    await clock.advanceAsync(1_000);
    await call;
    expect(delays).toHaveLength(3);
    delays.forEach((delay, index) => {
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThan(100 * 2 ** index);
    });
  });

  it("does not retry firebreak's fast-fail rejections by default (circuit open, bulkhead full or queue timeout)", async () => {
    const rejections = [
      new FirebreakError('ERR_CIRCUIT_OPEN', 'auth: circuit open', { captureStack: false }),
      new BulkheadRejectedError('auth', 'full'),
      new BulkheadRejectedError('auth', 'queue-timeout'),
    ];
    for (const rejection of rejections) {
      let calls = 0;
      const policy = retry({ backoff: constant(0) });
      const events = record(policy);
      await expect(
        policy.execute(() => {
          calls++;
          return Promise.reject(rejection);
        }),
      ).rejects.toBe(rejection);
      expect(calls).toBe(1);
      expect(events.giveUps).toEqual([]);
      expect(events.settled).toEqual([{ ok: false, failed: true, attempts: 1 }]);
    }
  });

  it('retries a fast-fail rejection when a shouldHandle of your own says so', async () => {
    let calls = 0;
    const policy = retry({ backoff: constant(0), shouldHandle: (outcome) => !outcome.ok });
    await policy
      .execute(() => {
        calls++;
        return Promise.reject(new BulkheadRejectedError('auth', 'full'));
      })
      .catch(() => undefined);
    expect(calls).toBe(3);
  });

  it("never retries the caller's abort, whatever shouldHandle says", async () => {
    const controller = new AbortController();
    let calls = 0;
    const policy = retry({ backoff: constant(0), shouldHandle: () => true });
    const events = record(policy);
    const call = policy.execute(
      (ctx) =>
        new Promise((_resolve, reject) => {
          calls++;
          ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason));
        }),
      { signal: controller.signal },
    );
    controller.abort(new Error('caller left'));
    await expect(call).rejects.toThrow('caller left');
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls).toBe(1);
    expect(events.giveUps).toEqual([]);
    expect(events.settled).toEqual([{ ok: false, failed: true, attempts: 1 }]);
  });

  it('honours a numeric retryAfter on an error as the minimum delay', async () => {
    const clock = manualClock();
    const started: number[] = [];
    const policy = retry({ maxAttempts: 2, backoff: constant(10), clock });
    const call = policy.execute(() => {
      started.push(clock.now());
      if (started.length === 1) return Promise.reject(Object.assign(new Error('busy'), { retryAfter: 750 }));
      return Promise.resolve('ok');
    });
    await clock.advanceAsync(749);
    expect(started).toEqual([0]);
    await clock.advanceAsync(1);
    await expect(call).resolves.toBe('ok');
    expect(started).toEqual([0, 750]);
  });

  it('honours a numeric retryAfter on a handled result, and keeps the longer backoff delay', async () => {
    const clock = manualClock();
    const policy = retry({ maxAttempts: 3, backoff: constant(500), clock, shouldHandle: (outcome: Outcome<{ retryAfter: number } | string>) => outcome.ok && typeof outcome.value !== 'string' });
    const delays: number[] = [];
    policy.onRetry(({ delay }) => delays.push(delay));
    const answers = [{ retryAfter: 2_000 }, { retryAfter: 100 }, 'ok'];
    let call = 0;
    const result = policy.execute(() => answers[call++]!);
    await clock.advanceAsync(2_500);
    await expect(result).resolves.toBe('ok');
    expect(delays).toEqual([2_000, 500]);
  });

  it('honours the Retry-After header of a fetch Response result (seconds and HTTP date)', async () => {
    const clock = manualClock(0, Date.parse('2026-01-01T00:00:00Z'));
    const policy = retry({ maxAttempts: 3, backoff: constant(1), clock, shouldHandle: (outcome: Outcome<Response>) => outcome.ok && outcome.value.status === 503 });
    const delays: number[] = [];
    policy.onRetry(({ delay }) => delays.push(delay));
    const answers = [
      new Response('busy', { status: 503, headers: { 'Retry-After': '3' } }),
      new Response('busy', { status: 503, headers: { 'Retry-After': 'Thu, 01 Jan 2026 00:00:08 GMT' } }),
      new Response('ok'),
    ];
    let call = 0;
    const result = policy.execute(() => answers[call++]!);
    await clock.advanceAsync(10_000);
    expect((await result).status).toBe(200);
    expect(delays).toEqual([3_000, 5_000]);
  });

  it('cancels the unread body of a Response it retries, freeing its connection', async () => {
    let cancelled = 0;
    const body = (): ReadableStream => new ReadableStream({ cancel: () => void cancelled++ });
    const answers = [new Response(body(), { status: 503 }), new Response('ok')];
    let call = 0;
    const policy = retry({ backoff: constant(0), shouldHandle: (outcome: Outcome<Response>) => outcome.ok && outcome.value.status === 503 });
    const response = await policy.execute(() => answers[call++]!);
    expect(await response.text()).toBe('ok');
    expect(cancelled).toBe(1);
  });

  it('makes no retry whose delay would end after ctx.deadline, and throws the last error as it was', async () => {
    const clock = manualClock();
    const retrying = retry({ maxAttempts: 5, backoff: constant(600), clock });
    const events = record(retrying);
    const always = flaky(Infinity, 'never');
    const started: number[] = [];
    const call = pipeline(timeout({ duration: 1_000, clock }), retrying).execute((ctx) => {
      started.push(clock.now());
      return always.fn(ctx);
    });
    const outcome = call.catch((e: unknown) => e);
    await clock.advanceAsync(600);
    expect(await outcome).toBe(always.errors[1]);
    expect(started).toEqual([0, 600]);
    expect(events.giveUps).toEqual([{ reason: 'deadline', attempts: 2, outcome: { ok: false, error: always.errors[1] } }]);
  });

  it("gives up for 'budget' when the budget refuses, throwing the last error as it was", async () => {
    const budget = retryBudget({ ratio: 0, minPerSecond: 1, window: 1_000, clock: manualClock() });
    const policy = retry({ maxAttempts: 3, backoff: constant(0), budget });
    const events = record(policy);
    const always = flaky(Infinity, 'never');
    const error = await policy.execute(always.fn).catch((e: unknown) => e);
    expect(error).toBe(always.errors[1]);
    expect(always.calls).toEqual([1, 2]);
    expect(events.giveUps).toEqual([{ reason: 'budget', attempts: 2, outcome: { ok: false, error: always.errors[1] } }]);
    expect(budget.stats).toEqual({ available: 0, requests: 1, retries: 1, exhausted: 1 });
  });

  it('an exhausted budget stops new retries but never cancels work in flight', async () => {
    const budget = retryBudget({ ratio: 0, minPerSecond: 1, window: 1_000, clock: manualClock() });
    const policy = retry({ backoff: constant(0), budget });
    let finish: (value: string) => void = () => undefined;
    let inFlight: AbortSignal | undefined;
    const first = flaky(1, 'late');
    const slow = policy.execute((ctx) => {
      if (first.calls.length === 0) return first.fn(ctx);
      inFlight = ctx.signal;
      return new Promise<string>((resolve) => (finish = resolve));
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(budget.stats.available).toBe(0);
    const always = flaky(Infinity, 'never');
    const error = await policy.execute(always.fn).catch((e: unknown) => e);
    expect(error).toBe(always.errors[0]);
    expect(inFlight?.aborted).toBe(false);
    finish('late');
    await expect(slow).resolves.toBe('late');
  });

  it('deposits once per call in the budget, whatever the attempts', async () => {
    const budget = retryBudget({ clock: manualClock() });
    const policy = retry({ backoff: constant(0), budget });
    await policy.execute(flaky(2, 'ok').fn);
    await policy.execute(() => 'ok');
    expect(budget.stats).toMatchObject({ requests: 2, retries: 2 });
  });

  it("emits onRetry with the failed attempt, the delay and the outcome, and onGiveUp with 'attempts'", async () => {
    const clock = manualClock();
    const policy = retry({ maxAttempts: 3, backoff: (attempt) => attempt * 10, clock });
    const events = record(policy);
    const always = flaky(Infinity, 'never');
    const call = policy.execute(always.fn).catch(() => undefined);
    await clock.advanceAsync(30);
    await call;
    expect(events.retries).toEqual([
      { attempt: 1, delay: 10, outcome: { ok: false, error: always.errors[0] } },
      { attempt: 2, delay: 20, outcome: { ok: false, error: always.errors[1] } },
    ]);
    expect(events.giveUps).toEqual([{ reason: 'attempts', attempts: 3, outcome: { ok: false, error: always.errors[2] } }]);
  });

  it("emits 'not-handled' when an error it does not retry ends the call after a retry, and nothing on the first attempt", async () => {
    const notFound = Object.assign(new Error('not found'), { status: 404 });
    const shouldHandle = (outcome: Outcome<unknown>): boolean => !outcome.ok && outcome.error !== notFound;
    const policy = retry({ backoff: constant(0), shouldHandle });
    const events = record(policy);
    let calls = 0;
    await expect(policy.execute(() => Promise.reject(calls++ === 0 ? new Error('blip') : notFound))).rejects.toBe(notFound);
    expect(events.giveUps).toEqual([{ reason: 'not-handled', attempts: 2, outcome: { ok: false, error: notFound } }]);
    await expect(policy.execute(() => Promise.reject(notFound))).rejects.toBe(notFound);
    expect(events.giveUps).toHaveLength(1);
  });

  it('emits onSettled once per call, telling successes and failures with and without retries apart', async () => {
    const policy = retry({ maxAttempts: 2, backoff: constant(0) });
    const events = record(policy);
    await policy.execute(() => 'first time');
    await policy.execute(flaky(1, 'second time').fn);
    await policy.execute(flaky(Infinity, '').fn).catch(() => undefined);
    await policy.execute(() => Promise.reject(new BulkheadRejectedError('x', 'full'))).catch(() => undefined);
    expect(events.settled).toEqual([
      { ok: true, failed: false, attempts: 1 },
      { ok: true, failed: false, attempts: 2 },
      { ok: false, failed: true, attempts: 2 },
      { ok: false, failed: true, attempts: 1 },
    ]);
  });

  it('onSettled tells a handled result returned after the last attempt as resolved but failed', async () => {
    const policy = retry({ maxAttempts: 2, backoff: constant(0), shouldHandle: (outcome) => outcome.ok && outcome.value === 503 });
    const events = record(policy);
    await expect(policy.execute(() => 503)).resolves.toBe(503);
    expect(events.settled).toEqual([{ ok: true, failed: true, attempts: 2 }]);
  });

  it('a backoff or shouldHandle that throws rejects the call with its error; onSettled still fires once', async () => {
    const broken = new Error('broken backoff');
    const policy = retry({
      backoff: () => {
        throw broken;
      },
    });
    const events = record(policy);
    await expect(policy.execute(() => Promise.reject(new Error('down')))).rejects.toBe(broken);
    const judging = retry({
      shouldHandle: () => {
        throw broken;
      },
    });
    const judged = record(judging);
    await expect(judging.execute(() => 'value')).rejects.toBe(broken);
    expect([events.settled, judged.settled]).toEqual([[{ ok: false, failed: true, attempts: 1 }], [{ ok: false, failed: true, attempts: 1 }]]);
  });

  it("sleeps on a ref'd timer (the wait is the work) and leaves no timer behind", async () => {
    const clock = manualClock();
    const unrefs: (boolean | undefined)[] = [];
    const spying: Clock = { ...clock, setTimeout: (callback, ms, unref) => (unrefs.push(unref), clock.setTimeout(callback, ms, unref)) };
    const call = retry({ backoff: constant(50), clock: spying }).execute(flaky(2, 'ok').fn);
    await clock.advanceAsync(100);
    await expect(call).resolves.toBe('ok');
    expect(unrefs).toEqual([undefined, undefined]);
    expect(clock.pendingTimers).toBe(0);
  });

  it('sleeps no less than the delay, even on a timer that fires early', async () => {
    const clock = manualClock();
    let timers = 0;
    const early: Clock = { ...clock, setTimeout: (callback, ms) => clock.setTimeout(callback, timers++ === 0 ? ms - 30 : ms) };
    const started: number[] = [];
    const call = retry({ maxAttempts: 2, backoff: constant(100), clock: early }).execute(() => {
      started.push(clock.now());
      return started.length === 1 ? Promise.reject(new Error('down')) : 'ok';
    });
    await clock.advanceAsync(200);
    await expect(call).resolves.toBe('ok');
    expect(started).toEqual([0, 100]);
    expect(timers).toBe(2);
  });

  it('refuses bad options by name', () => {
    expect(() => retry({ backoff: 100 as never })).toThrow('retry: `backoff` must be a function, got 100');
    expect(() => retry({ budget: { ratio: 0.1 } as never })).toThrow('retry: `budget` must be a RetryBudget (made by retryBudget()), got an object');
    expect(() => retry({ maxAttemps: 3 } as never)).toThrow(/retry: `maxAttemps` is not an option of retry \(did you mean `maxAttempts`\?/);
  });
});
