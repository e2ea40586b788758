import { describe, expect, it } from 'vitest';
import { constant, FirebreakError, HedgeLostError, isFastFail, manualClock, RateLimitedError, retry, ThrottledError, TimeoutError } from '../../src/index.js';
import { hedgeLostError } from '../../src/errors/hedge-lost-error.js';
import { rateLimitedError } from '../../src/errors/rate-limited-error.js';
import { throttledError } from '../../src/errors/throttled-error.js';

describe('the errors of hedge, rateLimiter and adaptiveThrottle', () => {
  const cases = [
    { made: new RateLimitedError('api', 250), cheap: rateLimitedError('api', 250), name: 'RateLimitedError', code: 'ERR_RATE_LIMITED', message: 'api: rate limit reached, retry after 250 ms' },
    { made: new ThrottledError('api', 0.25), cheap: throttledError('api', 0.25), name: 'ThrottledError', code: 'ERR_THROTTLED', message: 'api: throttled (rejecting 25 % of calls)' },
    { made: new HedgeLostError('api', 2), cheap: hedgeLostError('api', 2), name: 'HedgeLostError', code: 'ERR_HEDGE_LOST', message: 'api: attempt 2 settled first, this attempt is no longer needed' },
  ];

  it('have a literal name and code, a message, and are fast-fails however they were made', () => {
    for (const { made, cheap, name, code, message } of cases) {
      for (const error of [made, cheap]) {
        expect([error.name, error.code, error.message], name).toEqual([name, code, message]);
        expect(error).toBeInstanceOf(FirebreakError);
        expect(error).toBeInstanceOf(made.constructor as typeof FirebreakError);
        expect(isFastFail(error)).toBe(true);
      }
    }
    expect(isFastFail(new TimeoutError('api', 1))).toBe(false);
  });

  it('are not retried by default', async () => {
    const clock = manualClock();
    for (const { cheap } of cases) {
      let attempts = 0;
      const policy = retry({ maxAttempts: 3, backoff: constant(0), clock });
      await expect(policy.execute(() => Promise.reject(cheap).finally(() => attempts++))).rejects.toBe(cheap);
      expect(attempts, cheap.name).toBe(1);
    }
  });
});
