import { describe, expect, it } from 'vitest';
import { firebreak, pipeline, timeout } from '../../src/index.js';
import { countingClock } from '../helpers/counting-clock.js';

describe('one clock reading per call entry', () => {
  it('the stages a call enters share one reading of their clock', async () => {
    const { clock, reads } = countingClock();
    const policy = pipeline(timeout({ duration: 1_000, clock }), timeout({ duration: 500, clock }));
    const deadlines: number[] = [];
    await policy.execute((ctx) => deadlines.push(ctx.deadline));
    expect(reads()).toBe(1);
    expect(deadlines).toEqual([500]);
  });

  it('a call made synchronously from inside the function reads the clock again', async () => {
    const { clock, advance } = countingClock();
    const outer = timeout({ duration: 1_000, clock });
    const inner = timeout({ duration: 1_000, clock });
    let innerDeadline = NaN;
    await outer.execute(async () => {
      advance(300);
      await inner.execute((ctx) => (innerDeadline = ctx.deadline));
    });
    expect(innerDeadline).toBe(1_300);
  });

  it('a retry after a failure reads the time of its own attempt', async () => {
    const { clock, advance } = countingClock();
    const policy = firebreak('entry', { retry: { maxAttempts: 2, backoff: () => 0, clock }, attemptTimeout: { duration: 100, clock } });
    const deadlines: number[] = [];
    await policy.execute((ctx) => {
      deadlines.push(ctx.deadline);
      advance(40);
      if (ctx.attempt === 1) throw new Error('once');
      return 'ok';
    });
    expect(deadlines).toEqual([100, 140]);
  });
});
