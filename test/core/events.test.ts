import { afterEach, describe, expect, it, vi } from 'vitest';
import { fallback, timeout } from '../../src/index.js';
import { EventList } from '../../src/events.js';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('events', () => {
  it('a listener that throws does not break the call, and the others still run', async () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const policy = fallback('served');
    const seen: string[] = [];
    policy.onFallback(() => {
      throw new Error('listener bug');
    });
    policy.onFallback(() => seen.push('second listener'));
    await expect(policy.execute(() => Promise.reject(new Error('down')))).resolves.toBe('served');
    await expect(policy.execute(() => Promise.reject(new Error('down')))).resolves.toBe('served');
    expect(seen).toEqual(['second listener', 'second listener']);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]?.[0])).toContain('listener bug');
  });

  it('unsubscribing stops delivery, and twice is harmless', async () => {
    const policy = fallback(0);
    const seen: unknown[] = [];
    const stop = policy.onFallback((event) => seen.push(event));
    stop();
    stop();
    await policy.execute(() => Promise.reject(new Error('x')));
    expect(seen).toEqual([]);
  });

  it('an event list is active only while it has listeners', () => {
    const list = new EventList<number>();
    expect(list.active).toBe(false);
    const stop = list.subscribe(() => undefined);
    expect(list.active).toBe(true);
    stop();
    expect(list.active).toBe(false);
  });

  it('a listener that unsubscribes while being called does not disturb the others', () => {
    const list = new EventList<number>();
    const seen: string[] = [];
    const stopFirst = list.subscribe(() => {
      seen.push('first');
      stopFirst();
    });
    list.subscribe(() => seen.push('second'));
    list.emit(1);
    list.emit(2);
    expect(seen).toEqual(['first', 'second', 'second']);
  });

  it('onCall reports every call made through execute, with its duration', async () => {
    const policy = timeout(1_000);
    const calls: { ok: boolean; duration: number }[] = [];
    const stop = policy.onCall((event) => calls.push(event));
    await policy.execute(() => 1);
    await policy.execute(() => Promise.reject(new Error('x'))).catch(() => undefined);
    stop();
    await policy.execute(() => 1);
    expect(calls.map((call) => call.ok)).toEqual([true, false]);
    expect(calls.every((call) => call.duration >= 0)).toBe(true);
  });
});
