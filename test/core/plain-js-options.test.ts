import { describe, expect, it } from 'vitest';
import { adaptiveBulkhead, bulkhead, chaos, circuitBreaker, constant, exponential, firebreak, InvalidOptionError, pipeline, retry, timeout } from '../../src/index.js';

/** Calls `build` with options as plain JavaScript may pass them, past the types. */
function refused(build: () => unknown): InvalidOptionError {
  try {
    build();
  } catch (error) {
    if (error instanceof InvalidOptionError) return error;
    throw error;
  }
  throw new Error('built without complaint');
}

const loose = (value: unknown): never => value as never;

describe('options that plain JavaScript users get wrong are refused at the factory, with a message that says what to do', () => {
  it('pipeline(42): each argument must be a policy', () => {
    const error = refused(() => pipeline(timeout(100), loose(42)));
    expect(error).toMatchObject({ factory: 'pipeline', option: 'policies[1]', value: 42 });
    expect(error.message).toBe('pipeline: `policies[1]` must be a policy (an object with an `execute` method, such as `timeout(1_000)`), got 42');
    expect(refused(() => pipeline(loose({ execute: 'no' })))).toMatchObject({ option: 'policies[0]' });
  });

  it('backoff: exponential or constant passed uncalled', () => {
    expect(refused(() => retry({ backoff: loose(exponential) })).message).toBe(
      'retry: `backoff` must be a backoff: call the factory, as in `exponential()`, got a function',
    );
    expect(refused(() => retry({ backoff: loose(constant) })).message).toContain('`constant(100)`');
    expect(refused(() => firebreak('auth', { retry: { backoff: loose(exponential) } }))).toMatchObject({ factory: 'firebreak', option: 'retry.backoff' });
    expect(() => retry({ backoff: exponential() })).not.toThrow();
  });

  it('chaos.result without a value', () => {
    const error = refused(() => chaos.result(loose({ rate: 0.5 })));
    expect(error).toMatchObject({ factory: 'chaos.result', option: 'value' });
    expect(error.message).toContain('`() => undefined` injects undefined');
  });

  it('slowCallRateThreshold without slowCallDuration (no call would ever be slow)', () => {
    expect(refused(() => circuitBreaker({ slowCallRateThreshold: 0.5 }))).toMatchObject({ option: 'slowCallRateThreshold', value: 0.5 });
    expect(() => circuitBreaker({ slowCallRateThreshold: 0.5, slowCallDuration: 100 })).not.toThrow();
    expect(() => circuitBreaker({ slowCallDuration: 100 })).not.toThrow();
  });

  it('queueTimeout with queue: 0 (no caller ever waits)', () => {
    expect(refused(() => bulkhead({ concurrency: 2, queueTimeout: 100 })).message).toBe(
      'bulkhead: `queueTimeout` must be left out with `queue: 0` (no caller waits: give `queue` a size to use it), got 100',
    );
    expect(refused(() => bulkhead({ concurrency: 2, queue: 0, queueTimeout: 100 }))).toMatchObject({ option: 'queueTimeout' });
    expect(() => bulkhead({ concurrency: 2, queue: 1, queueTimeout: 100 })).not.toThrow();
    expect(refused(() => adaptiveBulkhead({ queueTimeout: 100 }))).toMatchObject({ factory: 'adaptiveBulkhead', option: 'queueTimeout' });
    expect(() => adaptiveBulkhead({ queue: 4, queueTimeout: 100 })).not.toThrow();
  });

  it('openFor: null and window: null are refused like every other null', () => {
    expect(refused(() => circuitBreaker({ openFor: loose(null) }))).toMatchObject({ option: 'openFor', value: null });
    expect(refused(() => circuitBreaker({ window: loose(null) }))).toMatchObject({ option: 'window', value: null });
    expect(refused(() => circuitBreaker({ minimumCalls: loose(null) }))).toMatchObject({ option: 'minimumCalls', value: null });
  });

  it('constant(ms) names its argument `ms`', () => {
    expect(refused(() => constant(-1)).message).toBe('constant: `ms` must be a number of milliseconds >= 0, got -1');
  });

  it('an unknown option: the message quotes its value, and suggests the option a typo meant', () => {
    expect(refused(() => retry(loose({ maxAtempts: 3 }))).message).toBe(
      'retry: `maxAtempts` is not an option of retry (did you mean `maxAttempts`? the options are name, maxAttempts, backoff, shouldHandle, budget, clock), got 3',
    );
    expect(refused(() => circuitBreaker(loose({ halfOpen: { maxcalls: 2 } }))).message).toContain(
      '`halfOpen.maxcalls` is not an option of circuitBreaker (did you mean `halfOpen.maxCalls`? the options of `halfOpen` are maxCalls, probeTimeout), got 2',
    );
    const unrelated = refused(() => timeout(loose({ duration: 1, colour: 'red' })));
    expect(unrelated).toMatchObject({ option: 'colour', value: 'red' });
    expect(unrelated.message).not.toContain('did you mean');
    expect(refused(() => firebreak('auth', loose({ circuitBreaker: { opnFor: 5 } }))).message).toContain(
      'firebreak: `circuitBreaker.opnFor` is not an option of circuitBreaker (did you mean `openFor`?',
    );
  });

  it("timeout('300') says that a number is expected", () => {
    expect(refused(() => timeout(loose('300'))).message).toBe(
      'timeout: `options` must be a number of milliseconds (the duration) or an object of options, got "300"',
    );
    expect(refused(() => firebreak('auth', { attemptTimeout: loose('300') })).message).toBe(
      'firebreak: `attemptTimeout` must be a number of milliseconds (the duration) or an object of options, got "300"',
    );
  });
});
