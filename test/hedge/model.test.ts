import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hedge, manualClock, type CallContext } from '../../src/index.js';

interface Plan {
  readonly ms: number;
  readonly ok: boolean;
}

interface Expected {
  readonly starts: number[];
  /** The index of the attempt whose outcome the call settles with. */
  readonly decided: number;
  readonly at: number;
}

/** The hedge as an event model: attempts start at 0, at each delay after the last start, and at once after a failure. */
function model(plans: readonly Plan[], delay: number, maxAttempts: number): Expected {
  const starts = [0];
  const done = new Set<number>();
  let timer = maxAttempts > 1 ? delay : Infinity;
  const launch = (t: number): void => {
    starts.push(t);
    timer = starts.length < maxAttempts ? t + delay : Infinity;
  };
  for (;;) {
    let next = -1;
    let at = timer;
    // At equal times, finishes come before the hedge timer (their timers were set first), and in attempt order.
    starts.forEach((start, i) => {
      const finish = start + plans[i]!.ms;
      if (!done.has(i) && (finish < at || (finish === at && next === -1))) {
        at = finish;
        next = i;
      }
    });
    if (next === -1) {
      launch(at);
      continue;
    }
    done.add(next);
    if (plans[next]!.ok) return { starts, decided: next, at };
    if (starts.length < maxAttempts) launch(at);
    else if (done.size === starts.length) return { starts, decided: next, at };
    else timer = Infinity;
  }
}

describe('hedge against its model (property, manual clock)', () => {
  it('starts attempts when the model does and settles with the outcome and at the time it predicts', async () => {
    const plan = fc.record({ ms: fc.double({ min: 1, max: 300, noNaN: true }), ok: fc.boolean() });
    await fc.assert(
      fc.asyncProperty(fc.array(plan, { minLength: 4, maxLength: 4 }), fc.double({ min: 1, max: 200, noNaN: true }), fc.integer({ min: 1, max: 4 }), async (plans, delay, maxAttempts) => {
        const clock = manualClock();
        const policy = hedge({ maxAttempts, delay, clock });
        const starts: number[] = [];
        const fn = (ctx: CallContext): Promise<number> =>
          new Promise((resolve, reject) => {
            const index = ctx.attempt - 1;
            starts.push(clock.now());
            const { ms, ok } = plans[index]!;
            const timer = clock.setTimeout(() => (ok ? resolve(index) : reject(index)), ms);
            ctx.signal.addEventListener('abort', () => {
              clock.clearTimeout(timer);
              reject(new Error('lost'));
            });
          });
        let settled: { value: unknown; at: number } | undefined;
        policy.execute(fn).then(
          (value) => (settled = { value, at: clock.now() }),
          (error: unknown) => (settled = { value: error, at: clock.now() }),
        );
        await clock.advanceAsync(2_000);
        const expected = model(plans, delay, maxAttempts);
        expect(starts).toEqual(expected.starts);
        expect(settled).toEqual({ value: expected.decided, at: expected.at });
        expect(clock.pendingTimers).toBe(0);
      }),
      { numRuns: 150 },
    );
  });
});
