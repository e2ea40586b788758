import { describe, expect, it } from 'vitest';
import { BulkheadRejectedError, CircuitOpenError, firebreak, manualClock, type Outcome } from '../../src/index.js';
import { deferred, fail } from './helpers.js';

describe('firebreak(): the circuitBreaker stage', () => {
  it('sits between retry and bulkhead, named after the dependency', () => {
    const clock = manualClock();
    const auth = firebreak('auth', {
      attemptTimeout: 100,
      bulkhead: { concurrency: 2, clock },
      circuitBreaker: { window: { type: 'consecutive', failures: 1 }, clock },
      retry: { maxAttempts: 2, clock },
      fallback: 'guest',
    });
    expect(auth.circuitBreaker?.name).toBe('auth');
    expect(auth.policies).toEqual([auth.fallback, auth.retry, auth.circuitBreaker, auth.bulkhead, auth.attemptTimeout]);
    expect(firebreak('auth').circuitBreaker).toBeUndefined();
  });

  it('a full bulkhead inside it is not a failure of the dependency', async () => {
    const clock = manualClock();
    const auth = firebreak('auth', {
      circuitBreaker: { window: { type: 'count', size: 10 }, minimumCalls: 1, clock },
      bulkhead: { concurrency: 1, clock },
    });
    const holder = deferred();
    const held = auth.execute(() => holder.promise);
    await expect(auth.execute(() => 'second')).rejects.toBeInstanceOf(BulkheadRejectedError);
    expect(auth.circuitBreaker?.state).toBe('closed');
    holder.resolve('done');
    await held;
    expect(auth.circuitBreaker?.stats).toMatchObject({ calls: 1, failures: 0 });
  });

  it('rejects with CircuitOpenError once open, and the retry does not retry it', async () => {
    const clock = manualClock();
    let calls = 0;
    const auth = firebreak('auth', {
      retry: { maxAttempts: 3, backoff: () => 0, clock },
      circuitBreaker: { window: { type: 'consecutive', failures: 1 }, clock },
    });
    const error = await auth
      .execute(() => {
        calls++;
        return fail();
      })
      .catch((e: unknown) => e);
    expect(calls).toBe(1);
    expect(error).toBeInstanceOf(CircuitOpenError);
  });

  it('takes a shouldHandle typed for the results (an HTTP 503 is a failure)', async () => {
    const isServerError = (outcome: Outcome<{ status: number }>): boolean => !outcome.ok || outcome.value.status >= 500;
    const auth = firebreak('auth', { circuitBreaker: { window: { type: 'consecutive', failures: 1 }, shouldHandle: isServerError, clock: manualClock() } });
    await expect(auth.execute(() => ({ status: 503 }))).resolves.toEqual({ status: 503 });
    expect(auth.circuitBreaker?.state).toBe('open');
  });

  it('refuses a stage name and names bad breaker options after their place', () => {
    expect(() => firebreak('auth', { circuitBreaker: { name: 'x' } as never })).toThrow('firebreak: `circuitBreaker.name` must be left out');
    expect(() => firebreak('auth', { circuitBreaker: { window: { type: 'count', size: -1 } } })).toThrow(
      'firebreak: `circuitBreaker.window.size` must be an integer in [1, 1000000], got -1',
    );
  });
});
