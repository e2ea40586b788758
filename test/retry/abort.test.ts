import { describe, expect, it, vi } from 'vitest';
import { constant, manualClock, retry, type RetrySettledEvent } from '../../src/index.js';
import { Context } from '../../src/context.js';
import { sleep } from '../../src/retry/sleep.js';

const down = (): Promise<never> => Promise.reject(new Error('down'));

describe('abort during the backoff sleep ✱', () => {
  it("ends the call at once with the caller's signal.reason: no time passes, the timer is cleared", async () => {
    const clock = manualClock();
    const controller = new AbortController();
    const policy = retry({ backoff: constant(60_000), clock });
    const settled: RetrySettledEvent[] = [];
    policy.onSettled((event) => settled.push(event));
    let calls = 0;
    const call = policy.execute(
      () => {
        calls++;
        return down();
      },
      { signal: controller.signal },
    );
    const outcome = call.catch((e: unknown) => e);
    await new Promise((resolve) => setImmediate(resolve));
    expect(clock.pendingTimers).toBe(1);
    const reason = new Error('user navigated away');
    controller.abort(reason);
    expect(await outcome).toBe(reason);
    await Promise.resolve();
    expect(clock.pendingTimers).toBe(0);
    expect(clock.now()).toBe(0);
    expect(calls).toBe(1);
    expect(settled).toEqual([{ ok: false, failed: true, attempts: 1 }]);
  });

  it("ends the retry's own promise at once when an outer scope aborts (a total timeout, say), with its reason", async () => {
    const clock = manualClock();
    const policy = retry({ backoff: constant(60_000), clock }) as unknown as { invoke<T>(ctx: Context, fn: () => Promise<T>): Promise<T> };
    const ctx = Context.root(undefined).withScope(Infinity);
    const outcome = policy.invoke(ctx, down).catch((e: unknown) => e);
    await new Promise((resolve) => setImmediate(resolve));
    const reason = new Error('total timeout');
    ctx.scope.abort(reason);
    expect(await outcome).toBe(reason);
    expect(clock.pendingTimers).toBe(0);
  });

  it("leaves no listener on the caller's signal once the sleep is over or aborted", async () => {
    const clock = manualClock();
    const controller = new AbortController();
    const add = vi.spyOn(controller.signal, 'addEventListener');
    const remove = vi.spyOn(controller.signal, 'removeEventListener');
    let calls = 0;
    const call = retry({ backoff: constant(10), clock }).execute(
      () => (calls++ < 2 ? down() : 'ok'),
      { signal: controller.signal },
    );
    await clock.advanceAsync(20);
    await expect(call).resolves.toBe('ok');
    expect(add.mock.calls.length).toBeGreaterThanOrEqual(1);
    expect(remove.mock.calls.length).toBe(add.mock.calls.length);
  });

  it('a sleep whose signal has already aborted rejects without starting a timer', async () => {
    const clock = manualClock();
    const reason = new Error('gone');
    await expect(sleep(clock, 1_000, AbortSignal.abort(reason))).rejects.toBe(reason);
    expect(clock.pendingTimers).toBe(0);
  });
});
