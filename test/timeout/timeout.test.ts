import { describe, expect, it } from 'vitest';
import { manualClock, pipeline, timeout, FirebreakError, TimeoutError, type CallContext } from '../../src/index.js';

const never = (): Promise<never> => new Promise<never>(() => undefined);

describe('timeout', () => {
  it('rejects with a TimeoutError with its code at the deadline (abort strategy)', async () => {
    const clock = manualClock();
    const call = timeout({ name: 'auth', duration: 100, clock }).execute(never);
    clock.advance(99);
    let settled = false;
    call.then(
      () => (settled = true),
      () => (settled = true),
    );
    await Promise.resolve();
    expect(settled).toBe(false);
    clock.advance(1);
    const error = await call.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toBeInstanceOf(FirebreakError);
    expect(error).toMatchObject({ name: 'TimeoutError', code: 'ERR_TIMEOUT', duration: 100, policy: 'auth' });
    expect((error as Error).message).toBe('auth: timed out after 100 ms');
  });

  it('aborts the signal at the deadline', async () => {
    const clock = manualClock();
    let signal: AbortSignal | undefined;
    const call = timeout({ duration: 10, clock }).execute((ctx) => {
      signal = ctx.signal;
      return never();
    });
    clock.advance(10);
    await expect(call).rejects.toBeInstanceOf(TimeoutError);
    expect(signal?.aborted).toBe(true);
  });

  it('after a success, aborts nothing and holds no timer once its guard lapses', async () => {
    const clock = manualClock();
    let signal: AbortSignal | undefined;
    await timeout({ duration: 10, clock }).execute((ctx) => {
      signal = ctx.signal;
      return 'ok';
    });
    expect(clock.pendingTimers).toBeLessThanOrEqual(1);
    clock.advance(10);
    expect(clock.pendingTimers).toBe(0);
    clock.advance(100);
    expect(signal?.aborted).toBe(false);
  });

  it('after a failure, holds no timer once its guard lapses', async () => {
    const clock = manualClock();
    await timeout({ duration: 10, clock })
      .execute(() => Promise.reject(new Error('no')))
      .catch(() => undefined);
    clock.advance(10);
    expect(clock.pendingTimers).toBe(0);
  });

  it('guards any number of concurrent calls with a single timer', async () => {
    const clock = manualClock();
    const policy = timeout({ duration: 100, clock });
    const calls = Array.from({ length: 1_000 }, (_unused, i) => {
      clock.advance(i % 2);
      return policy.execute(() => new Promise<never>(() => undefined)).catch((error: unknown) => error);
    });
    expect(clock.pendingTimers).toBe(1);
    await clock.advanceAsync(100);
    const settled = await Promise.all(calls);
    expect(settled.every((error) => error instanceof TimeoutError)).toBe(true);
    expect(clock.pendingTimers).toBe(0);
  });

  it('cooperative: waits for the function and returns a value that arrives after the abort', async () => {
    const clock = manualClock();
    let resolveLate: (value: string) => void = () => undefined;
    const call = timeout({ duration: 10, strategy: 'cooperative', clock }).execute(
      () => new Promise<string>((resolve) => (resolveLate = resolve)),
    );
    clock.advance(10);
    resolveLate('late value');
    await expect(call).resolves.toBe('late value');
  });

  it('cooperative: a rejection after the abort becomes the TimeoutError, with the error as cause', async () => {
    const clock = manualClock();
    const dependencyError = new Error('socket closed');
    const call = timeout({ duration: 10, strategy: 'cooperative', clock }).execute(
      (ctx) => new Promise((_resolve, reject) => ctx.signal.addEventListener('abort', () => reject(dependencyError))),
    );
    clock.advance(10);
    const error = await call.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as Error).cause).toBe(dependencyError);
  });

  it('cooperative: a rejection with the abort reason itself is that TimeoutError', async () => {
    const clock = manualClock();
    let reason: unknown;
    const call = timeout({ duration: 10, strategy: 'cooperative', clock }).execute(
      (ctx) =>
        new Promise((_resolve, reject) =>
          ctx.signal.addEventListener('abort', () => {
            reason = ctx.signal.reason;
            reject(ctx.signal.reason);
          }),
        ),
    );
    clock.advance(10);
    const error = await call.catch((e: unknown) => e);
    expect(error).toBe(reason);
  });

  it('sets ctx.deadline, and nested timeouts keep the earlier deadline', async () => {
    const clock = manualClock(1_000);
    const seen: CallContext[] = [];
    await pipeline(timeout({ duration: 100, clock }), timeout({ duration: 500, clock })).execute((ctx) => seen.push(ctx));
    await pipeline(timeout({ duration: 500, clock }), timeout({ duration: 100, clock })).execute((ctx) => seen.push(ctx));
    expect(seen.map((ctx) => ctx.deadline)).toEqual([1_100, 1_100]);
  });

  it('the inner timeout fires at the outer deadline when that comes first', async () => {
    const clock = manualClock();
    const call = pipeline(timeout({ name: 'total', duration: 50, clock }), timeout({ name: 'attempt', duration: 500, clock })).execute(never);
    clock.advance(50);
    const error = await call.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).duration).toBe(50);
  });

  it('has no deadline without a timeout', async () => {
    await expect(pipeline().execute((ctx) => ctx.deadline)).resolves.toBe(Infinity);
  });

  it('Infinity disables the timer', async () => {
    const clock = manualClock();
    await timeout({ duration: Infinity, clock }).execute(() => {
      expect(clock.pendingTimers).toBe(0);
    });
  });

  it('emits onTimeout with the duration, only when it fires', async () => {
    const clock = manualClock();
    const policy = timeout({ duration: 20, clock });
    const events: unknown[] = [];
    policy.onTimeout((event) => events.push(event));
    await policy.execute(() => 'fast');
    const call = policy.execute(never);
    clock.advance(20);
    await call.catch(() => undefined);
    expect(events).toEqual([{ duration: 20 }]);
  });

  it('takes a plain number of milliseconds', () => {
    const policy = timeout(250);
    expect(policy.duration).toBe(250);
    expect(policy.strategy).toBe('abort');
    expect(policy.name).toBe('timeout');
  });
});
