import { afterEach, describe, expect, it, vi } from 'vitest';
import { stopWaiting, whenAborted } from '../../src/abort-listeners.js';
import { bulkhead, firebreak, timeout, type CallContext } from '../../src/index.js';

const CALLS = 100_000;

/** Work that ends only when its signal aborts. */
function untilAborted(ctx: CallContext): Promise<never> {
  const signal = ctx.signal;
  return new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true }));
}

/** Watches a signal's listener count and the process warnings for the rest of a test. */
function watch(signal: AbortSignal): { added: () => number; warnings: () => string[] } {
  const add = vi.spyOn(signal, 'addEventListener');
  const warnings: string[] = [];
  const onWarning = (warning: Error): void => void warnings.push(`${warning.name}: ${warning.message}`);
  process.on('warning', onWarning);
  cleanups.push(() => process.off('warning', onWarning));
  return { added: () => add.mock.calls.length, warnings: () => warnings };
}

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
  vi.restoreAllMocks();
});

describe('one caller signal shared by many concurrent calls ✱', () => {
  it(`${CALLS.toLocaleString('en')} calls through firebreak() add one listener to the signal, warn nothing, and all reject when it aborts`, async () => {
    const controller = new AbortController();
    const seen = watch(controller.signal);
    const dep = firebreak('dep', {
      totalTimeout: 600_000,
      retry: { maxAttempts: 2 },
      circuitBreaker: {},
      bulkhead: { concurrency: 1_000, queue: CALLS },
      attemptTimeout: 600_000,
    });
    const calls = Array.from({ length: CALLS }, () => dep.execute(untilAborted, { signal: controller.signal }).catch((error: unknown) => error));
    await new Promise((resolve) => setImmediate(resolve));
    expect(dep.bulkhead?.stats).toMatchObject({ active: 1_000, queued: CALLS - 1_000 });
    expect(seen.added()).toBe(1);
    const reason = new Error('shutting down');
    controller.abort(reason);
    const outcomes = await Promise.all(calls);
    expect(outcomes.every((outcome) => outcome === reason)).toBe(true);
    expect(dep.bulkhead?.stats).toMatchObject({ active: 0, queued: 0 });
    expect(seen.warnings()).toEqual([]);
  }, 120_000);

  it(`a bulkhead with ${CALLS.toLocaleString('en')} waiters on one signal lets them all go when it aborts`, async () => {
    const controller = new AbortController();
    const seen = watch(controller.signal);
    const pool = bulkhead({ concurrency: 1, queue: CALLS });
    const calls = Array.from({ length: CALLS + 1 }, () => pool.execute(untilAborted, { signal: controller.signal }).catch((error: unknown) => error));
    expect(pool.stats).toMatchObject({ active: 1, queued: CALLS });
    const reason = new Error('gone');
    controller.abort(reason);
    const outcomes = await Promise.all(calls);
    expect(outcomes.filter((outcome) => outcome === reason)).toHaveLength(CALLS + 1);
    expect(pool.stats).toMatchObject({ active: 0, queued: 0 });
    expect(seen.added()).toBe(2); // the queue's one listener, and the running call's own
    expect(seen.warnings()).toEqual([]);
  }, 120_000);

  it('calls through a timeout that settle leave no listener behind, however many shared the signal', async () => {
    const controller = new AbortController();
    const add = vi.spyOn(controller.signal, 'addEventListener');
    const remove = vi.spyOn(controller.signal, 'removeEventListener');
    const guard = timeout(60_000);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const calls = Array.from({ length: 1_000 }, () => guard.execute((ctx) => gate.then(() => ctx.signal.aborted), { signal: controller.signal }));
    release();
    expect(await Promise.all(calls)).toEqual(Array.from({ length: 1_000 }, () => false));
    expect(add.mock.calls.length).toBeGreaterThanOrEqual(1);
    expect(remove.mock.calls.length).toBe(add.mock.calls.length);
  });
});

describe('whenAborted', () => {
  it('calls every waiting callback once, in order, and none that stopped', () => {
    const controller = new AbortController();
    const order: number[] = [];
    const waits = [0, 1, 2, 3].map((n) => whenAborted(controller.signal, () => order.push(n)));
    stopWaiting(waits[1]!);
    stopWaiting(waits[1]!);
    controller.abort();
    controller.abort();
    for (const wait of waits) stopWaiting(wait);
    expect(order).toEqual([0, 2, 3]);
  });

  it('takes its one listener off the signal when the last wait stops', () => {
    const controller = new AbortController();
    const add = vi.spyOn(controller.signal, 'addEventListener');
    const remove = vi.spyOn(controller.signal, 'removeEventListener');
    const first = whenAborted(controller.signal, () => undefined);
    const second = whenAborted(controller.signal, () => undefined);
    stopWaiting(second);
    expect(remove).not.toHaveBeenCalled();
    stopWaiting(first);
    expect(add).toHaveBeenCalledTimes(1);
    expect(remove).toHaveBeenCalledTimes(1);
    const again = whenAborted(controller.signal, () => undefined);
    expect(add).toHaveBeenCalledTimes(2);
    stopWaiting(again);
  });
});
