import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import {
  adaptiveBulkhead,
  BulkheadRejectedError,
  circuitBreaker,
  constant,
  firebreak,
  InvalidOptionError,
  manualClock,
  pipeline,
  retry,
  timeout,
  type AdaptiveBulkheadPolicy,
  type CallContext,
  type LimitChangeEvent,
  type ManualClock,
  type Priority,
} from '../../src/index.js';
import { deferred, flush } from '../helpers/async.js';

/** A function that answers after `ms` of the manual clock. */
const takes =
  (clock: ManualClock, ms: number, value = 'ok') =>
  (): Promise<string> =>
    new Promise((resolve) => clock.setTimeout(() => resolve(value), ms));

/** Runs `rounds` rounds of `calls` calls at once, each taking `ms`; returns the limit after each round. */
async function rounds(pool: AdaptiveBulkheadPolicy, clock: ManualClock, { rounds: count, calls, ms }: { rounds: number; calls: number; ms: number }): Promise<number[]> {
  const limits: number[] = [];
  for (let round = 0; round < count; round++) {
    const running = Array.from({ length: calls }, () => pool.execute(takes(clock, ms)).catch(() => 'rejected'));
    await clock.advanceAsync(ms);
    await Promise.all(running);
    limits.push(pool.stats.limit);
  }
  return limits;
}

const rejection = (promise: Promise<unknown>): Promise<unknown> => promise.then(() => 'resolved', (error: unknown) => error);

describe('adaptiveBulkhead: a drop-in for bulkhead()', () => {
  it('runs up to its limit at once and rejects the next call with BulkheadRejectedError, reason full', async () => {
    const clock = manualClock();
    const pool = adaptiveBulkhead({ name: 'search', initial: 2, clock });
    expect(pool.concurrency).toBe(2);
    expect(pool.algorithm).toBe('gradient2');
    const gates = [deferred(), deferred()];
    const running = gates.map((gate) => pool.execute(() => gate.promise));
    const error = await rejection(pool.execute(() => 'third'));
    expect(error).toBeInstanceOf(BulkheadRejectedError);
    expect(error).toMatchObject({ code: 'ERR_BULKHEAD_REJECTED', reason: 'full', policy: 'search', message: 'search: bulkhead full' });
    expect((error as Error).stack ?? '').not.toMatch(/\n\s+at /);
    expect(pool.stats).toEqual({ active: 2, queued: 0, available: 0, limit: 2, minRtt: NaN, sampleRtt: NaN });
    for (const gate of gates) gate.resolve('done');
    await expect(Promise.all(running)).resolves.toEqual(['done', 'done']);
    expect(pool.stats.active).toBe(0);
  });

  it('queues callers FIFO, each for at most queueTimeout, and a caller whose signal aborts leaves at once', async () => {
    const clock = manualClock();
    const pool = adaptiveBulkhead({ initial: 1, queue: 2, queueTimeout: 50, clock });
    const waits: number[] = [];
    pool.onAdmitted(({ waited }) => waits.push(waited));
    const rejected: string[] = [];
    pool.onRejected(({ reason }) => rejected.push(reason));
    const gate = deferred();
    const running = pool.execute(() => gate.promise);
    const controller = new AbortController();
    const leaving = rejection(pool.execute(() => 'never', { signal: controller.signal }));
    const order: string[] = [];
    const second = pool.execute(() => void order.push('second'));
    expect(pool.stats.queued).toBe(2);
    controller.abort(new Error('caller gave up'));
    expect(pool.stats.queued).toBe(1);
    expect(getEventListeners(controller.signal, 'abort')).toEqual([]);
    expect(await leaving).toMatchObject({ message: 'caller gave up' });
    const third = pool.execute(() => void order.push('third'));
    await clock.advanceAsync(10);
    gate.resolve('done');
    await running;
    await second;
    expect(order).toEqual(['second', 'third']);
    await third;
    expect(waits).toEqual([0, 10, 10]);
    // Nothing runs now: a queued caller that waits 50 ms is turned away.
    const blocker = deferred();
    const blocking = pool.execute(() => blocker.promise);
    const expired = rejection(pool.execute(() => 'late'));
    await clock.advanceAsync(50);
    expect(await expired).toMatchObject({ reason: 'queue-timeout' });
    expect(rejected).toEqual(['queue-timeout']);
    blocker.resolve('done');
    await blocking;
  });

  it('keeps the slot of work an inner timeout gave up on until that work settles', async () => {
    const clock = manualClock();
    const pool = adaptiveBulkhead({ initial: 1, clock });
    const guarded = pipeline(pool, timeout({ duration: 10, clock }));
    const ignoresSignal = rejection(guarded.execute(takes(clock, 100)));
    await clock.advanceAsync(10);
    expect(await ignoresSignal).toMatchObject({ code: 'ERR_TIMEOUT' });
    expect(pool.stats.active).toBe(1);
    await expect(guarded.execute(() => 'next')).rejects.toMatchObject({ reason: 'full' });
    await clock.advanceAsync(90);
    expect(pool.stats.active).toBe(0);
    await expect(guarded.execute(() => 'next')).resolves.toBe('next');
  });
});

describe('the limit, learned from latency', () => {
  it('falls as the latency rises past the tolerance and returns to its initial value after', async () => {
    const clock = manualClock();
    const pool = adaptiveBulkhead({ initial: 20, clock });
    const changes: LimitChangeEvent[] = [];
    pool.onLimitChange((event) => changes.push(event));
    const healthy = await rounds(pool, clock, { rounds: 20, calls: 10, ms: 10 });
    expect(pool.stats.minRtt).toBe(10);
    expect(Math.min(...healthy)).toBeGreaterThanOrEqual(20);
    const slow = await rounds(pool, clock, { rounds: 40, calls: 10, ms: 40 });
    expect(pool.stats.sampleRtt).toBe(40);
    expect(slow.at(-1)).toBeLessThan(10);
    // Each step down is a window judged past the tolerance.
    for (const change of changes.filter((c) => c.to < c.from)) expect(change.sampleRtt).toBeGreaterThan(1.25 * change.minRtt);
    const recovered = await rounds(pool, clock, { rounds: 100, calls: 10, ms: 10 });
    expect(recovered.at(-1)).toBeGreaterThanOrEqual(20);
  });

  it('closes a window only with 10 samples at least: a quiet period does not move the limit on a few calls', async () => {
    const clock = manualClock();
    const pool = adaptiveBulkhead({ initial: 20, clock });
    await rounds(pool, clock, { rounds: 12, calls: 10, ms: 10 });
    // One slow call closes the window the healthy calls left open; a fresh one starts.
    await rounds(pool, clock, { rounds: 1, calls: 1, ms: 200 });
    const before = pool.stats;
    // Nine calls, one every second, each 20 times slower: no window closes.
    for (let i = 0; i < 9; i++) {
      await rounds(pool, clock, { rounds: 1, calls: 1, ms: 200 });
      await clock.advanceAsync(800);
    }
    expect(pool.stats).toEqual(before);
    await rounds(pool, clock, { rounds: 1, calls: 1, ms: 200 });
    expect(pool.stats.sampleRtt).toBe(200);
    expect(pool.stats.limit).toBeLessThan(before.limit);
  });

  it('closes a window no sooner than 100 ms after its first sample, however many calls it holds', async () => {
    const clock = manualClock();
    const pool = adaptiveBulkhead({ initial: 100, clock });
    await rounds(pool, clock, { rounds: 9, calls: 50, ms: 10 });
    expect(pool.stats.sampleRtt).toBeNaN();
    await rounds(pool, clock, { rounds: 2, calls: 50, ms: 10 });
    expect(pool.stats.sampleRtt).toBe(10);
  });

  it('lowers the limit on drops (shouldHandle), but never on a caller abort or on a fast-fail of an inner stage', async () => {
    const clock = manualClock();
    const pool = adaptiveBulkhead({ initial: 20, clock, shouldHandle: (outcome) => !outcome.ok || outcome.value === 'overloaded' });
    await rounds(pool, clock, { rounds: 12, calls: 10, ms: 10 });
    const settled = pool.stats.limit;
    const open = circuitBreaker({ window: { type: 'consecutive', failures: 1 }, clock });
    open.isolate();
    const inner = pipeline(pool, open);
    for (let i = 0; i < 30; i++) {
      await expect(inner.execute(() => 'unreached')).rejects.toMatchObject({ code: 'ERR_CIRCUIT_OPEN' });
      const controller = new AbortController();
      const call = pool.execute((ctx) => new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason))), {
        signal: controller.signal,
      });
      controller.abort(new Error('caller'));
      await expect(call).rejects.toThrow('caller');
      await clock.advanceAsync(10);
    }
    expect(pool.stats.limit).toBe(settled);
    for (let round = 0; round < 12; round++) {
      const running = Array.from({ length: 10 }, () => pool.execute(takes(clock, 10, 'overloaded')));
      await clock.advanceAsync(10);
      await Promise.all(running);
    }
    expect(pool.stats.limit).toBeLessThan(settled);
  });

  it('tells onLimitChange listeners, and the vegas and aimd algorithms learn too', async () => {
    for (const algorithm of ['vegas', 'aimd'] as const) {
      const clock = manualClock();
      const pool = adaptiveBulkhead({ algorithm, initial: 20, clock });
      const changes: LimitChangeEvent[] = [];
      pool.onLimitChange((event) => changes.push(event));
      await rounds(pool, clock, { rounds: 12, calls: 20, ms: 10 });
      await rounds(pool, clock, { rounds: 60, calls: 20, ms: 60 });
      expect(pool.stats.limit, algorithm).toBeLessThan(20);
      expect(changes.length, algorithm).toBeGreaterThan(0);
      expect(changes.at(-1)?.to, algorithm).toBe(pool.stats.limit);
    }
  });
});

describe('priorities', () => {
  it('gives every stage the priority of execute(fn, { priority }) as ctx.priority, undefined when none is given', async () => {
    const seen: (Priority | undefined)[] = [];
    const pool = adaptiveBulkhead({
      priority: (ctx) => {
        seen.push(ctx.priority);
        return ctx.priority ?? 'critical';
      },
    });
    const policy = pipeline(retry({ maxAttempts: 2, backoff: constant(0) }), pool, timeout(1_000));
    let attempts = 0;
    const fn = (ctx: CallContext): string => {
      seen.push(ctx.priority);
      if (++attempts === 1) throw new Error('once');
      return 'ok';
    };
    await expect(policy.execute(fn, { priority: 'sheddable' })).resolves.toBe('ok');
    expect(seen).toEqual(['sheddable', 'sheddable', 'sheddable', 'sheddable']);
    seen.length = 0;
    await policy.execute((ctx) => seen.push(ctx.priority));
    expect(seen).toEqual([undefined, undefined]);
  });

  it('with partitions, reserves each share: sheddable calls are shed first, critical calls keep their share', async () => {
    const pool = adaptiveBulkhead({ name: 'pay', initial: 10, partitions: { critical: 0.5, degraded: 0.2 } });
    const gate = deferred();
    const hold = (priority: Priority): Promise<unknown> => pool.execute(() => gate.promise, { priority });
    // Sheddable calls may use what the unused critical (5) and degraded (2) shares leave: 3.
    const sheddable = [hold('sheddable'), hold('sheddable'), hold('sheddable')];
    const shed = await rejection(hold('sheddable'));
    expect(shed).toMatchObject({ reason: 'shed', message: 'pay: shed by priority' });
    // Degraded calls may use their share and what critical leaves: 2.
    const degraded = [hold('degraded'), hold('degraded')];
    expect(await rejection(hold('degraded'))).toMatchObject({ reason: 'shed' });
    // Critical calls still have their share of 5.
    const critical = Array.from({ length: 5 }, () => hold('critical'));
    expect(await rejection(hold('critical'))).toMatchObject({ reason: 'full' });
    expect(pool.stats.active).toBe(10);
    gate.resolve('done');
    await Promise.all([...sheddable, ...degraded, ...critical]);
  });

  it('without partitions, admits waiters the highest priority first, and a full queue evicts its oldest waiter of lower priority', async () => {
    const pool = adaptiveBulkhead({ initial: 1, queue: 2 });
    const gate = deferred();
    const running = pool.execute(() => gate.promise);
    const order: string[] = [];
    const call = (name: string, priority: Priority): Promise<unknown> => pool.execute(() => void order.push(name), { priority });
    const first = rejection(call('sheddable 1', 'sheddable'));
    const second = call('sheddable 2', 'sheddable');
    const critical = call('critical', 'critical');
    expect(await first).toMatchObject({ reason: 'shed' });
    expect(await rejection(call('sheddable 3', 'sheddable'))).toMatchObject({ reason: 'full' });
    gate.resolve('done');
    await Promise.all([running, second, critical]);
    expect(order).toEqual(['critical', 'sheddable 2']);
  });

  it('rejects a call whose priority is not one of the three, and a call whose priority function throws', async () => {
    const pool = adaptiveBulkhead({ priority: () => 'urgent' as Priority });
    await expect(pool.execute(() => 1)).rejects.toThrow(TypeError);
    const failing = adaptiveBulkhead({
      priority: () => {
        throw new Error('no priority');
      },
    });
    await expect(failing.execute(() => 1)).rejects.toThrow('no priority');
  });
});

describe('event-loop delay', () => {
  it('sheds sheddable calls while the event loop lags past eventLoopDelay (real timers), and keeps no timer once idle', async () => {
    const pool = adaptiveBulkhead({ eventLoopDelay: 30 });
    const gate = deferred();
    const running = pool.execute(() => gate.promise);
    await flush();
    let shed: unknown;
    for (let attempt = 0; attempt < 5 && shed === undefined; attempt++) {
      const until = performance.now() + 150;
      while (performance.now() < until); // a saturated process: the loop stalls
      await flush();
      shed = await pool.execute(() => 'ran', { priority: 'sheddable' }).then(() => undefined, (error: unknown) => error);
    }
    expect(shed).toMatchObject({ reason: 'shed' });
    await expect(pool.execute(() => 'critical runs')).resolves.toBe('critical runs');
    gate.resolve('done');
    await running;
  });

  it('stops its probe when no call runs or waits', async () => {
    const clock = manualClock();
    const pool = adaptiveBulkhead({ eventLoopDelay: 100, clock });
    expect(clock.pendingTimers).toBe(0);
    const call = pool.execute(takes(clock, 10));
    expect(clock.pendingTimers).toBe(2);
    await clock.advanceAsync(10);
    await call;
    await clock.advanceAsync(100);
    expect(clock.pendingTimers).toBe(0);
  });
});

describe('options', () => {
  it.each([
    [{ algorithm: 'reno' }, "adaptiveBulkhead: `algorithm` must be one of 'gradient2', 'vegas', 'aimd', got \"reno\""],
    [{ initial: 0 }, 'adaptiveBulkhead: `initial` must be an integer in [1, 1000], got 0'],
    [{ min: 5, max: 4 }, 'adaptiveBulkhead: `max` must be an integer >= 5, got 4'],
    [{ initial: 30, max: 20 }, 'adaptiveBulkhead: `initial` must be an integer in [1, 20], got 30'],
    [{ tolerance: 1 }, 'adaptiveBulkhead: `tolerance` must be a finite number > 1, got 1'],
    [{ partitions: { critical: 0.8, sheddable: 0.3 } }, 'adaptiveBulkhead: `partitions` must be shares whose sum is at most 1'],
    [{ partitions: { urgent: 0.5 } }, 'adaptiveBulkhead: `partitions.urgent` is not an option of adaptiveBulkhead'],
    [{ eventLoopDelay: 0 }, 'adaptiveBulkhead: `eventLoopDelay` must be a number of milliseconds >= 1, got 0'],
    [{ concurrency: 10 }, 'adaptiveBulkhead: `concurrency` is not an option of adaptiveBulkhead'],
  ])('refuses %j', (options, message) => {
    expect(() => adaptiveBulkhead(options as never)).toThrow(InvalidOptionError);
    expect(() => adaptiveBulkhead(options as never)).toThrow(message);
  });

  it('defaults: gradient2, from 20 in [1, 1000], no queue', () => {
    const pool = adaptiveBulkhead();
    expect([pool.algorithm, pool.concurrency, pool.queue, pool.queueTimeout, pool.name]).toEqual(['gradient2', 20, 0, Infinity, 'bulkhead']);
  });
});

describe('in firebreak()', () => {
  it('builds an adaptive bulkhead from bulkhead: { adaptive: { ... } }, named after the dependency', async () => {
    const search = firebreak('search', { bulkhead: { adaptive: { algorithm: 'vegas', initial: 3 } }, attemptTimeout: 1_000 });
    const pool = search.bulkhead as AdaptiveBulkheadPolicy;
    expect([pool.name, pool.algorithm, pool.concurrency]).toEqual(['search', 'vegas', 3]);
    expect(typeof pool.onLimitChange).toBe('function');
    await expect(search.execute((ctx) => ctx.priority, { priority: 'degraded' })).resolves.toBe('degraded');
  });

  it('names a refused adaptive option after its place, and refuses static and adaptive options together', () => {
    expect(() => firebreak('search', { bulkhead: { adaptive: { min: 0 } } })).toThrow('firebreak: `bulkhead.adaptive.min` must be an integer >= 1, got 0');
    expect(() => firebreak('search', { bulkhead: { adaptive: 5 as never } })).toThrow('firebreak: `bulkhead.adaptive` must be an object of options');
    expect(() => firebreak('search', { bulkhead: { adaptive: {}, concurrency: 5 } as never })).toThrow(InvalidOptionError);
  });
});
