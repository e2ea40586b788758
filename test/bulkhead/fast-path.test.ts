import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Context } from '../../src/context.js';
import { bulkhead, manualClock, type BulkheadPolicy, type CallContext } from '../../src/index.js';
import { deferred, flush, type Deferred } from '../helpers/async.js';

/**
 * A call through `execute` takes the bulkhead's fast path when a slot is free (the caller's own
 * function: no admission decision, no context of its own); a call handed down by a policy around
 * it (`invoke`) always goes through `admission()` and a context that holds abandoned work. Both
 * must be indistinguishable from outside.
 */

/** What one started call's function does. */
type Kind = 'promise' | 'value' | 'throw';

const operationArbitrary = fc.oneof(
  fc.record({ start: fc.constantFrom<Kind>('promise', 'value', 'throw') }),
  fc.record({ settle: fc.nat({ max: 9 }), ok: fc.boolean() }),
);

/** One bulkhead driven through one entry point, with everything it shows from outside. */
function driven(pool: BulkheadPolicy, call: (fn: (ctx: CallContext) => unknown) => Promise<unknown>) {
  const trace: string[] = [];
  const pending: Deferred<unknown>[] = [];
  pool.onAdmitted(({ waited }) => trace.push(`admitted after ${waited}`));
  pool.onQueued(({ queued }) => trace.push(`queued ${queued}`));
  pool.onRejected(({ reason }) => trace.push(`rejected ${reason}`));
  let started = 0;
  return {
    trace,
    start(kind: Kind): void {
      const index = started++;
      const fn = (): unknown => {
        trace.push(`call ${index} runs`);
        if (kind === 'value') return `value ${index}`;
        if (kind === 'throw') throw new Error(`thrown ${index}`);
        const running = deferred<unknown>();
        pending.push(running);
        return running.promise;
      };
      call(fn).then(
        (value) => trace.push(`call ${index} resolved ${String(value)}`),
        (error: unknown) => trace.push(`call ${index} rejected ${(error as Error).name}: ${(error as Error).message}`),
      );
    },
    settle(which: number, ok: boolean): void {
      const running = pending.splice(which % Math.max(1, pending.length), 1)[0];
      if (ok) running?.resolve('done');
      else running?.reject(new Error('failed'));
    },
    stats: () => pool.stats,
  };
}

describe('the fast path of a call that finds a free slot', () => {
  it('behaves as the path through admission(): same outcomes, events, order and stats', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 0, max: 3 }),
        fc.array(operationArbitrary, { minLength: 1, maxLength: 24 }),
        async (concurrency, queue, operations) => {
          const clock = manualClock();
          const fastPool = bulkhead({ concurrency, queue, clock });
          const slowPool = bulkhead({ concurrency, queue, clock });
          const fast = driven(fastPool, (fn) => fastPool.execute(fn));
          const slow = driven(slowPool, (fn) => (slowPool as unknown as { invoke(ctx: Context, f: typeof fn): Promise<unknown> }).invoke(Context.root(undefined), fn));
          for (const operation of operations) {
            for (const side of [fast, slow]) {
              if ('start' in operation) side.start(operation.start);
              else side.settle(operation.settle, operation.ok);
            }
            await flush();
            expect(fast.stats()).toEqual(slow.stats());
          }
          for (let i = 0; i < 30; i++) {
            for (const side of [fast, slow]) side.settle(0, true);
            await flush();
          }
          expect(fast.trace).toEqual(slow.trace);
          expect(fast.stats()).toEqual({ active: 0, queued: 0, available: concurrency });
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('the queue of a bulkhead', () => {
  it('is its own once a caller waits: callers waiting in one bulkhead are not seen by another', async () => {
    const first = bulkhead({ concurrency: 1, queue: 2 });
    const second = bulkhead({ concurrency: 1, queue: 2 });
    const hold = deferred<string>();
    const calls = [first.execute(() => hold.promise), first.execute(() => 'waited'), second.execute(() => 'free')];
    expect(first.stats).toEqual({ active: 1, queued: 1, available: 0 });
    expect(second.stats).toEqual({ active: 1, queued: 0, available: 0 });
    hold.resolve('held');
    expect(await Promise.all(calls)).toEqual(['held', 'waited', 'free']);
    expect([first.stats, second.stats]).toEqual([
      { active: 0, queued: 0, available: 1 },
      { active: 0, queued: 0, available: 1 },
    ]);
  });
});
