import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import {
  bulkhead,
  BulkheadRejectedError,
  firebreak,
  FirebreakError,
  manualClock,
  pipeline,
  timeout,
  TimeoutError,
  type Clock,
  type TimerHandle,
} from '../../src/index.js';
import { Context } from '../../src/context.js';
import type { PolicyBase } from '../../src/policy.js';
import { deferred, flush } from '../helpers/async.js';

/** Records whether a promise has settled yet, without leaving a rejection unhandled. */
function track<T>(promise: Promise<T>): { settled: boolean; outcome?: { value: T } | { error: unknown } } {
  const state: { settled: boolean; outcome?: { value: T } | { error: unknown } } = { settled: false };
  promise.then(
    (value) => Object.assign(state, { settled: true, outcome: { value } }),
    (error: unknown) => Object.assign(state, { settled: true, outcome: { error } }),
  );
  return state;
}

describe('bulkhead', () => {
  it('runs up to `concurrency` calls at once and rejects the next one with reason full', async () => {
    const pool = bulkhead({ name: 'auth', concurrency: 2 });
    const first = deferred();
    const second = deferred();
    const running = [pool.execute(() => first.promise), pool.execute(() => second.promise)];
    let ran = false;
    const error = await pool
      .execute(() => {
        ran = true;
        return 'third';
      })
      .catch((e: unknown) => e);
    expect(ran).toBe(false);
    expect(error).toBeInstanceOf(BulkheadRejectedError);
    expect(error).toBeInstanceOf(FirebreakError);
    expect(error).toMatchObject({ name: 'BulkheadRejectedError', code: 'ERR_BULKHEAD_REJECTED', reason: 'full', policy: 'auth' });
    expect((error as Error).message).toBe('auth: bulkhead full');
    expect(pool.stats).toEqual({ active: 2, queued: 0, available: 0 });
    first.resolve('a');
    second.resolve('b');
    await expect(Promise.all(running)).resolves.toEqual(['a', 'b']);
    expect(pool.stats).toEqual({ active: 0, queued: 0, available: 2 });
  });

  it('creates its rejection without a stack trace (a cheap fast-fail)', async () => {
    const pool = bulkhead({ concurrency: 1 });
    const work = deferred();
    const running = pool.execute(() => work.promise);
    const error = (await pool.execute(() => 1).catch((e: unknown) => e)) as Error;
    expect(error.stack ?? '').not.toMatch(/\n\s+at /);
    work.resolve('done');
    await running;
  });

  it('queues up to `queue` callers and admits them in arrival order as slots free', async () => {
    const pool = bulkhead({ concurrency: 1, queue: 3 });
    const gates = [deferred(), deferred(), deferred(), deferred()];
    const order: number[] = [];
    const calls = gates.map((gate, i) =>
      pool.execute(() => {
        order.push(i);
        return gate.promise;
      }),
    );
    expect(order).toEqual([0]);
    expect(pool.stats).toEqual({ active: 1, queued: 3, available: 0 });
    await expect(pool.execute(() => 'x')).rejects.toMatchObject({ reason: 'full' });
    for (const [i, gate] of gates.entries()) {
      gate.resolve(`r${i}`);
      await flush();
    }
    expect(order).toEqual([0, 1, 2, 3]);
    await expect(Promise.all(calls)).resolves.toEqual(['r0', 'r1', 'r2', 'r3']);
    expect(pool.stats).toEqual({ active: 0, queued: 0, available: 1 });
  });

  it('releases the slot after a failure and after a synchronous throw', async () => {
    const pool = bulkhead({ concurrency: 1 });
    await expect(pool.execute(() => Promise.reject(new Error('down')))).rejects.toThrow('down');
    await expect(
      pool.execute(() => {
        throw new Error('sync');
      }),
    ).rejects.toThrow('sync');
    expect(pool.stats.active).toBe(0);
    await expect(pool.execute(() => 'ok')).resolves.toBe('ok');
  });

  it('rejects a caller that waited `queueTimeout` with reason queue-timeout, and frees its place', async () => {
    const clock = manualClock();
    const pool = bulkhead({ name: 'auth', concurrency: 1, queue: 1, queueTimeout: 100, clock });
    const work = deferred();
    const running = pool.execute(() => work.promise);
    let ran = false;
    const waiting = track(
      pool.execute(() => {
        ran = true;
      }),
    );
    clock.advance(99);
    await flush();
    expect(waiting.settled).toBe(false);
    clock.advance(1);
    await flush();
    expect(waiting.outcome).toEqual({ error: expect.any(BulkheadRejectedError) as unknown });
    const error = (waiting.outcome as { error: BulkheadRejectedError }).error;
    expect(error.reason).toBe('queue-timeout');
    expect(error.message).toBe('auth: waited too long in the bulkhead queue');
    expect(pool.stats).toEqual({ active: 1, queued: 0, available: 0 });
    const next = pool.execute(() => 'next');
    expect(pool.stats.queued).toBe(1);
    work.resolve('done');
    await expect(next).resolves.toBe('next');
    await running;
    expect(ran).toBe(false);
    expect(clock.pendingTimers).toBe(0);
  });

  it('clears the queueTimeout timer of a caller that gets a slot', async () => {
    const clock = manualClock();
    const pool = bulkhead({ concurrency: 1, queue: 1, queueTimeout: 100, clock });
    const work = deferred();
    const running = pool.execute(() => work.promise);
    const waiting = pool.execute(() => 'admitted');
    expect(clock.pendingTimers).toBe(1);
    work.resolve('done');
    await expect(waiting).resolves.toBe('admitted');
    await running;
    expect(clock.pendingTimers).toBe(0);
  });

  it('unrefs the queueTimeout timer: a guard timer never keeps the process alive', async () => {
    const base = manualClock();
    const unrefs: (boolean | undefined)[] = [];
    const clock: Clock = {
      now: () => base.now(),
      wallNow: () => base.wallNow(),
      setTimeout: (callback: () => void, ms: number, unref?: boolean): TimerHandle => {
        unrefs.push(unref);
        return base.setTimeout(callback, ms, unref);
      },
      clearTimeout: (handle: TimerHandle) => base.clearTimeout(handle),
    };
    const pool = bulkhead({ concurrency: 1, queue: 1, queueTimeout: 100, clock });
    const work = deferred();
    const running = pool.execute(() => work.promise);
    const waiting = pool.execute(() => 'admitted');
    expect(unrefs).toEqual([true]);
    work.resolve('done');
    await Promise.all([running, waiting]);
  });

  it('✱ a queued caller whose signal aborts leaves the queue at once and frees its place', async () => {
    const pool = bulkhead({ concurrency: 1, queue: 1 });
    const work = deferred();
    const running = pool.execute(() => work.promise);
    const controller = new AbortController();
    let ran = false;
    const waiting = track(
      pool.execute(
        () => {
          ran = true;
        },
        { signal: controller.signal },
      ),
    );
    expect(pool.stats.queued).toBe(1);
    expect(getEventListeners(controller.signal, 'abort').length).toBeGreaterThan(0);
    const reason = new Error('caller gave up');
    controller.abort(reason);
    expect(pool.stats.queued).toBe(0);
    await flush();
    expect(waiting.outcome).toEqual({ error: reason });
    expect(getEventListeners(controller.signal, 'abort')).toEqual([]);
    const next = pool.execute(() => 'took its place');
    expect(pool.stats).toEqual({ active: 1, queued: 1, available: 0 });
    work.resolve('done');
    await expect(next).resolves.toBe('took its place');
    await running;
    expect(ran).toBe(false);
  });

  it('removes a caller from the middle of the queue without disturbing the order of the others', async () => {
    const pool = bulkhead({ concurrency: 1, queue: 3 });
    const work = deferred();
    const running = pool.execute(() => work.promise);
    const order: string[] = [];
    const controller = new AbortController();
    const a = pool.execute(() => order.push('a'));
    const b = pool.execute(() => order.push('b'), { signal: controller.signal }).catch(() => order.push('b aborted'));
    const c = pool.execute(() => order.push('c'));
    controller.abort();
    work.resolve('done');
    await Promise.all([running, a, b, c]);
    expect(order).toEqual(['b aborted', 'a', 'c']);
  });

  it('removes the abort listener from the caller signal once a queued caller is admitted', async () => {
    const pool = bulkhead({ concurrency: 1, queue: 1 });
    const work = deferred();
    const running = pool.execute(() => work.promise);
    const controller = new AbortController();
    const waiting = pool.execute(() => 'admitted', { signal: controller.signal });
    work.resolve('done');
    await expect(waiting).resolves.toBe('admitted');
    await running;
    expect(getEventListeners(controller.signal, 'abort')).toEqual([]);
  });

  it('a queued caller leaves when an outer total timeout fires, with the TimeoutError', async () => {
    const clock = manualClock();
    const pool = bulkhead({ concurrency: 1, queue: 1, clock });
    const policy = pipeline(timeout({ duration: 50, clock }), pool);
    const work = deferred();
    const running = pool.execute(() => work.promise);
    const waiting = track(policy.execute(() => 'never runs'));
    expect(pool.stats.queued).toBe(1);
    clock.advance(50);
    expect(pool.stats.queued).toBe(0);
    await flush();
    expect((waiting.outcome as { error: unknown }).error).toBeInstanceOf(TimeoutError);
    work.resolve('done');
    await running;
  });

  it('✱ a non-cooperative function under an inner abort timeout keeps its slot until it settles', async () => {
    const clock = manualClock();
    const pool = bulkhead({ concurrency: 1, queue: 1, clock });
    const policy = pipeline(pool, timeout({ duration: 100, clock, strategy: 'abort' }));
    const stubborn = deferred();
    let running = 0;
    let maxRunning = 0;
    const run = <T>(work: Promise<T>): Promise<T> => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      return work.finally(() => running--);
    };
    const first = track(policy.execute(() => run(stubborn.promise)));
    const second = track(policy.execute(() => run(Promise.resolve('second'))));
    clock.advance(100);
    await flush();
    expect((first.outcome as { error: unknown }).error).toBeInstanceOf(TimeoutError);
    expect(running).toBe(1);
    expect(pool.stats).toEqual({ active: 1, queued: 1, available: 0 });
    expect(second.settled).toBe(false);
    await expect(policy.execute(() => 'third')).rejects.toMatchObject({ reason: 'full' });
    stubborn.resolve('finally');
    await flush();
    expect(second.outcome).toEqual({ value: 'second' });
    expect(maxRunning).toBe(1);
    expect(pool.stats).toEqual({ active: 0, queued: 0, available: 1 });
  });

  it('keeps the slot of abandoned work in firebreak() too, and lets exactly `concurrency` run once it settles', async () => {
    const clock = manualClock();
    const dep = firebreak('auth', { bulkhead: { concurrency: 2, clock }, attemptTimeout: { duration: 10, clock } });
    const stubborn = [deferred(), deferred()];
    const abandoned = stubborn.map((gate) => dep.execute(() => gate.promise).catch((e: unknown) => e));
    clock.advance(10);
    expect(await Promise.all(abandoned)).toEqual([expect.any(TimeoutError), expect.any(TimeoutError)]);
    expect(dep.bulkhead?.stats).toEqual({ active: 2, queued: 0, available: 0 });
    stubborn[0]?.resolve('late');
    await flush();
    expect(dep.bulkhead?.stats.active).toBe(1);
    stubborn[1]?.reject(new Error('late failure'));
    await flush();
    expect(dep.bulkhead?.stats).toEqual({ active: 0, queued: 0, available: 2 });
  });

  it('frees the slot exactly once when the abandoned function settles at its abort, whichever is seen first', async () => {
    const clock = manualClock();
    const pool = bulkhead({ concurrency: 2, clock });
    const policy = pipeline(pool, timeout({ duration: 10, clock }));
    const settlesAtAbort = (ctx: { signal: AbortSignal }): Promise<never> =>
      new Promise((_resolve, reject) => ctx.signal.addEventListener('abort', () => reject(new Error('aborted'))));
    const calls = [policy.execute(settlesAtAbort).catch(() => 'x'), policy.execute(settlesAtAbort).catch(() => 'x')];
    clock.advance(10);
    await Promise.all(calls);
    await flush();
    expect(pool.stats).toEqual({ active: 0, queued: 0, available: 2 });
    const gates = [deferred(), deferred()];
    const again = gates.map((gate) => pool.execute(() => gate.promise));
    await expect(pool.execute(() => 'third')).rejects.toMatchObject({ reason: 'full' });
    for (const gate of gates) gate.resolve('ok');
    await Promise.all(again);
  });

  it('keeps the slots of nested bulkheads for abandoned work', async () => {
    const clock = manualClock();
    const outer = bulkhead({ concurrency: 3, clock });
    const inner = bulkhead({ concurrency: 1, clock });
    const policy = pipeline(outer, inner, timeout({ duration: 10, clock }));
    const stubborn = deferred();
    const call = policy.execute(() => stubborn.promise).catch((e: unknown) => e);
    clock.advance(10);
    expect(await call).toBeInstanceOf(TimeoutError);
    await flush();
    expect(outer.stats.active).toBe(1);
    expect(inner.stats.active).toBe(1);
    stubborn.resolve('late');
    await flush();
    expect(outer.stats.active).toBe(0);
    expect(inner.stats.active).toBe(0);
  });

  it('keeps the slot when a timeout between two bulkheads abandons the inner one', async () => {
    const clock = manualClock();
    const outer = bulkhead({ concurrency: 1, clock });
    const inner = bulkhead({ concurrency: 1, clock });
    const policy = pipeline(outer, timeout({ duration: 10, clock }), inner);
    const stubborn = deferred();
    const call = policy.execute(() => stubborn.promise).catch((e: unknown) => e);
    clock.advance(10);
    expect(await call).toBeInstanceOf(TimeoutError);
    await flush();
    expect(outer.stats.active).toBe(1);
    stubborn.resolve('late');
    await flush();
    expect(outer.stats.active).toBe(0);
    expect(inner.stats.active).toBe(0);
  });

  it("a caller's abort rejects at once but does not free the slot of a function that ignores it", async () => {
    const pool = bulkhead({ concurrency: 1, queue: 1 });
    const stubborn = deferred();
    const controller = new AbortController();
    const call = pool.execute(() => stubborn.promise, { signal: controller.signal });
    const reason = new Error('caller gone');
    controller.abort(reason);
    await expect(call).rejects.toBe(reason);
    expect(pool.stats.active).toBe(1);
    const next = pool.execute(() => 'next');
    expect(pool.stats.queued).toBe(1);
    stubborn.resolve('late');
    await expect(next).resolves.toBe('next');
  });

  it('rejects at once with the abort reason a call that would queue but arrives in an aborted scope', async () => {
    const pool = bulkhead({ concurrency: 1, queue: 1 });
    const work = deferred();
    const running = pool.execute(() => work.promise);
    const ctx = Context.root(undefined).withScope(Infinity);
    const reason = new Error('outer deadline passed');
    ctx.scope.abort(reason);
    let ran = false;
    const call = (pool as unknown as PolicyBase).invoke(ctx, () => {
      ran = true;
    });
    expect(pool.stats.queued).toBe(0);
    await expect(call).rejects.toBe(reason);
    work.resolve('done');
    await running;
    expect(ran).toBe(false);
  });

  describe('events', () => {
    it('onAdmitted: waited 0 for a call admitted at once, the time in the queue otherwise', async () => {
      const clock = manualClock();
      const pool = bulkhead({ concurrency: 1, queue: 1, clock });
      const waited: number[] = [];
      pool.onAdmitted(({ waited: ms }) => waited.push(ms));
      const work = deferred();
      const running = pool.execute(() => work.promise);
      const queued = pool.execute(() => 'second');
      clock.advance(30);
      work.resolve('done');
      await Promise.all([running, queued]);
      expect(waited).toEqual([0, 30]);
    });

    it('onQueued reports the queue length after enqueueing; onRejected reports full and queue-timeout', async () => {
      const clock = manualClock();
      const pool = bulkhead({ concurrency: 1, queue: 2, queueTimeout: 10, clock });
      const queued: number[] = [];
      const rejected: string[] = [];
      pool.onQueued(({ queued: length }) => queued.push(length));
      pool.onRejected(({ reason }) => rejected.push(`${reason} (${pool.stats.queued} queued)`));
      const work = deferred();
      const running = pool.execute(() => work.promise);
      const waiting = [pool.execute(() => 1), pool.execute(() => 2)].map((p) => p.catch((e: unknown) => e));
      await pool.execute(() => 3).catch(() => undefined);
      clock.advance(10);
      expect(await Promise.all(waiting)).toEqual([expect.any(BulkheadRejectedError), expect.any(BulkheadRejectedError)]);
      expect(queued).toEqual([1, 2]);
      expect(rejected).toEqual(['full (2 queued)', 'queue-timeout (1 queued)', 'queue-timeout (0 queued)']);
      work.resolve('done');
      await running;
    });

    it('reports no rejection for a caller that aborted, and nothing after unsubscribing', async () => {
      const pool = bulkhead({ concurrency: 1, queue: 1 });
      const events: string[] = [];
      const stop = pool.onRejected(({ reason }) => events.push(reason));
      const work = deferred();
      const running = pool.execute(() => work.promise);
      const controller = new AbortController();
      const aborted = pool.execute(() => 1, { signal: controller.signal }).catch(() => undefined);
      controller.abort();
      await aborted;
      expect(events).toEqual([]);
      stop();
      pool.execute(() => 2).catch(() => undefined);
      await pool.execute(() => 3).catch(() => undefined);
      expect(events).toEqual([]);
      work.resolve('done');
      await running;
    });
  });

  it('firebreak() places the bulkhead inside the total timeout and around the attempt timeout, named after the dependency', () => {
    const dep = firebreak('auth', { attemptTimeout: 100, bulkhead: { concurrency: 4, queue: 8, queueTimeout: 50 }, totalTimeout: 1_000 });
    expect(dep.policies).toEqual([dep.totalTimeout, dep.bulkhead, dep.attemptTimeout]);
    expect(dep.bulkhead).toMatchObject({ name: 'auth', concurrency: 4, queue: 8, queueTimeout: 50 });
    expect(firebreak('auth').bulkhead).toBeUndefined();
  });
});
