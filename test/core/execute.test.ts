import { describe, expect, it } from 'vitest';
import { fallback, firebreak, pipeline, timeout, type Policy } from '../../src/index.js';

const policies: [string, () => Policy<unknown>][] = [
  ['timeout', () => timeout(1_000)],
  ['fallback that handles nothing', () => fallback('x', { shouldHandle: () => false })],
  ['empty pipeline', () => pipeline()],
  ['firebreak()', () => firebreak('dep', { totalTimeout: 1_000, attemptTimeout: 500 })],
];

/** Counts how often the promise settles by chaining on it and on `then` directly. */
async function settleCount(promise: Promise<unknown>): Promise<{ settled: number; outcome: unknown }> {
  let settled = 0;
  let outcome: unknown;
  promise.then(
    (value) => {
      settled++;
      outcome = { value };
    },
    (error: unknown) => {
      settled++;
      outcome = { error };
    },
  );
  await new Promise((resolve) => setTimeout(resolve, 20));
  return { settled, outcome };
}

describe.each(policies)('execute on %s settles exactly once', (_label, make) => {
  it('for a plain value', async () => {
    expect(await settleCount(make().execute(() => 42))).toEqual({ settled: 1, outcome: { value: 42 } });
  });

  it('for a promise', async () => {
    expect(await settleCount(make().execute(() => Promise.resolve('p')))).toEqual({ settled: 1, outcome: { value: 'p' } });
  });

  it('for a thenable that calls back twice', async () => {
    const thenable: PromiseLike<string> = {
      then(onFulfilled, onRejected) {
        onFulfilled?.('first');
        onFulfilled?.('second');
        onRejected?.(new Error('late'));
        return undefined as never;
      },
    };
    expect(await settleCount(make().execute(() => thenable))).toEqual({ settled: 1, outcome: { value: 'first' } });
  });

  it('for a synchronous throw', async () => {
    const boom = new Error('boom');
    expect(
      await settleCount(
        make().execute(() => {
          throw boom;
        }),
      ),
    ).toEqual({ settled: 1, outcome: { error: boom } });
  });

  it('for a thrown non-Error value', async () => {
    expect(
      await settleCount(
        make().execute(() => {
          throw 'a string';
        }),
      ),
    ).toEqual({ settled: 1, outcome: { error: 'a string' } });
  });

  it('for a rejection that comes after the caller aborted', async () => {
    const controller = new AbortController();
    const reason = new Error('caller gave up');
    const call = make().execute(
      () => new Promise((_resolve, reject) => setTimeout(() => reject(new Error('dependency failed late')), 5)),
      { signal: controller.signal },
    );
    controller.abort(reason);
    expect(await settleCount(call)).toEqual({ settled: 1, outcome: { error: reason } });
  });
});

describe('a caller abort', () => {
  it('before the call rejects with signal.reason and never runs the function', async () => {
    const reason = new Error('already aborted');
    let ran = false;
    const call = timeout(1_000).execute(
      () => {
        ran = true;
      },
      { signal: AbortSignal.abort(reason) },
    );
    await expect(call).rejects.toBe(reason);
    expect(ran).toBe(false);
  });

  it('during the call rejects with signal.reason at once, even if the function ignores it', async () => {
    const controller = new AbortController();
    const reason = { custom: 'reason' };
    // The function ignores its signal and never settles: the call can only end by not waiting for it.
    const call = timeout(60_000).execute(() => new Promise(() => undefined), { signal: controller.signal });
    setTimeout(() => controller.abort(reason), 5);
    await expect(call).rejects.toBe(reason);
  });

  it('is not a failure: a fallback that handles every failure does not replace it', async () => {
    const controller = new AbortController();
    const seen: unknown[] = [];
    const policy = fallback('replacement', { shouldHandle: () => true });
    policy.onFallback((event) => seen.push(event));
    const call = policy.execute(
      (ctx) =>
        new Promise((_resolve, reject) => {
          ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason));
        }),
      { signal: controller.signal },
    );
    controller.abort(new Error('stop'));
    await expect(call).rejects.toThrow('stop');
    expect(seen).toEqual([]);
  });

  it('is not relabelled as a timeout', async () => {
    const controller = new AbortController();
    const reason = new Error('caller');
    const call = timeout({ duration: 10, strategy: 'cooperative' }).execute(
      (ctx) => new Promise((_resolve, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason))),
      { signal: controller.signal },
    );
    controller.abort(reason);
    await expect(call).rejects.toBe(reason);
  });

  it('leaves no listener on the caller signal after the call settles', async () => {
    const controller = new AbortController();
    let listeners = 0;
    const { signal } = controller;
    const add = signal.addEventListener.bind(signal);
    const remove = signal.removeEventListener.bind(signal);
    signal.addEventListener = ((...args: Parameters<typeof add>) => {
      listeners++;
      add(...args);
    }) as typeof signal.addEventListener;
    signal.removeEventListener = ((...args: Parameters<typeof remove>) => {
      listeners--;
      remove(...args);
    }) as typeof signal.removeEventListener;
    await timeout(1_000).execute((ctx) => ctx.signal.aborted, { signal });
    await pipeline(timeout(1_000), timeout(500)).execute((ctx) => ctx.signal.aborted, { signal });
    expect(listeners).toBe(0);
  });
});
