import { getEventListeners } from 'node:events';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bulkhead, BulkheadRejectedError, manualClock, pipeline, timeout, TimeoutError, type CallContext } from '../../src/index.js';
import { flush } from '../helpers/async.js';

/** One call of a scenario: how its function behaves and whether its caller aborts. */
const callArbitrary = fc.record({
  /** The function fails instead of returning a value. */
  fails: fc.boolean(),
  /** The function settles as soon as its signal aborts (else it ignores the signal). */
  cooperative: fc.boolean(),
  /** The caller aborts at some point of the interleaving. */
  aborts: fc.boolean(),
});

const configArbitrary = fc.record({
  concurrency: fc.integer({ min: 1, max: 3 }),
  queue: fc.integer({ min: 0, max: 3 }),
  queueTimeout: fc.oneof(fc.constant(Infinity), fc.integer({ min: 1, max: 20 })),
  /** An inner 'abort' timeout, which abandons functions that ignore their signal. */
  attemptTimeout: fc.oneof(fc.constant(undefined), fc.integer({ min: 1, max: 20 })),
});

type Arrival = 'run' | 'queue' | 'full' | 'aborted';

describe('bulkhead under random interleavings (fc.scheduler)', () => {
  it('never runs more than `concurrency`, never queues more than `queue`, admits FIFO, settles every call and ends empty', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        configArbitrary,
        fc.array(callArbitrary, { minLength: 1, maxLength: 10 }),
        fc.array(fc.integer({ min: 1, max: 12 }), { maxLength: 6 }),
        async (s, config, calls, ticks) => {
          const clock = manualClock();
          const pool = bulkhead({ concurrency: config.concurrency, queue: config.queue, queueTimeout: config.queue === 0 ? Infinity : config.queueTimeout, clock });
          const policy =
            config.attemptTimeout === undefined ? pool : pipeline(pool, timeout({ duration: config.attemptTimeout, clock, strategy: 'abort' }));
          const violations: string[] = [];
          const check = (where: string): void => {
            const stats = pool.stats;
            if (running > config.concurrency) violations.push(`${where}: ${running} running > ${config.concurrency}`);
            if (running > stats.active) violations.push(`${where}: ${running} running but only ${stats.active} slots taken`);
            if (stats.active > config.concurrency || stats.active < 0) violations.push(`${where}: active ${stats.active}`);
            if (stats.queued > config.queue) violations.push(`${where}: ${stats.queued} queued > ${config.queue}`);
            if (stats.active + stats.available !== config.concurrency) violations.push(`${where}: active + available`);
          };
          pool.onQueued(() => check('onQueued'));
          pool.onAdmitted(() => check('onAdmitted'));

          let running = 0;
          let arrivals = 0;
          /** Arrival numbers of the calls, in the order their functions started. */
          const startOrder: number[] = [];
          const results = calls.map(() => ({
            arrival: -1,
            admission: undefined as Arrival | undefined,
            started: false,
            settled: 0,
            abortedWhileQueued: false,
            outcome: undefined as { value: unknown } | { error: unknown } | undefined,
          }));
          const controllers = calls.map(() => new AbortController());

          const makeFunction =
            (index: number) =>
            (ctx: CallContext): Promise<string> => {
              const spec = calls[index]!;
              const result = results[index]!;
              result.started = true;
              startOrder.push(result.arrival);
              running++;
              check(`start of call ${index}`);
              return new Promise<string>((resolve, reject) => {
                let done = false;
                const onAbort = (): void => finish(new Error(`call ${index} aborted`));
                const finish = (error?: Error): void => {
                  if (done) return;
                  done = true;
                  running--;
                  if (spec.cooperative) ctx.signal.removeEventListener('abort', onAbort);
                  if (error) reject(error);
                  else resolve(`value ${index}`);
                };
                if (spec.cooperative) ctx.signal.addEventListener('abort', onAbort);
                void s.schedule(Promise.resolve(`completion of call ${index}`)).then(() => finish(spec.fails ? new Error(`call ${index} failed`) : undefined));
              });
            };

          const act = (label: string, action: () => void): void => {
            void s.schedule(Promise.resolve(label)).then(() => {
              action();
              check(label);
            });
          };

          calls.forEach((spec, index) => {
            act(`arrival of call ${index}`, () => {
              const result = results[index]!;
              const signal = controllers[index]!.signal;
              result.arrival = arrivals++;
              const before = pool.stats;
              const expected: Arrival = signal.aborted
                ? 'aborted'
                : before.available > 0
                  ? 'run'
                  : before.queued < config.queue
                    ? 'queue'
                    : 'full';
              result.admission = expected;
              policy.execute(makeFunction(index), { signal }).then(
                (value) => {
                  result.settled++;
                  result.outcome = { value };
                },
                (error: unknown) => {
                  result.settled++;
                  result.outcome = { error };
                },
              );
              if (expected === 'run' && !result.started) violations.push(`call ${index} had a free slot but did not start`);
              if (expected !== 'run' && result.started) violations.push(`call ${index} started without a free slot`);
              if (expected === 'queue' && pool.stats.queued !== before.queued + 1) violations.push(`call ${index} was not queued`);
            });
            if (spec.aborts) {
              act(`abort of call ${index}`, () => {
                const result = results[index]!;
                const outcome = result.outcome;
                const timedOutInQueue = outcome !== undefined && 'error' in outcome && outcome.error instanceof BulkheadRejectedError;
                const waiting = result.admission === 'queue' && !result.started && !timedOutInQueue;
                const queuedBefore = pool.stats.queued;
                controllers[index]!.abort(new Error(`caller ${index} aborted`));
                if (waiting) {
                  result.abortedWhileQueued = true;
                  if (pool.stats.queued !== queuedBefore - 1) violations.push(`call ${index} stayed in the queue after its abort`);
                }
              });
            }
          });
          ticks.forEach((ms, i) => act(`tick ${i} of ${ms} ms`, () => clock.advance(ms)));

          // A freed slot admits the next caller a few promise hops after a completion, so a
          // task can be scheduled after waitAll has returned: drain until none is left.
          do {
            await s.waitAll();
            await flush();
          } while (s.count() > 0);

          expect(violations).toEqual([]);
          for (const [index, result] of results.entries()) {
            expect(result.settled, `call ${index} settles exactly once`).toBe(1);
            const outcome = result.outcome!;
            const spec = calls[index]!;
            if ('value' in outcome) {
              expect(outcome.value).toBe(`value ${index}`);
              expect(result.started).toBe(true);
              continue;
            }
            const error = outcome.error;
            if (error instanceof BulkheadRejectedError) {
              expect(result.started).toBe(false);
              if (error.reason === 'full') expect(result.admission).toBe('full');
              else expect([result.admission, config.queueTimeout !== Infinity]).toEqual(['queue', true]);
            } else if (error instanceof TimeoutError) {
              expect(config.attemptTimeout).toBeDefined();
              expect(result.started).toBe(true);
            } else {
              expect(error).toBeInstanceOf(Error);
              const message = (error as Error).message;
              const allowed = [`call ${index} failed`, `call ${index} aborted`, `caller ${index} aborted`];
              expect(allowed).toContain(message);
              if (message === `caller ${index} aborted`) expect(spec.aborts).toBe(true);
              if (message === `call ${index} failed`) expect(spec.fails).toBe(true);
            }
            if (result.admission === 'full' || result.admission === 'aborted' || result.abortedWhileQueued) expect(result.started).toBe(false);
          }
          expect(startOrder).toEqual([...startOrder].sort((a, b) => a - b));
          expect(running).toBe(0);
          expect(pool.stats).toEqual({ active: 0, queued: 0, available: config.concurrency });
          clock.advance(100);
          expect(clock.pendingTimers).toBe(0);
          for (const controller of controllers) expect(getEventListeners(controller.signal, 'abort')).toEqual([]);
        },
      ),
      // On a busy machine the runs stop after 8 s (whatever ran by then was checked) instead of
      // hitting the test's time limit.
      { numRuns: 500, interruptAfterTimeLimit: 8_000, markInterruptAsFailure: false },
    );
  });
});
