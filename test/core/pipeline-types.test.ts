import { describe, expectTypeOf, it } from 'vitest';
import { bulkhead, circuitBreaker, fallback, pipeline, retry, timeout } from '../../src/index.js';

describe('pipeline() types', () => {
  it('keep the function’s own type through policies that have no alternative value', () => {
    expectTypeOf(pipeline(timeout(10), circuitBreaker(), bulkhead({ concurrency: 1 }), retry()).execute(() => 1)).resolves.toEqualTypeOf<number>();
    expectTypeOf(pipeline().execute(() => 'x')).resolves.toEqualTypeOf<string>();
  });

  it('add the value of a fallback', () => {
    expectTypeOf(pipeline(fallback(1), timeout(10)).execute(() => 'x')).resolves.toEqualTypeOf<string | number>();
    expectTypeOf(pipeline(fallback(null), pipeline(fallback('a' as const), timeout(10))).execute(() => 1)).resolves.toEqualTypeOf<number | 'a' | null>();
  });
});
