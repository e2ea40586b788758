import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { chaos, firebreak, type CallContext, type ChaosEvent } from '../../src/index.js';
import { seeded, sequence } from './helpers.js';

describe('chaos.fault', () => {
  it('rejects with the error without calling the function when it injects', async () => {
    const injected = new Error('injected');
    const fn = vi.fn(() => 'real');
    await expect(chaos.fault({ rate: 1, error: injected }).execute(fn)).rejects.toBe(injected);
    expect(fn).not.toHaveBeenCalled();
  });

  it('calls the function when it does not inject', async () => {
    const fn = vi.fn(() => 'real');
    await expect(chaos.fault({ rate: 0, error: new Error('injected') }).execute(fn)).resolves.toBe('real');
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('makes a fresh error per injection from a function of the call context', async () => {
    const seen: CallContext[] = [];
    const policy = chaos.fault({
      rate: 1,
      error: (ctx: CallContext) => {
        seen.push(ctx);
        return new Error(`injected on attempt ${ctx.attempt}`);
      },
    });
    const first = await policy.execute(() => 'real').catch((error: unknown) => error);
    const second = await policy.execute(() => 'real').catch((error: unknown) => error);
    expect(first).toBeInstanceOf(Error);
    expect((first as Error).message).toBe('injected on attempt 1');
    expect(first).not.toBe(second);
    expect(seen).toHaveLength(2);
  });

  it('rejects with what an error function throws', async () => {
    const thrown = new TypeError('bad factory');
    const policy = chaos.fault({
      rate: 1,
      error: () => {
        throw thrown;
      },
    });
    await expect(policy.execute(() => 'real')).rejects.toBe(thrown);
  });

  it('injects exactly when random() < rate, one draw per call', async () => {
    const policy = chaos.fault({ rate: 0.5, error: 'injected', random: sequence(0.1, 0.5, 0.49, 0.9) });
    const outcomes = [];
    for (let i = 0; i < 4; i++) outcomes.push(await policy.execute(() => 'real').catch((error: unknown) => error));
    expect(outcomes).toEqual(['injected', 'real', 'injected', 'real']);
  });

  it('is reproducible with an injected seeded random', async () => {
    const run = async (): Promise<boolean[]> => {
      const policy = chaos.fault({ rate: 0.3, error: 'injected', random: seeded(42) });
      const failed: boolean[] = [];
      for (let i = 0; i < 200; i++) failed.push(await policy.execute(() => false).catch(() => true));
      return failed;
    };
    const first = await run();
    expect(await run()).toEqual(first);
    const share = first.filter(Boolean).length / first.length;
    expect(share).toBeGreaterThan(0.2);
    expect(share).toBeLessThan(0.4);
  });

  it('follows an enabled flag function on every call, and draws no random number while off', async () => {
    let on = false;
    const random = vi.fn(() => 0);
    const contexts: CallContext[] = [];
    const policy = chaos.fault({
      rate: 1,
      error: 'injected',
      random,
      enabled: (ctx) => {
        contexts.push(ctx);
        return on;
      },
    });
    await expect(policy.execute(() => 'real')).resolves.toBe('real');
    expect(random).not.toHaveBeenCalled();
    on = true;
    await expect(policy.execute(() => 'real')).rejects.toBe('injected');
    on = false;
    await expect(policy.execute(() => 'real')).resolves.toBe('real');
    expect(contexts.map((ctx) => ctx.attempt)).toEqual([1, 1, 1]);
    expect(random).toHaveBeenCalledTimes(1);
  });

  it('rejects the call, without calling the function, when the flag function or random throws', async () => {
    const fn = vi.fn(() => 'real');
    const broken = new Error('flag service down');
    const flag = chaos.fault({
      rate: 1,
      error: 'injected',
      enabled: () => {
        throw broken;
      },
    });
    await expect(flag.execute(fn)).rejects.toBe(broken);
    const random = chaos.fault({
      rate: 1,
      error: 'injected',
      random: () => {
        throw broken;
      },
    });
    await expect(random.execute(fn)).rejects.toBe(broken);
    expect(fn).not.toHaveBeenCalled();
  });

  it('is off with enabled: false', async () => {
    const random = vi.fn(() => 0);
    await expect(chaos.fault({ rate: 1, error: 'injected', enabled: false, random }).execute(() => 'real')).resolves.toBe('real');
    expect(random).not.toHaveBeenCalled();
  });

  it('tells its listeners what it injected', async () => {
    const events: ChaosEvent[] = [];
    const policy = chaos.fault({ rate: 1, error: 'injected' });
    const stop = policy.onInjected((event) => events.push(event));
    await policy.execute(() => 'real').catch(() => undefined);
    stop();
    await policy.execute(() => 'real').catch(() => undefined);
    expect(events).toEqual([{ kind: 'fault', error: 'injected' }]);
  });

  it('drills the policies around it: the fallback of a firebreak() serves the injected failure', async () => {
    const auth = firebreak('auth', { fallback: 'cached' });
    const drill = chaos.fault({ rate: 1, error: new Error('injected') });
    await expect(auth.execute(() => drill.execute(() => 'fresh'))).resolves.toBe('cached');
  });

  it('injects into a share of calls equal to the share of draws below the rate (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.double({ min: 0, max: 1, noNaN: true }), fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true })), async (rate, draws) => {
        const policy = chaos.fault({ rate, error: 'injected', random: sequence(...draws) });
        let injected = 0;
        for (let i = 0; i < draws.length; i++) injected += await policy.execute(() => 0).catch(() => 1);
        expect(injected).toBe(draws.filter((draw) => draw < rate).length);
      }),
    );
  });
});
