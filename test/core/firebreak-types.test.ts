import { describe, expectTypeOf, it } from 'vitest';
import { fallback, firebreak, type Outcome } from '../../src/index.js';

describe('firebreak() types', () => {
  it('keep the function’s own type without a fallback stage', async () => {
    expectTypeOf(await firebreak('auth', { totalTimeout: 900 }).execute(() => 1)).toEqualTypeOf<number>();
    expectTypeOf(await firebreak('auth').execute(() => 1)).toEqualTypeOf<number>();
  });

  it('add the type of the fallback value, of what a fallback function returns, or of `{ fallback }`', async () => {
    expectTypeOf(await firebreak('a', { fallback: 5 }).execute(() => 'x')).toEqualTypeOf<string | number>();
    expectTypeOf(await firebreak('a', { fallback: () => Promise.resolve('cached' as const) }).execute(() => 1)).toEqualTypeOf<number | 'cached'>();
    expectTypeOf(await firebreak('a', { fallback: { fallback: null, shouldHandle: () => true } }).execute(() => 1)).toEqualTypeOf<number | null>();
    expectTypeOf(await firebreak('a', { fallback: { user: 'guest' } }).execute(() => 1)).toEqualTypeOf<number | { user: string }>();
  });

  it('give an inline shouldHandle a typed outcome in every stage, and accept one typed for the results', () => {
    const on503 = (outcome: Outcome<Response>) => !outcome.ok || outcome.value.status === 503;
    const guarded = firebreak('a', {
      fallback: { fallback: () => new Response('cached'), shouldHandle: on503 },
      retry: { shouldHandle: (outcome) => !outcome.ok },
      circuitBreaker: { shouldHandle: on503 },
    });
    expectTypeOf(guarded.execute(() => new Response(''))).resolves.toEqualTypeOf<Response>();
    expectTypeOf(fallback(0, { shouldHandle: on503 }).execute(() => 1)).resolves.toEqualTypeOf<number>();
    firebreak('b', { retry: { shouldHandle: (outcome) => expectTypeOf(outcome).toEqualTypeOf<Outcome<unknown>>() !== undefined } });
  });
});
