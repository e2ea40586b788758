import { describe, expect, it } from 'vitest';
import {
  bulkhead,
  circuitBreaker,
  CircuitOpenError,
  firebreak,
  hedge,
  HedgeLostError,
  manualClock,
  pipeline,
  retryBudget,
  type CallContext,
  type HedgeEvent,
  type HedgeOptions,
  type HedgeSettledEvent,
  type ManualClock,
} from '../../src/index.js';
import { Context } from '../../src/context.js';
import { deferred, flush, type Deferred } from '../helpers/async.js';

interface Started {
  readonly attempt: number;
  readonly at: number;
  readonly ctx: CallContext;
  readonly result: Deferred<string>;
}

/** A dependency whose every attempt waits until the test settles it; `honour` makes it reject when its signal aborts. */
function dependency(clock: ManualClock, honour = true): { started: Started[]; fn: (ctx: CallContext) => Promise<string> } {
  const started: Started[] = [];
  const fn = (ctx: CallContext): Promise<string> => {
    const result = deferred<string>();
    started.push({ attempt: ctx.attempt, at: clock.now(), ctx, result });
    if (honour) ctx.signal.addEventListener('abort', () => result.reject(ctx.signal.reason));
    return result.promise;
  };
  return { started, fn };
}

const settledOf = <T>(promise: Promise<T>): { value?: T; error?: unknown; done: boolean } => {
  const state: { value?: T; error?: unknown; done: boolean } = { done: false };
  promise.then(
    (value) => Object.assign(state, { value, done: true }),
    (error: unknown) => Object.assign(state, { error, done: true }),
  );
  return state;
};

/** A hedge over a fresh {@link dependency}, with one call started and its hedge events recorded. */
function hedgedCall(options: Omit<HedgeOptions, 'clock'>, honour = true) {
  const clock = manualClock();
  const policy = hedge({ ...options, clock });
  const hedges: HedgeEvent[] = [];
  policy.onHedge((event) => hedges.push(event));
  const { started, fn } = dependency(clock, honour);
  const call = settledOf(policy.execute(fn));
  return { clock, policy, hedges, started, fn, call };
}

describe('hedge (manual clock)', () => {
  it('starts each attempt `delay` after the previous one while none has settled, numbering them', async () => {
    const { clock, hedges, started, call } = hedgedCall({ maxAttempts: 3, delay: 100 });
    await clock.advanceAsync(99);
    expect(started.map((s) => [s.attempt, s.at])).toEqual([[1, 0]]);
    await clock.advanceAsync(1);
    expect(started.map((s) => [s.attempt, s.at])).toEqual([[1, 0], [2, 100]]);
    await clock.advanceAsync(500);
    expect(started.map((s) => [s.attempt, s.at])).toEqual([[1, 0], [2, 100], [3, 200]]);
    expect(hedges).toEqual([{ attempt: 2, reason: 'delay' }, { attempt: 3, reason: 'delay' }]);
    started[2]!.result.resolve('third');
    await flush();
    expect(call).toMatchObject({ done: true, value: 'third' });
    expect(clock.pendingTimers).toBe(0);
  });

  it('settles with the first outcome that is not a failure and aborts the losers with a HedgeLostError', async () => {
    const clock = manualClock();
    const policy = hedge({ maxAttempts: 3, delay: 100, clock });
    const settled: HedgeSettledEvent[] = [];
    policy.onSettled((event) => settled.push(event));
    const { started, fn } = dependency(clock);
    const call = settledOf(policy.execute(fn));
    await clock.advanceAsync(250);
    started[1]!.result.resolve('second');
    await flush();
    expect(call).toMatchObject({ done: true, value: 'second' });
    const [first, , third] = started;
    for (const loser of [first!, third!]) {
      expect(loser.ctx.signal.aborted).toBe(true);
      expect(loser.ctx.signal.reason).toBeInstanceOf(HedgeLostError);
      expect((loser.ctx.signal.reason as HedgeLostError).winner).toBe(2);
    }
    expect(started[1]!.ctx.signal.aborted).toBe(false);
    expect(settled).toEqual([{ ok: true, attempts: 3, winner: 2 }]);
    expect(policy.stats).toMatchObject({ calls: 1, hedges: 2, wins: 1 });
  });

  it('waits for losers that ignore their signal for `grace` ms, then hands them to the stages around it (a bulkhead keeps the slot)', async () => {
    const clock = manualClock();
    const pool = bulkhead({ concurrency: 1, clock });
    const policy = pipeline(pool, hedge({ delay: 100, grace: 50, clock }));
    const { started, fn } = dependency(clock, false);
    const call = settledOf(policy.execute(fn));
    await clock.advanceAsync(100);
    started[1]!.result.resolve('second');
    await clock.advanceAsync(49);
    expect(call.done).toBe(false);
    await clock.advanceAsync(1);
    expect(call).toMatchObject({ done: true, value: 'second' });
    expect(pool.stats.active).toBe(1);
    started[0]!.result.reject(new Error('late'));
    await flush();
    expect(pool.stats.active).toBe(0);
  });

  it('starts the next attempt at once after a failure, and the next delay counts from there', async () => {
    const { clock, hedges, started, call } = hedgedCall({ maxAttempts: 3, delay: 100 });
    await clock.advanceAsync(30);
    started[0]!.result.reject(new Error('reset'));
    await flush();
    expect(started.map((s) => [s.attempt, s.at])).toEqual([[1, 0], [2, 30]]);
    await clock.advanceAsync(100);
    expect(started.map((s) => [s.attempt, s.at])).toEqual([[1, 0], [2, 30], [3, 130]]);
    expect(hedges).toEqual([{ attempt: 2, reason: 'failure' }, { attempt: 3, reason: 'delay' }]);
    started[2]!.result.resolve('third');
    await flush();
    expect(call.value).toBe('third');
  });

  it('when every attempt fails, ends with the last outcome as it was', async () => {
    const { clock, started, call } = hedgedCall({ delay: 100 });
    await clock.advanceAsync(100);
    const last = new Error('second failed');
    started[0]!.result.reject(new Error('first failed'));
    await flush();
    expect(call.done).toBe(false);
    started[1]!.result.reject(last);
    await flush();
    expect(call).toMatchObject({ done: true, error: last });
  });

  it('a failing result counts as a failure under shouldHandle, and is returned when it is the last outcome', async () => {
    const clock = manualClock();
    const policy = hedge({ delay: 100, shouldHandle: (outcome) => outcome.ok && outcome.value === 503, clock });
    let calls = 0;
    expect(await policy.execute(() => (++calls === 1 ? 503 : 200))).toBe(200);
    expect(await policy.execute(() => 503)).toBe(503);
  });

  it("starts no attempt after the caller's abort", async () => {
    const clock = manualClock();
    const policy = hedge({ maxAttempts: 3, delay: 100, clock });
    const { started, fn } = dependency(clock, false);
    const controller = new AbortController();
    const call = settledOf(policy.execute(fn, { signal: controller.signal }));
    await clock.advanceAsync(50);
    const reason = new Error('caller left');
    controller.abort(reason);
    await flush();
    expect(call).toMatchObject({ done: true, error: reason });
    await clock.advanceAsync(500);
    expect(started).toHaveLength(1);
  });

  it("starts no attempt past ctx.deadline", async () => {
    const clock = manualClock();
    const policy = hedge({ maxAttempts: 3, delay: 100, clock }) as unknown as { invoke<T>(ctx: Context, fn: (ctx: CallContext) => Promise<T>): Promise<T> };
    const { started, fn } = dependency(clock);
    const call = settledOf(policy.invoke(Context.root(undefined).withScope(150), fn));
    await clock.advanceAsync(500);
    expect(started.map((s) => s.at)).toEqual([0, 100]);
    started[0]!.result.resolve('first');
    await flush();
    expect(call.value).toBe('first');
  });

  it('an exhausted budget stops new hedges but never cancels the attempts running', async () => {
    const clock = manualClock();
    const budget = retryBudget({ ratio: 0, minPerSecond: 0.1, window: 10_000, clock }); // a reserve of one hedge
    const policy = hedge({ delay: 100, budget, clock });
    const { started, fn } = dependency(clock);
    const first = settledOf(policy.execute(fn));
    await clock.advanceAsync(100);
    expect(started).toHaveLength(2);
    started[1]!.result.resolve('hedged');
    await flush();
    expect(first.value).toBe('hedged');

    const second = settledOf(policy.execute(fn));
    await clock.advanceAsync(1_000);
    expect(started).toHaveLength(3);
    expect(started[2]!.ctx.signal.aborted).toBe(false);
    started[2]!.result.resolve('slow but whole');
    await flush();
    expect(second.value).toBe('slow but whole');
    expect(budget.stats).toMatchObject({ retries: 1, exhausted: 1, requests: 2 });
  });

  it("a fast-fail starts no hedge, and a lost attempt's abort is never a failure for a breaker inside", async () => {
    const clock = manualClock();
    const breaker = circuitBreaker({ window: { type: 'consecutive', failures: 1 }, clock });
    const policy = pipeline(hedge({ delay: 100, clock }), breaker);
    const { started, fn } = dependency(clock);
    const call = settledOf(policy.execute(fn));
    await clock.advanceAsync(100);
    started[1]!.result.resolve('second');
    await flush();
    expect(call.value).toBe('second');
    expect(breaker.state).toBe('closed');

    breaker.isolate();
    const rejected = settledOf(policy.execute(fn));
    await clock.advanceAsync(1_000);
    expect(rejected.error).toBeInstanceOf(CircuitOpenError);
    expect(started).toHaveLength(2);
  });

  it('with { percentile }, hedges only once it has enough samples, after that percentile of recent first attempts', async () => {
    const clock = manualClock();
    const policy = hedge({ delay: { percentile: 0.9, samples: 10 }, clock });
    expect(policy.stats.delay).toBe(Infinity);
    for (let latency = 10; latency <= 100; latency += 10) {
      const { started, fn } = dependency(clock);
      const call = policy.execute(fn);
      await clock.advanceAsync(latency);
      started[0]!.result.resolve('ok');
      await call;
      expect(started).toHaveLength(1);
    }
    expect(policy.stats.delay).toBe(90);
    const { started, fn } = dependency(clock);
    const call = policy.execute(fn);
    await clock.advanceAsync(90);
    expect(started.map((s) => s.attempt)).toEqual([1, 2]);
    started[1]!.result.resolve('hedged');
    expect(await call).toBe('hedged');
  });

  it('with a function delay, asks it with the number of the attempt just started', async () => {
    const clock = manualClock();
    const asked: number[] = [];
    const policy = hedge({ maxAttempts: 3, delay: (attempt) => (asked.push(attempt), attempt * 100), clock });
    const { started, fn } = dependency(clock);
    const call = policy.execute(fn);
    await clock.advanceAsync(300);
    expect(started.map((s) => s.at)).toEqual([0, 100, 300]);
    expect(asked).toEqual([1, 2]);
    started[0]!.result.resolve('first');
    expect(await call).toBe('first');
  });

  it('never hedges a call that is not repeatable (execute(fn, { repeatable: false }))', async () => {
    const clock = manualClock();
    const policy = hedge({ delay: 100, clock });
    const { started, fn } = dependency(clock);
    const call = policy.execute(fn, { repeatable: false });
    await clock.advanceAsync(1_000);
    expect(started).toHaveLength(1);
    started[0]!.result.resolve('once');
    expect(await call).toBe('once');
  });

  it('has the documented defaults and refuses bad options', () => {
    const policy = hedge();
    expect([policy.name, policy.maxAttempts, policy.grace, policy.budget, policy.stats.delay]).toEqual(['hedge', 2, 100, undefined, Infinity]);
    expect(() => hedge({ maxAttempts: 0 })).toThrow('hedge: `maxAttempts` must be an integer in [1, 10], got 0');
    expect(() => hedge({ delay: -5 })).toThrow('`delay` must be a number of milliseconds >= 0 or Infinity, got -5');
    expect(() => hedge({ delay: 'p95' } as never)).toThrow('`delay` must be a number of milliseconds, a function of the attempt, or { percentile }, got "p95"');
    expect(() => hedge({ delay: { percentile: 1 } })).toThrow('`delay.percentile` must be a number in (0, 1), got 1');
    expect(() => hedge({ delay: { percentile: 0.9, window: 5 } as never })).toThrow('`delay.window` is not an option of hedge (the options of `delay` are percentile, samples), got 5');
    expect(() => hedge({ budget: {} as never })).toThrow('`budget` must be a RetryBudget');
    expect(() => hedge({ grace: -1 })).toThrow('`grace`');
  });

  it('is the hedge stage of firebreak(), inside the total timeout and outside the retry', () => {
    const search = firebreak('search', { totalTimeout: 1_000, retry: {}, hedge: { delay: 50 }, attemptTimeout: 200 });
    expect(search.hedge?.name).toBe('search');
    expect(search.policies).toEqual([search.totalTimeout, search.hedge, search.retry, search.attemptTimeout]);
  });
});
