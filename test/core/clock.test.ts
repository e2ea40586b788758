import { describe, expect, it } from 'vitest';
import { manualClock, MAX_TIMER_DELAY, systemClock } from '../../src/index.js';

describe('clocks', () => {
  it('the manual clock fires due timers in time order, then insertion order', () => {
    const clock = manualClock(10);
    const fired: string[] = [];
    clock.setTimeout(() => fired.push('b@30'), 20);
    clock.setTimeout(() => fired.push('a@20'), 10);
    clock.setTimeout(() => fired.push('c@30'), 20);
    const cleared = clock.setTimeout(() => fired.push('cleared'), 5);
    clock.clearTimeout(cleared);
    clock.advance(15);
    expect(fired).toEqual(['a@20']);
    expect(clock.now()).toBe(25);
    clock.advance(100);
    expect(fired).toEqual(['a@20', 'b@30', 'c@30']);
    expect(clock.pendingTimers).toBe(0);
  });

  it('the manual clock sees timers set by timers within the same advance', async () => {
    const clock = manualClock();
    const fired: number[] = [];
    clock.setTimeout(() => {
      fired.push(clock.now());
      void Promise.resolve().then(() => clock.setTimeout(() => fired.push(clock.now()), 10));
    }, 10);
    await clock.advanceAsync(30);
    expect(fired).toEqual([10, 20]);
  });

  it('the manual wall clock moves with monotonic time', () => {
    const clock = manualClock(0, 5_000);
    clock.advance(250);
    expect(clock.wallNow()).toBe(5_250);
  });

  it('the system clock is monotonic and clamps delays to what Node accepts', async () => {
    const a = systemClock.now();
    const b = systemClock.now();
    expect(b).toBeGreaterThanOrEqual(a);
    const handle = systemClock.setTimeout(() => undefined, MAX_TIMER_DELAY * 10, true);
    systemClock.clearTimeout(handle);
    await new Promise<void>((resolve) => systemClock.setTimeout(resolve, -5));
  });
});
