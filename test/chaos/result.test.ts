import { describe, expect, expectTypeOf, it, vi } from 'vitest';
import { chaos, firebreak, pipeline, type CallContext, type ChaosEvent, type Outcome } from '../../src/index.js';
import { seeded, sequence } from './helpers.js';

describe('chaos.result', () => {
  it('returns the value without calling the function when it injects', async () => {
    const fn = vi.fn(() => 200);
    const policy = chaos.result({ rate: 1, value: 503 });
    const answered = await policy.execute(fn);
    expectTypeOf(answered).toEqualTypeOf<number>();
    expect(answered).toBe(503);
    expect(fn).not.toHaveBeenCalled();
  });

  it('calls the function when it does not inject', async () => {
    await expect(chaos.result({ rate: 0, value: 503 }).execute(() => 200)).resolves.toBe(200);
  });

  it('makes the value with a function of the call context, synchronous or not', async () => {
    const contexts: CallContext[] = [];
    const fresh = chaos.result({
      rate: 1,
      value: (ctx: CallContext) => {
        contexts.push(ctx);
        return { status: 503 };
      },
    });
    const first = await fresh.execute(() => ({ status: 200 }));
    const second = await fresh.execute(() => ({ status: 200 }));
    expect(first).toEqual({ status: 503 });
    expect(first).not.toBe(second);
    expect(contexts).toHaveLength(2);
    const later = chaos.result({ rate: 1, value: () => Promise.resolve('later') });
    const answered = await later.execute(() => 0);
    expectTypeOf(answered).toEqualTypeOf<string | number>();
    expect(answered).toBe('later');
  });

  it('rejects with the error of a value function that fails', async () => {
    const failure = new Error('cannot make it');
    const policy = chaos.result({
      rate: 1,
      value: (): string => {
        throw failure;
      },
    });
    await expect(policy.execute(() => 'real')).rejects.toBe(failure);
  });

  it('follows an enabled flag function and an injected random', async () => {
    let on = true;
    const policy = chaos.result({ rate: 0.5, value: 'injected', enabled: () => on, random: sequence(0.2, 0.7) });
    await expect(policy.execute(() => 'real')).resolves.toBe('injected');
    await expect(policy.execute(() => 'real')).resolves.toBe('real');
    on = false;
    await expect(policy.execute(() => 'real')).resolves.toBe('real');
  });

  it('gives the same drill twice with the same seed', async () => {
    const drill = async (): Promise<string[]> => {
      const policy = chaos.result({ rate: 0.25, value: 'injected', random: seeded(7) });
      const results: string[] = [];
      for (let i = 0; i < 100; i++) results.push(await policy.execute(() => 'real'));
      return results;
    };
    const first = await drill();
    expect(await drill()).toEqual(first);
    expect(first).toContain('injected');
    expect(first).toContain('real');
  });

  it('tells its listeners what it injected', async () => {
    const events: ChaosEvent[] = [];
    const policy = chaos.result({ rate: 1, value: 'injected' });
    policy.onInjected((event) => events.push(event));
    await policy.execute(() => 'real');
    expect(events).toEqual([{ kind: 'result', value: 'injected' }]);
  });

  it('lets the policies around it judge the injected result', async () => {
    const unavailable = chaos.result({ rate: 1, value: { status: 503 } });
    const guarded = pipeline(
      firebreak('profile', { fallback: { fallback: { status: 200, stale: true }, shouldHandle: (outcome: Outcome<unknown>) => !outcome.ok || (outcome.value as { status: number }).status >= 500 } }),
      unavailable,
    );
    await expect(guarded.execute(() => ({ status: 200 }))).resolves.toEqual({ status: 200, stale: true });
  });
});
