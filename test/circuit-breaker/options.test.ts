import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { circuitBreaker, InvalidOptionError, manualClock } from '../../src/index.js';

/** Any value a user could pass, weighted toward the ones near the edges. */
const anyValue = fc.oneof(
  fc.constantFrom(NaN, -1, -0.5, 0, 0.5, 1, 1.5, 3, 100, 2 ** 31, Infinity, -Infinity, '', 'count', 'time', 'open', null, undefined, true),
  fc.double(),
  fc.integer(),
  fc.string(),
  fc.constant(() => true),
  fc.constant((opens: number) => opens * 10),
  fc.object(),
  fc.array(fc.integer()),
);

const windowValue = fc.oneof(
  anyValue,
  fc.record(
    {
      type: fc.oneof(fc.constantFrom('consecutive', 'count', 'time'), anyValue),
      failures: anyValue,
      size: anyValue,
      duration: anyValue,
      buckets: anyValue,
    },
    { requiredKeys: ['type'] },
  ),
);

const options = fc.record(
  {
    name: anyValue,
    shouldHandle: anyValue,
    window: windowValue,
    failureRateThreshold: anyValue,
    slowCallDuration: anyValue,
    slowCallRateThreshold: anyValue,
    minimumCalls: anyValue,
    openFor: anyValue,
    halfOpen: fc.oneof(anyValue, fc.record({ maxCalls: anyValue, probeTimeout: anyValue }, { requiredKeys: [] })),
    initialState: fc.oneof(
      anyValue,
      fc.record({ state: fc.oneof(fc.constantFrom('closed', 'open', 'half-open', 'isolated'), anyValue), opens: anyValue, openUntil: anyValue }, { requiredKeys: [] }),
    ),
  },
  { requiredKeys: [] },
);

const KEYS = [
  'options',
  'name',
  'shouldHandle',
  'window',
  'failureRateThreshold',
  'slowCallDuration',
  'slowCallRateThreshold',
  'minimumCalls',
  'openFor',
  'halfOpen',
  'clock',
  'initialState',
];

describe('circuitBreaker options', () => {
  it('bad options: any value for every option builds a working breaker or throws InvalidOptionError naming the option', async () => {
    await fc.assert(
      fc.asyncProperty(options, async (given) => {
        let breaker;
        try {
          breaker = circuitBreaker({ ...given, clock: manualClock() } as never);
        } catch (error) {
          expect(error).toBeInstanceOf(InvalidOptionError);
          const option = (error as InvalidOptionError).option;
          expect(KEYS.some((key) => option === key || option.startsWith(`${key}.`)), option).toBe(true);
          const { message } = error as Error;
          expect(message.startsWith(`circuitBreaker: \`${option}\` must be `) || message.startsWith(`circuitBreaker: \`${option}\` is not an option`), message).toBe(true);
          return;
        }
        const outcome = await breaker.execute(() => 'works').then(
          (value) => value,
          (error: unknown) => error,
        );
        if (outcome !== 'works') expect(outcome).toMatchObject({ code: 'ERR_CIRCUIT_OPEN' });
        expect(['closed', 'open', 'half-open', 'isolated']).toContain(breaker.state);
        expect(breaker.stats.failureRate).toBeGreaterThanOrEqual(0);
        expect(JSON.parse(JSON.stringify(breaker))).toEqual(breaker.toJSON());
      }),
      { numRuns: 500 },
    );
  });

  it('any value in place of the options object builds or is refused by name', () => {
    fc.assert(
      fc.property(anyValue, (value) => {
        try {
          circuitBreaker(value as never);
        } catch (error) {
          expect(error).toBeInstanceOf(InvalidOptionError);
          const unknownKeys = typeof value === 'object' && value !== null ? Object.keys(value) : [];
          expect([...KEYS, ...unknownKeys]).toContain((error as InvalidOptionError).option);
        }
      }),
    );
  });

  it('names the field of the window that is wrong', () => {
    expect(() => circuitBreaker({ window: { type: 'count', size: 0 } })).toThrow(
      'circuitBreaker: `window.size` must be an integer in [1, 1000000], got 0',
    );
    expect(() => circuitBreaker({ window: { type: 'count' } as never })).toThrow('circuitBreaker: `window.size` must be');
    expect(() => circuitBreaker({ window: { type: 'sliding' } as never })).toThrow(
      "circuitBreaker: `window.type` must be one of 'consecutive', 'count', 'time', got \"sliding\"",
    );
    expect(() => circuitBreaker({ window: { type: 'time', duration: NaN } })).toThrow('`window.duration` must be a number of milliseconds >= 1, got NaN');
    expect(() => circuitBreaker({ window: { type: 'time', duration: 1_000, buckets: 2.5 } })).toThrow('`window.buckets` must be an integer in [1, 1000], got 2.5');
    expect(() => circuitBreaker({ window: { type: 'consecutive', failures: 3, size: 4 } as never })).toThrow(
      'circuitBreaker: `window.size` is not an option of circuitBreaker (the options of `window` are type, failures), got 4',
    );
    expect(() => circuitBreaker({ window: 5 as never })).toThrow('circuitBreaker: `window` must be a window:');
  });

  it('refuses rate options with a consecutive window, which opens on failures in a row', () => {
    expect(() => circuitBreaker({ window: { type: 'consecutive', failures: 3 }, failureRateThreshold: 0.5 })).toThrow(
      'circuitBreaker: `failureRateThreshold` must be left out with a consecutive window',
    );
    expect(() => circuitBreaker({ window: { type: 'consecutive', failures: 3 }, minimumCalls: 2 })).toThrow('`minimumCalls` must be left out');
  });

  it('refuses thresholds outside (0, 1], minimumCalls above a count window, and unknown names', () => {
    expect(() => circuitBreaker({ failureRateThreshold: 1.5 })).toThrow('circuitBreaker: `failureRateThreshold` must be a number in (0, 1], got 1.5');
    expect(() => circuitBreaker({ slowCallRateThreshold: 0, slowCallDuration: 100 })).toThrow('`slowCallRateThreshold` must be a number in (0, 1], got 0');
    expect(() => circuitBreaker({ window: { type: 'count', size: 5 }, minimumCalls: 6 })).toThrow('`minimumCalls` must be an integer in [1, 5], got 6');
    expect(() => circuitBreaker({ slowCallDuration: -1 })).toThrow('`slowCallDuration` must be a number of milliseconds >= 0 or Infinity, got -1');
    expect(() => circuitBreaker({ halfOpen: { maxCalls: 0 } })).toThrow('`halfOpen.maxCalls` must be an integer >= 1, got 0');
    expect(() => circuitBreaker({ halfOpen: { probeTimeout: 0 } })).toThrow('`halfOpen.probeTimeout` must be a number of milliseconds >= 1 or Infinity, got 0');
    expect(() => circuitBreaker({ failureRate: 0.5 } as never)).toThrow('circuitBreaker: `failureRate` is not an option of circuitBreaker');
  });

  it('checks openFor: a duration, or a backoff that returns one for the first open', () => {
    expect(() => circuitBreaker({ openFor: -1 })).toThrow('circuitBreaker: `openFor` must be a number of milliseconds in [0, 2147483647]');
    expect(() => circuitBreaker({ openFor: Infinity })).toThrow('`openFor` must be');
    expect(() => circuitBreaker({ openFor: () => NaN })).toThrow('(for 1 it returned NaN), got a function');
    expect(() =>
      circuitBreaker({
        openFor: () => {
          throw new Error('oops');
        },
      }),
    ).toThrow('(for 1 it returned a throw: oops)');
  });

  it('checks initialState', () => {
    expect(() => circuitBreaker({ initialState: { state: 'ajar', opens: 0 } as never })).toThrow(
      "circuitBreaker: `initialState.state` must be one of 'closed', 'open', 'half-open', 'isolated', got \"ajar\"",
    );
    expect(() => circuitBreaker({ initialState: { state: 'open', opens: 1 } })).toThrow('`initialState.openUntil` must be a wall-clock time in ms');
    expect(() => circuitBreaker({ initialState: { state: 'closed', opens: -1 } })).toThrow('`initialState.opens` must be an integer >= 0, got -1');
    expect(() => circuitBreaker({ initialState: 'open' as never })).toThrow('`initialState` must be an object');
  });

  it('defaults: a count window of 100 calls, rate 0.5 from 10 calls, open 10 s, one probe', async () => {
    const clock = manualClock();
    const breaker = circuitBreaker({ clock });
    for (let i = 0; i < 9; i++) await breaker.execute(() => Promise.reject(new Error('down'))).catch(() => undefined);
    expect(breaker.state).toBe('closed');
    await breaker.execute(() => Promise.reject(new Error('down'))).catch(() => undefined);
    expect(breaker.state).toBe('open');
    await expect(breaker.execute(() => 'x')).rejects.toMatchObject({ retryAfter: 10_000 });
    clock.advance(10_000);
    const probe = breaker.execute(() => new Promise<string>(() => undefined));
    await expect(breaker.execute(() => 'x')).rejects.toMatchObject({ state: 'half-open' });
    clock.advance(30_000);
    expect(breaker.state).toBe('open');
    void probe;
  });
});
