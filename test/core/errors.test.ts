import { describe, expect, it, vi } from 'vitest';
import { FirebreakError, InvalidOptionError, TimeoutError } from '../../src/index.js';

describe('errors', () => {
  it('carry a literal name, a stable code and a cause', () => {
    const cause = new Error('root');
    const error = new TimeoutError('auth', 100, { cause });
    expect(error.name).toBe('TimeoutError');
    expect(error.code).toBe('ERR_TIMEOUT');
    expect(error.cause).toBe(cause);
    expect(error).toBeInstanceOf(Error);
    expect(error).toBeInstanceOf(FirebreakError);
    expect(error).not.toBeInstanceOf(InvalidOptionError);
    expect(String(error)).toBe('TimeoutError: auth: timed out after 100 ms');
  });

  it('instanceof works across two copies of the package', async () => {
    vi.resetModules();
    const copy = await import('../../src/errors/timeout-error.js');
    const base = await import('../../src/errors/firebreak-error.js');
    expect(copy.TimeoutError).not.toBe(TimeoutError);
    const foreign = new copy.TimeoutError('auth', 1);
    expect(foreign).toBeInstanceOf(TimeoutError);
    expect(foreign).toBeInstanceOf(FirebreakError);
    expect(new TimeoutError('auth', 1)).toBeInstanceOf(copy.TimeoutError);
    expect(new TimeoutError('auth', 1)).toBeInstanceOf(base.FirebreakError);
    expect(new InvalidOptionError('f', 'o', 'x', 1)).not.toBeInstanceOf(copy.TimeoutError);
  });

  it('instanceof is false for lookalikes and primitives', () => {
    expect({ code: 'ERR_TIMEOUT' }).not.toBeInstanceOf(TimeoutError);
    expect((null as unknown) instanceof FirebreakError).toBe(false);
    expect(('ERR_TIMEOUT' as unknown) instanceof FirebreakError).toBe(false);
  });

  it('can skip the stack trace for cheap fast-fail errors', () => {
    const cheap = new FirebreakError('ERR_X', 'fast', { captureStack: false });
    expect(cheap.stack).toBe('FirebreakError: fast');
    expect(Error.stackTraceLimit).toBeGreaterThan(0);
  });

  it('InvalidOptionError names the factory, the option and the value', () => {
    const error = new InvalidOptionError('circuitBreaker', 'failureRateThreshold', 'a number in (0, 1]', 1.5);
    expect(error.message).toBe('circuitBreaker: `failureRateThreshold` must be a number in (0, 1], got 1.5');
    expect(error).toMatchObject({ code: 'ERR_INVALID_OPTION', factory: 'circuitBreaker', option: 'failureRateThreshold', value: 1.5 });
  });
});

describe('fast-fail errors', () => {
  it('format their message only when it is read, and show it in their string and stack', async () => {
    const { CircuitOpenError, BulkheadRejectedError } = await import('../../src/index.js');
    const open = new CircuitOpenError('auth', 1_234.5);
    expect(Object.getOwnPropertyNames(open)).not.toContain('message');
    expect(open.message).toBe('auth: circuit open, retry after 1235 ms');
    expect(String(open)).toBe('CircuitOpenError: auth: circuit open, retry after 1235 ms');
    expect(open.stack).toContain('CircuitOpenError: auth: circuit open');
    expect(new BulkheadRejectedError('db', 'queue-timeout').message).toBe('db: waited too long in the bulkhead queue');
  });

  it('carry their brand on the prototype, not on each instance', async () => {
    const { CircuitOpenError } = await import('../../src/index.js');
    const open = new CircuitOpenError('auth', 1);
    expect(Object.getOwnPropertySymbols(open)).toEqual([]);
    expect(open).toBeInstanceOf(CircuitOpenError);
    expect(new FirebreakError('ERR_CUSTOM', 'own code')).toBeInstanceOf(FirebreakError);
    expect(Object.getOwnPropertySymbols(new FirebreakError('ERR_CUSTOM', 'own code'))).toHaveLength(1);
  });
});

describe('fast-fail errors made without their constructor', () => {
  it('are instances of their class and of Error, with their fields, message and a one-line stack', async () => {
    const { circuitOpenError } = await import('../../src/errors/circuit-open-error.js');
    const { bulkheadRejectedError } = await import('../../src/errors/bulkhead-rejected-error.js');
    const { CircuitOpenError, BulkheadRejectedError } = await import('../../src/index.js');
    const open = circuitOpenError('auth', 250, 'open');
    expect(open).toBeInstanceOf(CircuitOpenError);
    expect(open).toBeInstanceOf(FirebreakError);
    expect(open).toBeInstanceOf(Error);
    expect(open).toMatchObject({ name: 'CircuitOpenError', code: 'ERR_CIRCUIT_OPEN', policy: 'auth', retryAfter: 250, state: 'open' });
    expect(open.message).toBe('auth: circuit open, retry after 250 ms');
    expect(open.stack).toBe('CircuitOpenError: auth: circuit open, retry after 250 ms');
    open.stack = 'rewritten by a logger';
    expect(open.stack).toBe('rewritten by a logger');
    const full = bulkheadRejectedError('db', 'full');
    expect(full).toBeInstanceOf(BulkheadRejectedError);
    expect(String(full)).toBe('BulkheadRejectedError: db: bulkhead full');
  });
});

describe('CircuitOpenError.retryAfter', () => {
  it('is whole milliseconds, rounded up, when the clock is fractional (as performance.now() is)', async () => {
    const { circuitBreaker, manualClock, CircuitOpenError } = await import('../../src/index.js');
    const clock = manualClock(0.123_456_789);
    const breaker = circuitBreaker({ window: { type: 'consecutive', failures: 1 }, openFor: 1_000, clock });
    await breaker.execute(() => Promise.reject(new Error('down'))).catch(() => undefined);
    clock.advance(0.25);
    const error: unknown = await breaker.execute(() => 'not called').catch((rejection: unknown) => rejection);
    expect(error).toBeInstanceOf(CircuitOpenError);
    expect((error as InstanceType<typeof CircuitOpenError>).retryAfter).toBe(1_000);
    expect(`${(error as Error).message}`).toBe('circuitBreaker: circuit open, retry after 1000 ms');
    expect(new CircuitOpenError('auth', 4_999.276_651).retryAfter).toBe(5_000);
  });
});
