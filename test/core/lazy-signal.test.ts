import { afterEach, describe, expect, it, vi } from 'vitest';
import { firebreak, pipeline, timeout, TimeoutError, fallback } from '../../src/index.js';

function countControllers(): { readonly count: number } {
  const counter = { count: 0 };
  const Original = globalThis.AbortController;
  class CountingController extends Original {
    constructor() {
      super();
      counter.count++;
    }
  }
  vi.stubGlobal('AbortController', CountingController);
  return counter;
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('the lazy signal', () => {
  it('creates no AbortController for a call that never reads ctx.signal', async () => {
    const counter = countControllers();
    const policy = pipeline(fallback(0), firebreak('dep', { totalTimeout: 1_000, attemptTimeout: 100 }), timeout(50));
    for (let i = 0; i < 10; i++) await policy.execute(() => i);
    await policy.execute(() => Promise.reject(new Error('failure')));
    await timeout(1_000).execute(() => 1, { signal: new AbortController().signal });
    expect(counter.count).toBe(1); // the caller's own controller in the line above
  });

  it('gives a call that reads ctx.signal a signal that the timeout aborts with a TimeoutError', async () => {
    const counter = countControllers();
    let seen: AbortSignal | undefined;
    const call = timeout(10).execute(
      (ctx) =>
        new Promise((_resolve, reject) => {
          seen = ctx.signal;
          ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason));
        }),
    );
    await expect(call).rejects.toBeInstanceOf(TimeoutError);
    expect(seen?.aborted).toBe(true);
    expect(seen?.reason).toBeInstanceOf(TimeoutError);
    expect(counter.count).toBe(1);
  });

  it('gives a call that reads ctx.signal a signal that the caller aborts, through nested timeouts', async () => {
    const controller = new AbortController();
    const reason = new Error('caller');
    let seen: AbortSignal | undefined;
    const call = pipeline(timeout(1_000), timeout(500)).execute(
      (ctx) =>
        new Promise((_resolve, reject) => {
          seen = ctx.signal;
          ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason));
        }),
      { signal: controller.signal },
    );
    controller.abort(reason);
    await expect(call).rejects.toBe(reason);
    expect(seen?.aborted).toBe(true);
    expect(seen?.reason).toBe(reason);
  });

  it('is already aborted when first read after the timeout fired', async () => {
    let late: AbortSignal | undefined;
    const call = timeout({ duration: 5, strategy: 'cooperative' }).execute(async (ctx) => {
      await new Promise((resolve) => setTimeout(resolve, 30));
      late = ctx.signal;
      return 'done';
    });
    await expect(call).resolves.toBe('done');
    expect(late?.aborted).toBe(true);
    expect(late?.reason).toBeInstanceOf(TimeoutError);
  });

  it('is the caller signal itself when no policy can abort on its own', async () => {
    const controller = new AbortController();
    let seen: AbortSignal | undefined;
    await pipeline(fallback(0)).execute(
      (ctx) => {
        seen = ctx.signal;
      },
      { signal: controller.signal },
    );
    expect(seen).toBe(controller.signal);
  });
});
