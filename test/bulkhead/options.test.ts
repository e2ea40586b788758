import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bulkhead, firebreak, InvalidOptionError, manualClock } from '../../src/index.js';

/** Any value a user could pass, weighted toward the ones near the edges. */
const anyValue = fc.oneof(
  fc.constantFrom(NaN, -1, -0.5, 0, 0.5, 1, 1.5, 2, 100, Infinity, -Infinity, 2 ** 31, Number.MAX_SAFE_INTEGER, 2 ** 53, '', '4', 'auth', null, true),
  fc.double(),
  fc.integer({ min: -5, max: 50 }),
  fc.string(),
  fc.constant(() => 1),
  fc.object(),
  fc.array(fc.integer()),
);

const isCount = (value: unknown, min: number): boolean => typeof value === 'number' && Number.isSafeInteger(value) && value >= min;

/** Whether the options are valid, by the contract: the oracle the factory must agree with. */
function valid(options: { name?: unknown; concurrency?: unknown; queue?: unknown; queueTimeout?: unknown }): boolean {
  const { name, concurrency, queue, queueTimeout } = options;
  return (
    (name === undefined || (typeof name === 'string' && name.length > 0)) &&
    isCount(concurrency, 1) &&
    (queue === undefined || isCount(queue, 0)) &&
    (queueTimeout === undefined || (typeof queueTimeout === 'number' && queueTimeout >= 0)) &&
    // a finite queueTimeout needs a queue to time out of
    !((queue === undefined || queue === 0) && typeof queueTimeout === 'number' && Number.isFinite(queueTimeout))
  );
}

describe('bulkhead options', () => {
  it('builds a working bulkhead exactly for valid options, and otherwise refuses the bad option by name', async () => {
    await fc.assert(
      fc.asyncProperty(fc.record({ name: anyValue, concurrency: anyValue, queue: anyValue, queueTimeout: anyValue }, { requiredKeys: [] }), async (options) => {
        let pool;
        try {
          pool = bulkhead({ ...options, clock: manualClock() } as never);
        } catch (error) {
          expect(valid(options)).toBe(false);
          expect(error).toBeInstanceOf(InvalidOptionError);
          const option = (error as InvalidOptionError).option;
          expect(['name', 'concurrency', 'queue', 'queueTimeout']).toContain(option);
          expect((error as Error).message).toMatch(new RegExp(`^bulkhead: \`${option}\` must be `));
          return;
        }
        expect(valid(options)).toBe(true);
        expect(pool.concurrency).toBe(options.concurrency);
        expect(pool.stats.available).toBe(options.concurrency);
        await expect(pool.execute(() => 'works')).resolves.toBe('works');
      }),
      { numRuns: 500 },
    );
  });

  it('refuses a missing, zero, fractional, NaN or infinite concurrency with a clear message', () => {
    expect(() => bulkhead(undefined as never)).toThrow('bulkhead: `concurrency` must be an integer >= 1, got undefined');
    expect(() => bulkhead({} as never)).toThrow('bulkhead: `concurrency` must be an integer >= 1, got undefined');
    expect(() => bulkhead({ concurrency: 0 })).toThrow('bulkhead: `concurrency` must be an integer >= 1, got 0');
    expect(() => bulkhead({ concurrency: 1.5 })).toThrow('got 1.5');
    expect(() => bulkhead({ concurrency: NaN })).toThrow('got NaN');
    expect(() => bulkhead({ concurrency: Infinity })).toThrow('got Infinity');
  });

  it('refuses a negative or fractional queue, a negative or NaN queueTimeout and unknown options', () => {
    expect(() => bulkhead({ concurrency: 1, queue: -1 })).toThrow('bulkhead: `queue` must be an integer >= 0, got -1');
    expect(() => bulkhead({ concurrency: 1, queue: 0.5 })).toThrow('got 0.5');
    expect(() => bulkhead({ concurrency: 1, queue: Infinity })).toThrow('bulkhead: `queue` must be an integer >= 0, got Infinity');
    expect(() => bulkhead({ concurrency: 1, queue: 1, queueTimeout: -1 })).toThrow('bulkhead: `queueTimeout` must be a number of milliseconds >= 0 or Infinity, got -1');
    expect(() => bulkhead({ concurrency: 1, queue: 1, queueTimeout: NaN })).toThrow('got NaN');
    expect(() => bulkhead({ concurrency: 1, maxQueue: 3 } as never)).toThrow(
      /^bulkhead: `maxQueue` is not an option of bulkhead \(the options are name, concurrency, queue, queueTimeout, clock\), got 3$/,
    );
    expect(() => bulkhead({ concurrency: 1, clock: {} as never })).toThrow(/bulkhead: `clock` must be a Clock/);
  });

  it('has the documented defaults', () => {
    const pool = bulkhead({ concurrency: 3 });
    expect(pool).toMatchObject({ name: 'bulkhead', concurrency: 3, queue: 0, queueTimeout: Infinity });
  });

  it('firebreak(): names a bad bulkhead option after its place, and refuses a stage name', () => {
    expect(() => firebreak('dep', { bulkhead: { concurrency: 0 } })).toThrow('firebreak: `bulkhead.concurrency` must be an integer >= 1, got 0');
    expect(() => firebreak('dep', { bulkhead: 4 as never })).toThrow('firebreak: `bulkhead` must be an object of options, got 4');
    expect(() => firebreak('dep', { bulkhead: { concurrency: 1, name: 'other' } as never })).toThrow(/`bulkhead.name`/);
  });
});
