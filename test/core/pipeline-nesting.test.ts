import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bulkhead, circuitBreaker, constant, fallback, pipeline, retry, timeout, type CallContext, type Policy } from '../../src/index.js';

/** The stages entered, in order, by the current run: recorders write to it. */
let entered: string[] = [];

/** A policy of its own (not one of firebreak's) that records each attempt passing through it. */
function recorder(name: string): Policy {
  return {
    name,
    async execute<T>(fn: (ctx: CallContext) => T | PromiseLike<T>): Promise<T> {
      entered.push(name);
      return await fn({ signal: new AbortController().signal, attempt: 1, deadline: Infinity });
    },
  };
}

/** The stages a generated pipeline draws from, each made fresh for each run. */
const STAGE_MAKERS: Record<string, () => Policy<unknown>> = {
  recorderA: () => recorder('a'),
  recorderB: () => recorder('b'),
  fallback: () => fallback('served'),
  timeout: () => timeout(10_000),
  retry: () => retry({ maxAttempts: 3, backoff: constant(0) }),
  breaker: () => circuitBreaker({ window: { type: 'consecutive', failures: 100 } }),
  bulkhead: () => bulkhead({ concurrency: 4 }),
};
const stageName = fc.constantFrom(...Object.keys(STAGE_MAKERS));

/** A flat list of stages, and a split of it into nested pipelines at the given points. */
function nest(names: readonly string[], cuts: readonly number[]): Policy<unknown> {
  const stages = names.map((name) => (STAGE_MAKERS[name] as () => Policy<unknown>)());
  const points = [...new Set(cuts.map((cut) => cut % (stages.length + 1)))].sort((a, b) => a - b);
  let policy: Policy<unknown> = pipeline(...stages.slice(points.at(-1) ?? 0));
  for (let index = points.length - 2; index >= 0; index--) {
    policy = pipeline(...stages.slice(points[index], points[index + 1]), policy);
  }
  return points.length === 0 ? pipeline(...stages) : pipeline(...stages.slice(0, points[0]), policy);
}

async function run(policy: Policy<unknown>, failures: number): Promise<{ outcome: string; calls: number[]; entered: string[] }> {
  const calls: number[] = [];
  entered = [];
  const fn = (ctx: CallContext): Promise<string> => {
    calls.push(ctx.attempt);
    return calls.length <= failures ? Promise.reject(new Error(`failure ${calls.length}`)) : Promise.resolve(`value ${calls.length}`);
  };
  try {
    return { outcome: `ok ${String(await policy.execute(fn))}`, calls, entered };
  } catch (error) {
    return { outcome: `error ${(error as Error).message}`, calls, entered };
  }
}

describe('pipeline nesting', () => {
  it('a pipeline split into nested pipelines runs the function as the flat one does', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(stageName, { maxLength: 7 }), fc.array(fc.nat(7), { maxLength: 3 }), fc.nat(4), async (names, cuts, failures) => {
        const flat = await run(pipeline(...names.map((name) => (STAGE_MAKERS[name] as () => Policy<unknown>)())), failures);
        const nested = await run(nest(names, cuts), failures);
        expect(nested).toEqual(flat);
      }),
      { numRuns: 150 },
    );
  });

  it('a pipeline nested in the middle of another runs the stages after it on the caller\'s function', async () => {
    const log: string[] = [];
    const inner = pipeline(retry({ maxAttempts: 2, backoff: constant(0) }), timeout(1_000));
    const outer = pipeline(timeout(1_000), inner, recorder('after'), bulkhead({ concurrency: 1 }));
    entered = [];
    const value = await outer.execute((ctx) => {
      log.push(`attempt ${ctx.attempt}`);
      if (ctx.attempt === 1) throw new Error('first');
      return 'second';
    });
    expect(value).toBe('second');
    expect(log).toEqual(['attempt 1', 'attempt 2']);
    expect(entered).toEqual(['after', 'after']);
  });
});
