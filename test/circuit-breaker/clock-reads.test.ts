import { describe, expect, it } from 'vitest';
import { circuitBreaker, manualClock, type Clock } from '../../src/index.js';

function countingClock(): { clock: Clock; reads: () => number; advance: (ms: number) => void } {
  const inner = manualClock();
  let reads = 0;
  const clock: Clock = {
    now: () => {
      reads++;
      return inner.now();
    },
    wallNow: () => inner.wallNow(),
    setTimeout: (callback, ms, unref) => inner.setTimeout(callback, ms, unref),
    clearTimeout: (handle) => inner.clearTimeout(handle),
  };
  return { clock, reads: () => reads, advance: (ms) => inner.advance(ms) };
}

describe('clock reads of a closed breaker', () => {
  it('a success through a count or consecutive window reads no clock', async () => {
    for (const window of [{ type: 'count', size: 10 } as const, { type: 'consecutive', failures: 3 } as const]) {
      const { clock, reads } = countingClock();
      const breaker = circuitBreaker({ window, clock });
      for (let i = 0; i < 5; i++) await breaker.execute(() => i);
      expect(reads()).toBe(0);
    }
  });

  it('a failure still reads the clock, so that the circuit opens for the right time', async () => {
    const { clock, reads, advance } = countingClock();
    const breaker = circuitBreaker({ window: { type: 'consecutive', failures: 1 }, openFor: 1_000, clock });
    advance(500);
    await breaker.execute(() => Promise.reject(new Error('down'))).catch(() => undefined);
    expect(reads()).toBeGreaterThan(0);
    expect(breaker.state).toBe('open');
    advance(999);
    expect(breaker.state).toBe('open');
    advance(1);
    expect(breaker.state).toBe('half-open');
  });

  it('times calls when slow calls, a time window or a success listener need it', async () => {
    const slow = countingClock();
    await circuitBreaker({ window: { type: 'count', size: 10 }, slowCallDuration: 100, clock: slow.clock }).execute(() => 1);
    expect(slow.reads()).toBe(2);

    const timed = countingClock();
    await circuitBreaker({ window: { type: 'time', duration: 1_000 }, clock: timed.clock }).execute(() => 1);
    expect(timed.reads()).toBeGreaterThan(0);

    const observed = countingClock();
    const breaker = circuitBreaker({ window: { type: 'count', size: 10 }, clock: observed.clock });
    const durations: number[] = [];
    breaker.onSuccess(({ duration }) => durations.push(duration));
    const call = breaker.execute(() => new Promise((resolve) => setTimeout(resolve, 1)));
    observed.advance(40);
    await call;
    expect(durations).toEqual([40]);
  });
});
