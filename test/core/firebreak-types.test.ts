import { describe, expectTypeOf, it } from 'vitest';
import { firebreak, type FirebreakAlternative } from '../../src/index.js';

describe('FirebreakAlternative', () => {
  it('is never without a fallback stage, so execute() keeps the function’s own type', async () => {
    expectTypeOf<FirebreakAlternative<{ totalTimeout: 900 }>>().toEqualTypeOf<never>();
    const guarded = firebreak('auth', { totalTimeout: 900 });
    expectTypeOf(await guarded.execute(() => 1)).toEqualTypeOf<number>();
    expectTypeOf(await firebreak('auth').execute(() => 1)).toEqualTypeOf<number>();
  });

  it('is the type of the fallback value, of what a fallback function returns, or of `{ fallback }`', async () => {
    expectTypeOf<FirebreakAlternative<{ fallback: 5 }>>().toEqualTypeOf<5>();
    expectTypeOf<FirebreakAlternative<{ fallback: () => Promise<'cached'> }>>().toEqualTypeOf<'cached'>();
    expectTypeOf<FirebreakAlternative<{ fallback: { fallback: null } }>>().toEqualTypeOf<null>();
    const guarded = firebreak('auth', { fallback: { fallback: null, shouldHandle: () => true }, totalTimeout: 900 });
    expectTypeOf(await guarded.execute(() => 1)).toEqualTypeOf<number | null>();
  });
});
