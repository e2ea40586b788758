import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fallback, firebreak, InvalidOptionError, manualClock, timeout, type Policy } from '../../src/index.js';

/** Any value a user could pass, weighted toward the ones that sit near the edges. */
const anyValue = fc.oneof(
  fc.constantFrom(NaN, -1, -0.5, 0, 0.5, 1, 1.5, 100, Infinity, -Infinity, 2 ** 31, '', 'abort', 'cooperative', null, undefined, true),
  fc.double(),
  fc.integer(),
  fc.string(),
  fc.boolean(),
  fc.constant(() => true),
  fc.object(),
  fc.array(fc.integer()),
);

/**
 * Builds a policy from `options`; asserts it either works or throws an InvalidOptionError that
 * names one of the given option keys, and never throws anything else.
 */
async function buildsOrRefuses(build: () => Policy<unknown>, keys: readonly string[], given: unknown): Promise<void> {
  let policy: Policy<unknown>;
  try {
    policy = build();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidOptionError);
    const option = (error as InvalidOptionError).option;
    const named = [...keys, ...(typeof given === 'object' && given !== null ? Object.keys(given) : [])];
    expect(named.some((key) => option === key || option.startsWith(`${key}.`))).toBe(true);
    const { message } = error as Error;
    expect(message.includes(`\`${option}\` must be`) || message.includes(`\`${option}\` is not an option`)).toBe(true);
    return;
  }
  const settled = await policy.execute(() => 'works').then(
    () => 'resolved',
    (error: unknown) => error,
  );
  expect(settled).toBe('resolved');
}

describe('bad options', () => {
  it('timeout: every option either builds a working policy or is refused by name', async () => {
    const keys = ['name', 'duration', 'strategy', 'clock', 'options'];
    await fc.assert(
      fc.asyncProperty(fc.record({ name: anyValue, duration: anyValue, strategy: anyValue }, { requiredKeys: [] }), async (options) => {
        await buildsOrRefuses(() => timeout({ ...options, clock: manualClock() } as never), keys, options);
      }),
    );
    await fc.assert(fc.asyncProperty(anyValue, async (value) => buildsOrRefuses(() => timeout(value as never), keys, value)));
  });

  it('fallback: every option either builds a working policy or is refused by name', async () => {
    await fc.assert(
      fc.asyncProperty(anyValue, fc.record({ name: anyValue, shouldHandle: anyValue }, { requiredKeys: [] }), async (value, options) => {
        await buildsOrRefuses(() => fallback(value, options as never), ['name', 'shouldHandle', 'options'], options);
      }),
    );
  });

  it('firebreak: every stage option either builds a working policy or is refused by name', async () => {
    const keys = ['name', 'fallback', 'totalTimeout', 'attemptTimeout', 'options'];
    await fc.assert(
      fc.asyncProperty(
        fc.record({ fallback: anyValue, totalTimeout: anyValue, attemptTimeout: anyValue }, { requiredKeys: [] }),
        async (options) => buildsOrRefuses(() => firebreak('dep', options as never), keys, options),
      ),
    );
  });

  it('refuses unknown options by name', () => {
    expect(() => timeout({ duration: 1, durration: 2 } as never)).toThrow(
      'timeout: `durration` is not an option of timeout (did you mean `duration`? the options are name, duration, strategy, clock), got 2',
    );
    expect(() => fallback(1, { nmae: 'x' } as never)).toThrow(/fallback: `nmae` is not an option of fallback \(did you mean `name`\?/);
    expect(() => firebreak('dep', { circuitBraker: {} } as never)).toThrow(/firebreak: `circuitBraker`/);
  });

  it('refuses NaN, negative and non-number durations with a clear message', () => {
    expect(() => timeout(NaN)).toThrow('timeout: `duration` must be a number of milliseconds >= 0 or Infinity, got NaN');
    expect(() => timeout(-5)).toThrow('got -5');
    expect(() => timeout('100' as never)).toThrow('got "100"');
    expect(() => timeout({ duration: 1, strategy: 'hard' as never })).toThrow("timeout: `strategy` must be one of 'abort', 'cooperative', got \"hard\"");
  });

  it('refuses a stage name inside firebreak(): every stage takes the name given to firebreak', () => {
    expect(() => firebreak('dep', { totalTimeout: { duration: 1, name: 'other' } as never })).toThrow(/`totalTimeout.name`/);
    expect(() => firebreak('')).toThrow('firebreak: `name` must be a non-empty string, got ""');
  });
});
