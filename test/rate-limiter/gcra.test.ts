import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gcra, gcraRemaining, type GcraParams } from '../../src/rate-limiter/gcra.js';

const params = (rate: number, interval: number, burst: number, maxWait = 0): GcraParams => ({ emission: interval / rate, burst, maxWait });

describe('gcra (the pure decision)', () => {
  it('admits a burst at once, then one call per emission interval', () => {
    const limits = params(10, 1_000, 3);
    let tat = -Infinity;
    const decisions = [0, 0, 0, 0].map(() => {
      const decision = gcra(tat, 0, limits);
      tat = decision.tat;
      return decision.allowed ? 'ok' : decision.retryAfter;
    });
    expect(decisions).toEqual(['ok', 'ok', 'ok', 100]);
    expect(gcra(tat, 99, limits)).toMatchObject({ allowed: false, retryAfter: 1 });
    expect(gcra(tat, 100, limits)).toMatchObject({ allowed: true, delay: 0, tat: 400 });
  });

  it('leaves the state alone on a rejection', () => {
    const limits = params(1, 1_000, 1);
    const first = gcra(-Infinity, 0, limits);
    expect(first).toEqual({ allowed: true, tat: 1_000, delay: 0 });
    expect(gcra(first.tat, 500, limits)).toEqual({ allowed: false, tat: 1_000, retryAfter: 500 });
  });

  it('books a turn within maxWait: the state moves and the call waits', () => {
    const limits = params(1, 1_000, 1, 600);
    const first = gcra(-Infinity, 0, limits);
    const second = gcra(first.tat, 500, limits);
    expect(second).toEqual({ allowed: true, tat: 2_000, delay: 500 });
    expect(gcra(second.tat, 500, limits)).toEqual({ allowed: false, tat: 2_000, retryAfter: 1_500 });
  });

  it('counts the calls that would pass at once', () => {
    const limits = params(10, 1_000, 5);
    expect(gcraRemaining(-Infinity, 0, limits)).toBe(5);
    expect(gcraRemaining(300, 0, limits)).toBe(2);
    expect(gcraRemaining(300, 250, limits)).toBe(4);
    expect(gcraRemaining(1_000, 0, limits)).toBe(0);
  });

  it('retryAfter lands on the admission whatever the floating-point rounding of now + retryAfter', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1e7, noNaN: true }),
        fc.double({ min: 1e-3, max: 1e4, noNaN: true }),
        fc.double({ min: 1, max: 50, noNaN: true }),
        fc.double({ min: 1e-6, max: 1e5, noNaN: true }),
        (now, emission, burst, ahead) => {
          const limits = { emission, burst, maxWait: 0 };
          const tat = now + burst * emission + ahead;
          const decision = gcra(tat, now, limits);
          if (decision.allowed) return;
          expect(gcra(tat, now + decision.retryAfter, limits).allowed).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });
});
