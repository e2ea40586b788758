import { describe, expect, it } from 'vitest';
import { SharedPool } from '../../examples/cascade/services/shared-pool.js';
import { deferred } from '../helpers/async.js';

describe('the gateway’s shared pool', () => {
  it('hands its connections out in arrival order, whatever the upstream', async () => {
    const pool = new SharedPool(1);
    const order: string[] = [];
    const hold = deferred<void>();
    const first = pool.run(() => hold.promise);
    const calls = ['profile', 'catalog', 'orders'].map((name) => pool.run(() => Promise.resolve(order.push(name))));
    expect(pool.inUse).toBe(1);
    expect(pool.waiting).toBe(3);
    hold.resolve();
    await Promise.all([first, ...calls]);
    expect(order).toEqual(['profile', 'catalog', 'orders']);
    expect(pool.inUse).toBe(0);
  });

  it('lets calls that hang take every connection, so that the next caller waits', async () => {
    const pool = new SharedPool(2);
    void pool.run(() => new Promise(() => undefined));
    void pool.run(() => new Promise(() => undefined));
    let ran = false;
    void pool.run(() => Promise.resolve((ran = true)));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(ran).toBe(false);
    expect(pool.waiting).toBe(1);
  });

  it('gives a waiting caller’s place back when its signal aborts, and frees a connection on failure', async () => {
    const pool = new SharedPool(1);
    const hold = deferred<void>();
    const first = pool.run(() => hold.promise.then(() => Promise.reject(new Error('upstream failed'))));
    const controller = new AbortController();
    const leaving = pool.run(() => Promise.resolve('never'), controller.signal);
    const reason = new Error('gone');
    controller.abort(reason);
    await expect(leaving).rejects.toBe(reason);
    expect(pool.waiting).toBe(0);
    hold.resolve();
    await expect(first).rejects.toThrow('upstream failed');
    await expect(pool.run(() => Promise.resolve('next'))).resolves.toBe('next');
    expect(pool.inUse).toBe(0);
  });
});
