import { describe, expect, it } from 'vitest';
import { ConsecutiveWindow } from '../../src/circuit-breaker/consecutive-window.js';
import { CountWindow } from '../../src/circuit-breaker/count-window.js';
import { TimeWindow } from '../../src/circuit-breaker/time-window.js';
import type { CallWindow } from '../../src/circuit-breaker/window.js';

const rules = { minimumCalls: 2, failureRateThreshold: 0.5, slowCallRateThreshold: 0.5 };
const counts = (window: CallWindow) => ({ calls: window.calls, failures: window.failures, slowCalls: window.slowCalls });

describe('call windows, as data', () => {
  it('consecutive: counts the current run of failures; a non-failure empties it', () => {
    const window = new ConsecutiveWindow(3);
    window.record(true, true);
    window.record(true, false);
    expect(counts(window)).toEqual({ calls: 2, failures: 2, slowCalls: 1 });
    expect(window.tripped()).toBe(false);
    window.record(false, true);
    expect(counts(window)).toEqual({ calls: 0, failures: 0, slowCalls: 0 });
    for (let i = 0; i < 3; i++) window.record(true, false);
    expect(window.tripped()).toBe(true);
  });

  it('count: evicts the oldest call, failures and slow calls alike', () => {
    const window = new CountWindow(2, { ...rules, failureRateThreshold: 1, slowCallRateThreshold: 1 });
    window.record(true, true);
    window.record(false, false);
    expect(counts(window)).toEqual({ calls: 2, failures: 1, slowCalls: 1 });
    window.record(false, false);
    expect(counts(window)).toEqual({ calls: 2, failures: 0, slowCalls: 0 });
    window.record(true, true);
    window.record(true, true);
    expect(counts(window)).toEqual({ calls: 2, failures: 2, slowCalls: 2 });
    expect(window.tripped()).toBe(true);
    window.clear();
    expect(counts(window)).toEqual({ calls: 0, failures: 0, slowCalls: 0 });
  });

  it('time: a call belongs to the bucket of its end; a bucket leaves whole', () => {
    const window = new TimeWindow(100, 4, rules);
    window.record(true, false, 0);
    window.record(false, true, 24);
    window.record(false, false, 25);
    window.advance(99);
    expect(counts(window)).toEqual({ calls: 3, failures: 1, slowCalls: 1 });
    window.advance(100);
    expect(counts(window)).toEqual({ calls: 1, failures: 0, slowCalls: 0 });
    window.advance(125);
    expect(counts(window)).toEqual({ calls: 0, failures: 0, slowCalls: 0 });
  });

  it('time: a window holding 100,000 successes records a failure and still counts exactly', () => {
    const window = new TimeWindow(10_000, 10, { ...rules, minimumCalls: 1 });
    for (let i = 0; i < 100_000; i++) window.record(false, false, i / 10);
    window.record(true, false, 9_999);
    expect(counts(window)).toEqual({ calls: 100_001, failures: 1, slowCalls: 0 });
    expect(window.tripped()).toBe(false);
    window.advance(9_999 + 10_000);
    expect(counts(window)).toEqual({ calls: 0, failures: 0, slowCalls: 0 });
  });

  it('time: rates trip at rate >= threshold once minimumCalls are in the window', () => {
    const window = new TimeWindow(1_000, 10, rules);
    window.record(true, false, 0);
    expect(window.tripped()).toBe(false);
    window.record(false, false, 0);
    expect(window.tripped()).toBe(true);
  });
});
