import { describe, expect, it } from 'vitest';
import { BulkheadRejectedError, FirebreakError, isFastFail, TimeoutError } from '../../src/index.js';

describe('isFastFail', () => {
  it('is true for every BulkheadRejectedError, full and queue-timeout alike', () => {
    expect(isFastFail(new BulkheadRejectedError('auth', 'full'))).toBe(true);
    expect(isFastFail(new BulkheadRejectedError('auth', 'queue-timeout'))).toBe(true);
  });

  it('is true for a circuit-open error, matched by its code', () => {
    expect(isFastFail(new FirebreakError('ERR_CIRCUIT_OPEN', 'auth: circuit open'))).toBe(true);
  });

  it('recognises the errors of another copy of the package (same Symbol.for brand, other class)', () => {
    const foreign = Object.assign(new Error('auth: bulkhead full'), { code: 'ERR_BULKHEAD_REJECTED' });
    Object.defineProperty(foreign, Symbol.for('firebreak.error.code'), { value: 'ERR_BULKHEAD_REJECTED' });
    expect(isFastFail(foreign)).toBe(true);
  });

  it('is false for timeouts, plain errors, look-alikes without the brand and non-errors', () => {
    expect(isFastFail(new TimeoutError('auth', 100))).toBe(false);
    expect(isFastFail(new Error('boom'))).toBe(false);
    expect(isFastFail(Object.assign(new Error('x'), { code: 'ERR_BULKHEAD_REJECTED' }))).toBe(false);
    expect(isFastFail('ERR_CIRCUIT_OPEN')).toBe(false);
    expect(isFastFail(undefined)).toBe(false);
  });
});
