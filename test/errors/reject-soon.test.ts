import { describe, expect, it } from 'vitest';
import { rejectSoon } from '../../src/errors/reject-soon.js';

describe('rejectSoon', () => {
  it('rejects with the very error given, within the same turn of the event loop', async () => {
    const error = new Error('down');
    let settled: unknown = 'pending';
    const rejection = rejectSoon(error);
    rejection.catch((reason: unknown) => (settled = reason));
    expect(settled).toBe('pending');
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toBe(error);
  });

  it('settles rejections in the order they were made', async () => {
    const order: number[] = [];
    const rejections = [1, 2, 3].map((n) => rejectSoon(n).catch((reason: unknown) => order.push(reason as number)));
    await Promise.all(rejections);
    expect(order).toEqual([1, 2, 3]);
  });
});
