import { getEventListeners } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { Context } from '../../src/context.js';
import { chaos, InvalidOptionError, manualClock, pipeline, timeout, TimeoutError, type ChaosEvent, type Clock } from '../../src/index.js';
import { invokePolicy } from '../../src/policy.js';
import { sequence } from './helpers.js';

describe('chaos.latency', () => {
  it('waits the delay, then calls the function and returns its value', async () => {
    const clock = manualClock();
    const fn = vi.fn(() => 'real');
    let settled = false;
    const call = chaos
      .latency({ rate: 1, delay: 300, clock })
      .execute(fn)
      .finally(() => (settled = true));
    await clock.advanceAsync(299);
    expect(fn).not.toHaveBeenCalled();
    expect(settled).toBe(false);
    await clock.advanceAsync(1);
    await expect(call).resolves.toBe('real');
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('runs the function at once, with no timer, when it does not inject', async () => {
    const clock = manualClock();
    const policy = chaos.latency({ rate: 0.5, delay: 300, clock, random: sequence(0.5) });
    await expect(policy.execute(() => 'real')).resolves.toBe('real');
    expect(clock.pendingTimers).toBe(0);
  });

  it("ends the wait at once on the caller's abort, with its reason, without calling the function", async () => {
    const clock = manualClock();
    const fn = vi.fn(() => 'real');
    const controller = new AbortController();
    const call = chaos.latency({ rate: 1, delay: 10_000, clock }).execute(fn, { signal: controller.signal });
    await clock.advanceAsync(100);
    const reason = new Error('user left');
    controller.abort(reason);
    await expect(call).rejects.toBe(reason);
    expect(clock.pendingTimers).toBe(0);
    await clock.advanceAsync(20_000);
    expect(fn).not.toHaveBeenCalled();
  });

  it('ends the wait when a timeout around it fires', async () => {
    const clock = manualClock();
    const fn = vi.fn(() => 'real');
    const call = pipeline(timeout({ duration: 500, clock }), chaos.latency({ rate: 1, delay: 2_000, clock })).execute(fn);
    clock.advance(500);
    await expect(call).rejects.toBeInstanceOf(TimeoutError);
    expect(clock.pendingTimers).toBe(0);
    expect(fn).not.toHaveBeenCalled();
  });

  it('rejects with the reason of a scope that aborted before the injection, without a timer', async () => {
    const clock = manualClock();
    const fn = vi.fn(() => 'real');
    const reason = new Error('already gone');
    const ctx = Context.root(undefined).withScope(Infinity);
    ctx.scope.abort(reason);
    await expect(invokePolicy(chaos.latency({ rate: 1, delay: 100, clock }), ctx, fn)).rejects.toBe(reason);
    expect(clock.pendingTimers).toBe(0);
    expect(fn).not.toHaveBeenCalled();
  });

  it("leaves no listener on the caller's signal after the wait ends", async () => {
    const clock = manualClock();
    const controller = new AbortController();
    const call = chaos.latency({ rate: 1, delay: 50, clock }).execute(() => getEventListeners(controller.signal, 'abort').length, { signal: controller.signal });
    await clock.advanceAsync(50);
    // while the function runs, only execute()'s own race with the caller's abort listens
    await expect(call).resolves.toBe(1);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('takes the delay from a function of the call context, per call', async () => {
    const clock = manualClock();
    const delays = [100, 250];
    const events: ChaosEvent[] = [];
    const policy = chaos.latency({ rate: 1, delay: () => delays.shift() ?? 0, clock });
    policy.onInjected((event) => events.push(event));
    const first = policy.execute(() => clock.now());
    await clock.advanceAsync(100);
    await expect(first).resolves.toBe(100);
    const second = policy.execute(() => clock.now());
    await clock.advanceAsync(250);
    await expect(second).resolves.toBe(350);
    expect(events).toEqual([
      { kind: 'latency', delay: 100 },
      { kind: 'latency', delay: 250 },
    ]);
  });

  it('rejects the call when the delay function returns a bad delay', async () => {
    const policy = chaos.latency({ rate: 1, delay: () => Number.NaN });
    const error = await policy.execute(() => 'real').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidOptionError);
    expect((error as Error).message).toBe('chaos.latency: `delay` must be a function returning a number of milliseconds >= 0, got NaN');
  });

  it('follows an enabled flag function', async () => {
    const clock = manualClock();
    let on = false;
    const policy = chaos.latency({ rate: 1, delay: 100, clock, enabled: () => on });
    await expect(policy.execute(() => clock.now())).resolves.toBe(0);
    on = true;
    const slowed = policy.execute(() => clock.now());
    await clock.advanceAsync(100);
    await expect(slowed).resolves.toBe(100);
  });

  it('waits with a ref timer: the wait is the work being awaited', async () => {
    const clock = manualClock();
    const unrefs: (boolean | undefined)[] = [];
    const recording: Clock = { ...clock, setTimeout: (callback, ms, unref) => (unrefs.push(unref), clock.setTimeout(callback, ms, unref)) };
    const call = chaos.latency({ rate: 1, delay: 20, clock: recording }).execute(() => 'real', { signal: new AbortController().signal });
    await clock.advanceAsync(20);
    await expect(call).resolves.toBe('real');
    expect(unrefs).toEqual([undefined]);
  });
});
