import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { bulkhead, BulkheadRejectedError, manualClock, pipeline, timeout, TimeoutError, type CallContext } from '../../src/index.js';
import { flush } from '../helpers/async.js';
import { seeded } from '../helpers/seeded-random.js';

describe('bulkhead at volume', () => {
  it('40,000 calls with random aborts, failures, timeouts and queue timeouts leave no residue', async () => {
    // 40,000 calls: every outcome hundreds of times (the rarest, 738), a few seconds on a busy machine.
    const TOTAL = 40_000;
    const PER_MS = 4;
    const CONCURRENCY = 32;
    const clock = manualClock();
    const random = seeded(20_261_123);
    const pool = bulkhead({ name: 'volume', concurrency: CONCURRENCY, queue: 32, queueTimeout: 10, clock });
    const policy = pipeline(pool, timeout({ duration: 15, clock, strategy: 'abort' }));

    let running = 0;
    let maxRunning = 0;
    let settled = 0;
    const counts = { ok: 0, failed: 0, timedOut: 0, full: 0, queueTimeout: 0, abortedInQueue: 0, abortedRunning: 0 };
    const signals: AbortSignal[] = [];

    const start = (): void => {
      const controller = new AbortController();
      const signal = controller.signal;
      signals.push(signal);
      const behaviour = random();
      const cooperative = random() < 0.5;
      const duration = Math.floor(random() * 21);
      let ran = false;
      if (random() < 0.2) {
        clock.setTimeout(() => controller.abort(new Error('caller aborted')), Math.floor(random() * 25));
      }
      const fn = (ctx: CallContext): Promise<number> => {
        ran = true;
        running++;
        maxRunning = Math.max(maxRunning, running);
        if (behaviour < 0.05) {
          running--;
          throw new Error('sync failure');
        }
        return new Promise<number>((resolve, reject) => {
          let done = false;
          const finish = (error?: Error): void => {
            if (done) return;
            done = true;
            running--;
            clock.clearTimeout(timer);
            if (cooperative) ctx.signal.removeEventListener('abort', onAbort);
            if (error) reject(error);
            else resolve(1);
          };
          const onAbort = (): void => finish(new Error('stopped at abort'));
          const timer = clock.setTimeout(() => finish(behaviour < 0.15 ? new Error('failure') : undefined), duration);
          if (cooperative) ctx.signal.addEventListener('abort', onAbort);
        });
      };
      policy.execute(fn, { signal }).then(
        () => {
          settled++;
          counts.ok++;
        },
        (error: unknown) => {
          settled++;
          if (error instanceof BulkheadRejectedError) counts[error.reason === 'full' ? 'full' : 'queueTimeout']++;
          else if (error instanceof TimeoutError) counts.timedOut++;
          else if (signal.aborted && error === signal.reason) counts[ran ? 'abortedRunning' : 'abortedInQueue']++;
          else counts.failed++;
        },
      );
    };

    let started = 0;
    while (started < TOTAL) {
      for (let k = 0; k < PER_MS && started < TOTAL; k++, started++) start();
      clock.advance(1);
      await flush();
      expect(pool.stats.active).toBeLessThanOrEqual(CONCURRENCY);
    }
    for (let ms = 0; ms < 1_000 && settled < TOTAL; ms++) {
      clock.advance(1);
      await flush();
    }
    clock.advance(100);
    await flush();

    expect(settled).toBe(TOTAL);
    expect(running).toBe(0);
    expect(maxRunning).toBeLessThanOrEqual(CONCURRENCY);
    expect(maxRunning).toBe(CONCURRENCY);
    expect(pool.stats).toEqual({ active: 0, queued: 0, available: CONCURRENCY });
    expect(clock.pendingTimers).toBe(0);
    expect(signals.filter((signal) => getEventListeners(signal, 'abort').length > 0)).toEqual([]);
    for (const [outcome, count] of Object.entries(counts)) expect(count, `some calls ended ${outcome}`).toBeGreaterThan(100);
    // A time limit for a machine many times busier than two CPU burners: the test judges residue, not speed.
  }, 90_000);
});
