import { describe, expect, it } from 'vitest';
import { constant, firebreak, httpShouldHandle, pipeline, retry, type RetrySettledEvent } from '../../src/index.js';

describe('retry of a call that is not repeatable', () => {
  it('makes one attempt and reports the handled failure as a failure', async () => {
    const policy = retry({ maxAttempts: 3, backoff: constant(0) });
    const settled: RetrySettledEvent[] = [];
    policy.onSettled((event) => settled.push(event));
    let attempts = 0;
    const fail = (): never => {
      attempts++;
      throw new Error('down');
    };
    await expect(policy.execute(fail, { repeatable: false })).rejects.toThrow('down');
    expect(attempts).toBe(1);
    await expect(policy.execute(fail)).rejects.toThrow('down');
    expect(attempts).toBe(4);
    expect(settled[0]).toEqual({ ok: false, failed: true, attempts: 1 });
  });

  it('judges a result as a failure without retrying it, also through a pipeline', async () => {
    const policy = pipeline(retry({ maxAttempts: 3, backoff: constant(0), shouldHandle: httpShouldHandle }));
    const inner = policy.policies[0] as ReturnType<typeof retry>;
    const settled: RetrySettledEvent[] = [];
    inner.onSettled((event) => settled.push(event));
    let attempts = 0;
    const response = await policy.execute(() => ({ status: 503, attempt: ++attempts }), { repeatable: false });
    expect(response).toEqual({ status: 503, attempt: 1 });
    expect(settled).toEqual([{ ok: true, failed: true, attempts: 1 }]);
  });

  it('reaches the retry stage of firebreak() through the total timeout around it', async () => {
    const policy = firebreak('dep', { totalTimeout: 5_000, retry: { maxAttempts: 5, backoff: constant(0) }, attemptTimeout: 1_000 });
    let attempts = 0;
    await expect(policy.execute(() => Promise.reject(new Error(`attempt ${++attempts}`)), { repeatable: false })).rejects.toThrow('attempt 1');
  });
});
