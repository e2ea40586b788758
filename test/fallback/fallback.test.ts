import { describe, expect, it } from 'vitest';
import { fallback, InvalidOptionError, manualClock, pipeline, replacedFailure, timeout, TimeoutError, type Outcome } from '../../src/index.js';

describe('fallback', () => {
  it('replaces an error with a fixed value', async () => {
    await expect(fallback('cached').execute(() => Promise.reject(new Error('down')))).resolves.toBe('cached');
  });

  it('passes values through untouched', async () => {
    await expect(fallback('cached').execute(() => 'live')).resolves.toBe('live');
  });

  it('calls a fallback function with the error and the context', async () => {
    const failure = new Error('down');
    const policy = fallback((error, ctx) => `served after ${(error as Error).message} on attempt ${ctx.attempt} (${String(ctx.outcome.ok)})`);
    await expect(policy.execute(() => Promise.reject(failure))).resolves.toBe('served after down on attempt 1 (false)');
  });

  it('waits for an async fallback function', async () => {
    await expect(fallback(() => Promise.resolve('async')).execute(() => Promise.reject(new Error('x')))).resolves.toBe('async');
  });

  it('replaces a timeout rejection', async () => {
    const clock = manualClock();
    const call = pipeline(fallback('degraded'), timeout({ duration: 5, clock })).execute(() => new Promise<string>(() => undefined));
    clock.advance(5);
    await expect(call).resolves.toBe('degraded');
  });

  it('with shouldHandle replaces only the outcomes it handles, results included', async () => {
    const only503 = (outcome: Outcome<{ status: number }>) => (outcome.ok ? outcome.value.status === 503 : false);
    const policy = fallback({ status: 200, cached: true }, { shouldHandle: only503 });
    await expect(policy.execute(() => ({ status: 503 }))).resolves.toEqual({ status: 200, cached: true });
    await expect(policy.execute(() => ({ status: 404 }))).resolves.toEqual({ status: 404 });
    await expect(policy.execute(() => Promise.reject(new Error('not handled')))).rejects.toThrow('not handled');
  });

  it('hands a handled result to the fallback function as its first argument', async () => {
    const policy = fallback((replaced: unknown) => ({ was: replaced }), { shouldHandle: (outcome) => outcome.ok });
    await expect(policy.execute(() => 'bad result')).resolves.toEqual({ was: 'bad result' });
  });

  it('emits onFallback with the replaced outcome, only when it serves', async () => {
    const policy = fallback(0);
    const events: unknown[] = [];
    policy.onFallback((event) => events.push(event));
    const failure = new Error('down');
    await policy.execute(() => 1);
    await policy.execute(() => Promise.reject(failure));
    expect(events).toEqual([{ outcome: { ok: false, error: failure } }]);
  });

  it('a failing fallback rejects with its own error, with the original as cause', async () => {
    const original = new Error('dependency down');
    const own = new Error('cache down too');
    const policy = fallback(() => {
      throw own;
    });
    const error = await policy.execute(() => Promise.reject(original)).catch((e: unknown) => e);
    expect(error).toBe(own);
    expect((error as Error).cause).toBe(original);
  });

  it('keeps a cause the fallback error already has', async () => {
    const earlier = new Error('earlier');
    const own = new Error('own', { cause: earlier });
    const error = await fallback(() => Promise.reject(own))
      .execute(() => Promise.reject(new Error('original')))
      .catch((e: unknown) => e);
    expect((error as Error).cause).toBe(earlier);
  });

  it('a failing fallback whose error has a cause of its own keeps the original failure too ✱', async () => {
    const original = new Error('primary is down');
    const own = new TypeError('fetch failed', { cause: new Error('ECONNREFUSED') });
    const error = await fallback(() => Promise.reject(own))
      .execute(() => Promise.reject(original))
      .catch((e: unknown) => e);
    expect(error).toBe(own);
    expect((error as Error).cause).toEqual(new Error('ECONNREFUSED'));
    expect(replacedFailure(error)).toBe(original);
    expect(replacedFailure(new Error('not from a fallback'))).toBeUndefined();
  });

  it('takes the one-argument shape of firebreak(): { fallback, shouldHandle, name } ✱', async () => {
    const served = fallback({ fallback: () => 'cached', shouldHandle: (outcome) => !outcome.ok, name: 'profile' });
    expect(served.name).toBe('profile');
    expect(await served.execute(() => Promise.reject(new Error('down')))).toBe('cached');
    expect(await served.execute(() => 'fresh')).toBe('fresh');
    expect(await fallback({ fallback: { fallback: 1 } }).execute(() => Promise.reject(new Error('down')))).toEqual({ fallback: 1 });
  });

  it('refuses options beside the one-argument shape', () => {
    expect(() => fallback({ fallback: 0 }, { name: 'x' })).toThrow(InvalidOptionError);
    expect(() => fallback({ fallback: 0 }, { name: 'x' })).toThrow(/fallback: `options` must be absent when the first argument is \{ fallback, \.\.\. \}/);
  });

  it('does not replace a caller abort, whatever shouldHandle says', async () => {
    const controller = new AbortController();
    const reason = new Error('caller');
    const call = fallback('x', { shouldHandle: () => true }).execute(
      (ctx) => new Promise((_resolve, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason))),
      { signal: controller.signal },
    );
    controller.abort(reason);
    await expect(call).rejects.toBe(reason);
  });

  it('replaces a TimeoutError from inside, whose cause chain is intact', async () => {
    const clock = manualClock();
    let replaced: unknown;
    const call = pipeline(
      fallback((error) => {
        replaced = error;
        return 'ok';
      }),
      timeout({ duration: 1, clock }),
    ).execute(() => new Promise(() => undefined));
    clock.advance(1);
    await call;
    expect(replaced).toBeInstanceOf(TimeoutError);
  });
});
