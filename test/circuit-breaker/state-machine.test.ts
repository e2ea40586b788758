import { describe, expect, it } from 'vitest';
import { ConsecutiveWindow } from '../../src/circuit-breaker/consecutive-window.js';
import {
  ADMITTED,
  BreakerMachine,
  TRANSITIONED,
  FAILURE,
  IGNORED,
  PROBE,
  REJECTED,
  SUCCESS,
  type CircuitState,
} from '../../src/circuit-breaker/state-machine.js';

function machine(maxProbes = 2) {
  const transitions: string[] = [];
  const m = new BreakerMachine(
    new ConsecutiveWindow(1),
    { maxProbes, slowProbeRate: Infinity, openFor: (opens) => 100 * opens },
    { [TRANSITIONED]: (from: CircuitState, to: CircuitState) => void transitions.push(`${from}->${to}`) },
  );
  return { m, transitions };
}

describe('breaker decisions, as data (no timers, no promises)', () => {
  it('admits, opens, turns half-open at openUntil, hands out maxProbes permits, closes', () => {
    const { m, transitions } = machine();
    expect(m.admit(0)).toBe(ADMITTED);
    m.record(m.generation, FAILURE, false, 5);
    expect(m.state).toBe('open');
    expect(m.openUntil).toBe(105);
    expect(m.admit(104)).toBe(REJECTED);
    expect(m.retryAfter(104)).toBe(1);
    expect(m.admit(105)).toBe(PROBE);
    const probes = m.generation;
    expect(m.admit(105)).toBe(PROBE);
    expect(m.admit(105)).toBe(REJECTED);
    expect(m.retryAfter(105)).toBe(0);
    m.record(probes, SUCCESS, false, 106);
    expect(m.admit(106)).toBe(REJECTED);
    m.record(probes, SUCCESS, false, 107);
    expect(m.state).toBe('closed');
    expect(m.opens).toBe(0);
    expect(transitions).toEqual(['closed->open', 'open->half-open', 'half-open->closed']);
  });

  it('an ignored probe frees its permit; a result of an older generation changes nothing', () => {
    const { m } = machine(1);
    const closedPeriod = m.generation;
    m.record(closedPeriod, FAILURE, false, 0);
    m.refresh(100);
    expect(m.state).toBe('half-open');
    expect(m.admit(100)).toBe(PROBE);
    m.record(m.generation, IGNORED, false, 101);
    expect(m.probesRunning).toBe(0);
    m.record(closedPeriod, SUCCESS, false, 102);
    expect(m.state).toBe('half-open');
    expect(m.admit(102)).toBe(PROBE);
    m.record(m.generation, FAILURE, false, 103);
    expect(m.state).toBe('open');
    expect(m.openUntil).toBe(303);
  });

  it('isolation: counted, released by epoch, ended by reset', () => {
    const { m } = machine();
    const epoch = m.isolate();
    m.isolate();
    expect(m.admit(0)).toBe(REJECTED);
    expect(m.retryAfter(0)).toBe(Infinity);
    m.release(epoch);
    expect(m.state).toBe('isolated');
    m.reset();
    expect(m.state).toBe('closed');
    m.isolate();
    m.release(epoch);
    expect(m.state).toBe('isolated');
  });
});
