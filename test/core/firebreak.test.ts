import { describe, expect, it } from 'vitest';
import { firebreak, manualClock, TimeoutError, type Outcome } from '../../src/index.js';

describe('firebreak()', () => {
  it('leaves out every stage that has no option', async () => {
    const dep = firebreak('dep');
    expect(dep.policies).toEqual([]);
    expect(dep.fallback).toBeUndefined();
    expect(dep.totalTimeout).toBeUndefined();
    expect(dep.attemptTimeout).toBeUndefined();
    await expect(dep.execute(() => 'ran')).resolves.toBe('ran');
  });

  it('builds the stages in order, each named after the dependency', () => {
    const dep = firebreak('auth', { attemptTimeout: 100, fallback: 'x', totalTimeout: { duration: 500, strategy: 'cooperative' } });
    expect(dep.name).toBe('auth');
    expect(dep.policies).toEqual([dep.fallback, dep.totalTimeout, dep.attemptTimeout]);
    expect(dep.policies.map((policy) => policy.name)).toEqual(['auth', 'auth', 'auth']);
    expect(dep.totalTimeout?.duration).toBe(500);
    expect(dep.totalTimeout?.strategy).toBe('cooperative');
    expect(dep.attemptTimeout?.duration).toBe(100);
  });

  it('serves the fallback when the attempt times out, and names the timeout after the dependency', async () => {
    const clock = manualClock();
    let failure: unknown;
    const dep = firebreak('auth', {
      fallback: (error: unknown) => {
        failure = error;
        return 'guest';
      },
      attemptTimeout: { duration: 50, clock },
    });
    const call = dep.execute(() => new Promise<string>(() => undefined));
    clock.advance(50);
    await expect(call).resolves.toBe('guest');
    expect(failure).toBeInstanceOf(TimeoutError);
    expect((failure as Error).message).toBe('auth: timed out after 50 ms');
  });

  it('takes the fallback as { fallback, shouldHandle }', async () => {
    const dep = firebreak('auth', { fallback: { fallback: 'cached', shouldHandle: (outcome: Outcome<unknown>) => outcome.ok && outcome.value === 'stale' } });
    await expect(dep.execute(() => 'stale')).resolves.toBe('cached');
    await expect(dep.execute(() => Promise.reject(new Error('not handled')))).rejects.toThrow('not handled');
  });

  it('takes an object as a plain fallback value', async () => {
    const guest = { user: 'guest' };
    await expect(firebreak('auth', { fallback: guest }).execute(() => Promise.reject(new Error('x')))).resolves.toBe(guest);
  });
});
