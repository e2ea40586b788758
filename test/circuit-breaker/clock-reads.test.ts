import { describe, expect, it } from 'vitest';
import { circuitBreaker } from '../../src/index.js';
import { countingClock } from '../helpers/counting-clock.js';

describe('clock reads of a closed breaker', () => {
  it('a success through a consecutive or a count window reads no clock', async () => {
    const consecutive = countingClock();
    const byFailures = circuitBreaker({ window: { type: 'consecutive', failures: 3 }, clock: consecutive.clock });
    for (let i = 0; i < 5; i++) await byFailures.execute(() => i);
    expect(consecutive.reads()).toBe(0);
    const count = countingClock();
    const byCount = circuitBreaker({ window: { type: 'count', size: 10 }, clock: count.clock });
    for (let i = 0; i < 5; i++) await byCount.execute(() => i);
    expect(count.reads()).toBe(0);
  });

  it('a success that completes minimumCalls opens the circuit for the right time', async () => {
    const { clock, advance } = countingClock();
    const breaker = circuitBreaker({ window: { type: 'count', size: 2 }, minimumCalls: 2, failureRateThreshold: 0.2, openFor: 100, clock });
    await breaker.execute(() => Promise.reject(new Error('down'))).catch(() => undefined);
    await breaker.execute(() => 'ok');
    expect(breaker.state).toBe('open');
    advance(100);
    expect(breaker.state).toBe('half-open');
  });

  it('a failure still reads the clock, so that the circuit opens for the right time', async () => {
    const { clock, reads, advance } = countingClock();
    const breaker = circuitBreaker({ window: { type: 'consecutive', failures: 1 }, openFor: 1_000, clock });
    advance(500);
    await breaker.execute(() => Promise.reject(new Error('down'))).catch(() => undefined);
    expect(reads()).toBeGreaterThan(0);
    expect(breaker.state).toBe('open');
    advance(999);
    expect(breaker.state).toBe('open');
    advance(1);
    expect(breaker.state).toBe('half-open');
  });

  it('times calls when slow calls, a time window or a success listener need it', async () => {
    const slow = countingClock();
    await circuitBreaker({ window: { type: 'count', size: 10 }, slowCallDuration: 100, clock: slow.clock }).execute(() => 1);
    expect(slow.reads()).toBe(2);

    const timed = countingClock();
    await circuitBreaker({ window: { type: 'time', duration: 1_000 }, clock: timed.clock }).execute(() => 1);
    expect(timed.reads()).toBeGreaterThan(0);

    const observed = countingClock();
    const breaker = circuitBreaker({ window: { type: 'count', size: 10 }, clock: observed.clock });
    const durations: number[] = [];
    breaker.onSuccess(({ duration }) => durations.push(duration));
    const call = breaker.execute(() => new Promise((resolve) => setTimeout(resolve, 1)));
    observed.advance(40);
    await call;
    expect(durations).toEqual([40]);
  });
});
