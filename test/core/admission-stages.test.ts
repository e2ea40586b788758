import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { adaptiveThrottle, bulkhead, fallback, TimeoutError, circuitBreaker, constant, manualClock, pipeline, rateLimiter, retry, timeout, type CallContext, type ManualClock, type Policy } from '../../src/index.js';

/**
 * A pipeline whose fallback, retry, rate limiter, throttle, breaker and bulkhead sit in front of its last stage, a timeout, is
 * entered in one step and ended by the timeout's call (src/admission-stage.ts). The same stages
 * with the timeout wrapped in a pipeline of its own take the ordinary path, a promise per stage:
 * both must behave alike, whatever the calls do.
 */
interface System {
  readonly clock: ManualClock;
  readonly breaker: ReturnType<typeof circuitBreaker>;
  readonly pool: ReturnType<typeof bulkhead>;
  readonly policy: Policy<unknown>;
  readonly outcomes: string[];
  readonly abandoned: { resolve: () => void }[];
  /** Each attempt the function saw: its number and deadline. */
  readonly attempts: string[];
  /** The ends of calls the retry told of. */
  readonly settled: string[];
}

function system(fused: boolean, strategy: 'abort' | 'cooperative', timeoutLast: boolean): System {
  const clock = manualClock();
  const breaker = circuitBreaker({ window: { type: 'consecutive', failures: 3 }, openFor: 100, clock });
  const pool = bulkhead({ concurrency: 2, queue: 1, clock });
  const limit = timeout({ duration: 50, strategy, clock });
  const again = retry({ maxAttempts: 2, backoff: constant(5), clock });
  const limiter = rateLimiter({ rate: 4, interval: 100, burst: 2, maxWait: 30, clock });
  let seed = 7;
  const random = (): number => (seed = (seed * 16_807) % 2_147_483_647) / 2_147_483_647;
  const throttle = adaptiveThrottle({ k: 1.1, window: 1_000, clock, random });
  const timed = fused ? limit : pipeline(limit);
  // The timeout last, or in the middle with a bulkhead behind it (which then holds what it abandons).
  const served = fallback('served', { shouldHandle: (outcome) => !outcome.ok && outcome.error instanceof TimeoutError });
  const policy = timeoutLast
    ? pipeline(served, again, limiter, throttle, breaker, pool, timed)
    : pipeline(served, again, limiter, throttle, breaker, timed, pool);
  const settled: string[] = [];
  again.onSettled(({ ok, attempts }) => settled.push(`${ok} after ${attempts}`));
  // A listener of outcomes makes the breaker time its calls (a ticket with a start time).
  breaker.onFailure(({ duration, slow }) => settled.push(`breaker failure in ${duration} ms${slow ? ', slow' : ''}`));
  return { clock, breaker, pool, policy, outcomes: [], abandoned: [], attempts: [], settled };
}

type Step = { kind: 'start'; abandons: boolean } | { kind: 'resolve' | 'reject'; which: number } | { kind: 'advance'; ms: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('start' as const), abandons: fc.boolean() }),
  fc.record({ kind: fc.constantFrom('resolve' as const, 'reject' as const), which: fc.nat(9) }),
  fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 1, max: 120 }) }),
);

/** Runs the steps on one system; the calls' functions settle when a step says so. */
async function play(target: System, steps: readonly Step[]): Promise<unknown[]> {
  const pending: { resolve: (value: string) => void; reject: (error: Error) => void }[] = [];
  const seen: unknown[] = [];
  let started = 0;
  for (const next of steps) {
    if (next.kind === 'start') {
      const number = started++;
      const fn = (ctx: CallContext): Promise<string> =>
        new Promise<string>((resolve, reject) => {
          target.attempts.push(`${number}: attempt ${ctx.attempt} until ${ctx.deadline}`);
          pending.push({ resolve, reject });
          if (next.abandons) {
            // Work that outlives the call, reported as the undici integration does with a body.
            const body = { resolve: () => {} };
            (ctx as CallContext & { abandon(work: PromiseLike<unknown>): void }).abandon(new Promise<void>((done) => (body.resolve = done)));
            target.abandoned.push(body);
          }
        });
      target.policy.execute(fn).then(
        (value) => target.outcomes.push(`${number}: ${String(value)}`),
        (error: unknown) => target.outcomes.push(`${number}: ${(error as Error).name}`),
      );
    } else if (next.kind === 'advance') {
      await target.clock.advanceAsync(next.ms);
    } else {
      const call = pending[next.which % Math.max(pending.length, 1)];
      if (next.kind === 'resolve') call?.resolve('value');
      else call?.reject(new Error('failed'));
      target.abandoned.shift()?.resolve();
    }
    // Every promise callback due runs before the state is compared (the two paths take different numbers of them).
    await new Promise((resolve) => setImmediate(resolve));
    seen.push([target.breaker.state, { ...target.pool.stats }, [...target.outcomes].sort(), [...target.attempts].sort(), [...target.settled].sort()]);
  }
  return seen;
}

describe('admission stages in front of a timeout', () => {
  for (const [strategy, timeoutLast] of [
    ['abort', true],
    ['cooperative', true],
    ['abort', false],
  ] as const) {
    it(`settle as the ordinary path does (${strategy} timeout, ${timeoutLast ? 'last' : 'in the middle'})`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(step, { maxLength: 30 }), async (steps) => {
          expect(await play(system(true, strategy, timeoutLast), steps)).toEqual(await play(system(false, strategy, timeoutLast), steps));
        }),
        { numRuns: 300 },
      );
    });
  }

  it('keeps the bulkhead slot of a timed-out call until its function settles', async () => {
    const clock = manualClock();
    const pool = bulkhead({ concurrency: 1, clock });
    const policy = pipeline(circuitBreaker({ clock }), pool, timeout({ duration: 50, clock }));
    let finish: (value: string) => void = () => {};
    const call = policy.execute(() => new Promise<string>((resolve) => (finish = resolve)));
    clock.advance(50);
    await expect(call).rejects.toThrow('timed out');
    expect(pool.stats.active).toBe(1);
    finish('late');
    await Promise.resolve();
    await Promise.resolve();
    expect(pool.stats.active).toBe(0);
  });
});

describe('admission stages ended by a deadline', () => {
  it('end in the async context of their call, not the timer’s', async () => {
    const { AsyncLocalStorage } = await import('node:async_hooks');
    const request = new AsyncLocalStorage<string>();
    const clock = manualClock();
    const served = fallback(() => `served for ${request.getStore() ?? 'nobody'}`);
    const policy = pipeline(served, retry({ maxAttempts: 1, clock }), bulkhead({ concurrency: 2, clock }), timeout({ duration: 50, clock }));
    const hang = (): Promise<string> => new Promise<string>(() => {});
    const first = request.run('first', () => policy.execute(hang));
    const second = request.run('second', () => policy.execute(hang));
    await request.run('the timer', () => clock.advanceAsync(50));
    expect(await first).toBe('served for first');
    expect(await second).toBe('served for second');
  });
});
