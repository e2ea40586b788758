import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { constant, exponential, InvalidOptionError, manualClock, MAX_TIMER_DELAY, retry, retryBudget } from '../../src/index.js';

/** Any value a user could pass, weighted toward the ones that sit near the edges. */
const anyValue = fc.oneof(
  fc.constantFrom(NaN, -1, -0.5, 0, 0.5, 1, 1.5, 3, 100, Infinity, -Infinity, 2 ** 31, '', 'full', 'none', 'decorrelated', null, true),
  fc.double(),
  fc.integer(),
  fc.string(),
  fc.constant(() => 0.5),
  fc.object(),
  fc.array(fc.integer()),
);

/** Builds with `build`; either it works (`check` passes) or it throws an InvalidOptionError naming one of `keys`. */
async function buildsOrRefuses<P>(build: () => P, keys: readonly string[], check: (built: P) => unknown): Promise<void> {
  let built: P;
  try {
    built = build();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidOptionError);
    const { option, message } = error as InvalidOptionError;
    expect(keys).toContain(option);
    expect(message.includes(`\`${option}\` must be`) || message.includes(`\`${option}\` is not an option`)).toBe(true);
    return;
  }
  await check(built);
}

describe('bad options are refused by name, at construction', () => {
  it('retry: every option either builds a working policy or is refused by name', async () => {
    const keys = ['name', 'maxAttempts', 'backoff', 'shouldHandle', 'budget', 'clock', 'options'];
    await fc.assert(
      fc.asyncProperty(
        fc.record({ name: anyValue, maxAttempts: anyValue, backoff: anyValue, budget: anyValue, clock: anyValue, extra: anyValue }, { requiredKeys: [] }),
        async (options) => {
          await buildsOrRefuses(
            () => retry(options as never),
            keys.concat('extra'),
            async (policy) => {
              expect(Number.isInteger(policy.maxAttempts) && policy.maxAttempts >= 1).toBe(true);
              await expect(policy.execute(() => 'works')).resolves.toBe('works');
            },
          );
        },
      ),
    );
    await fc.assert(
      fc.asyncProperty(anyValue, async (value) => {
        const unknownKeys = typeof value === 'object' && value !== null ? Object.keys(value) : [];
        await buildsOrRefuses(() => retry(value as never), keys.concat(unknownKeys), () => undefined);
      }),
    );
  });

  it('retryBudget: every option either builds a working budget or is refused by name', async () => {
    const keys = ['name', 'ratio', 'minPerSecond', 'window', 'clock', 'options', 'extra'];
    await fc.assert(
      fc.asyncProperty(fc.record({ name: anyValue, ratio: anyValue, minPerSecond: anyValue, window: anyValue, extra: anyValue }, { requiredKeys: [] }), async (options) => {
        await buildsOrRefuses(
          () => retryBudget({ ...options, clock: manualClock() } as never),
          keys,
          (budget) => {
            budget.deposit();
            expect(typeof budget.tryWithdraw()).toBe('boolean');
            const { available, requests, retries, exhausted } = budget.stats;
            for (const count of [available, requests, retries, exhausted]) expect(Number.isInteger(count) && count >= 0).toBe(true);
          },
        );
      }),
    );
  });

  it('exponential and constant: every option either builds a backoff with delays in [0, max] or is refused by name', async () => {
    const keys = ['initial', 'max', 'multiplier', 'jitter', 'random', 'options', 'extra'];
    await fc.assert(
      fc.asyncProperty(
        fc.record({ initial: anyValue, max: anyValue, multiplier: anyValue, jitter: anyValue, random: anyValue, extra: anyValue }, { requiredKeys: [] }),
        fc.integer({ min: 1, max: 10_000 }),
        async (options, attempt) => {
          await buildsOrRefuses(
            () => exponential(options as never),
            keys,
            (backoff) => {
              const delay = backoff(attempt, { ok: false, error: 'x' }, 0);
              expect(delay >= 0 && delay <= MAX_TIMER_DELAY).toBe(true);
            },
          );
        },
      ),
    );
    // -0 is a valid delay that comes back as 0: compare with ===, which takes them as equal.
    await fc.assert(
      fc.asyncProperty(anyValue, async (value) =>
        buildsOrRefuses(
          () => constant(value as never),
          ['ms'],
          (backoff) => expect(backoff(1, { ok: false, error: 'x' }, 0) === Math.min(value as number, MAX_TIMER_DELAY)).toBe(true),
        ),
      ),
    );
  });

  it('names the factory, the option and the value in the message', () => {
    expect(() => retry({ maxAttempts: 1.5 })).toThrow('retry: `maxAttempts` must be an integer >= 1, got 1.5');
    expect(() => retryBudget({ ratio: NaN })).toThrow('retryBudget: `ratio` must be a finite number >= 0, got NaN');
    expect(() => retryBudget({ window: 0 })).toThrow('retryBudget: `window` must be a number of milliseconds >= 1, got 0');
    expect(() => exponential({ initial: 500, max: 100 })).toThrow('exponential: `max` must be a number of milliseconds >= `initial` (500), got 100');
    expect(() => exponential({ multiplier: 0.5 })).toThrow('exponential: `multiplier` must be a finite number >= 1, got 0.5');
    expect(() => exponential({ jitter: 'random' as never })).toThrow("exponential: `jitter` must be one of 'none', 'full', 'equal', 'decorrelated', got \"random\"");
    expect(() => constant(-1)).toThrow('constant: `ms` must be a number of milliseconds >= 0, got -1');
    expect(() => constant(Infinity)).toThrow('constant: `ms` must be a number of milliseconds >= 0, got Infinity');
  });
});
