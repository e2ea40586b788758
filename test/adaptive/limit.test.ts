import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { aimd } from '../../src/adaptive/aimd.js';
import { gradient2 } from '../../src/adaptive/gradient2.js';
import {
  initialLimitState,
  nextLimitState,
  REMEASURE_AFTER_WINDOWS,
  type LimitAlgorithm,
  type LimitAlgorithmName,
  type LimitSettings,
  type LimitState,
  type LimitWindow,
} from '../../src/adaptive/limit.js';
import { vegas } from '../../src/adaptive/vegas.js';

const ALGORITHMS: Record<LimitAlgorithmName, LimitAlgorithm> = { gradient2, vegas, aimd };
const NAMES = Object.keys(ALGORITHMS) as LimitAlgorithmName[];
const SETTINGS: LimitSettings = { initial: 20, min: 1, max: 1000, tolerance: 1.25 };

/** A window of `rtt` ms with `inflight` calls at most, without drops. */
const at = (rtt: number, inflight = 1000): LimitWindow => ({ rtt, inflight, dropped: false });

/** The state after `windows`, from the start. */
function run(algorithm: LimitAlgorithm, windows: readonly LimitWindow[], settings = SETTINGS, from = initialLimitState(settings)): LimitState {
  return windows.reduce((state, window) => nextLimitState(state, window, settings, algorithm), from);
}

const propose = (limit: number): LimitAlgorithm => () => limit;

describe('nextLimitState: the rules every algorithm follows', () => {
  it('takes the first window as the baseline, and any lower window after', () => {
    const first = run(gradient2, [at(30)]);
    expect(first.minRtt).toBe(30);
    expect(first.sampleRtt).toBe(30);
    expect(run(gradient2, [at(30), at(20), at(25)]).minRtt).toBe(20);
  });

  it('never raises the limit on a window past the tolerance or with a drop, whatever the algorithm proposes', () => {
    const from = { ...initialLimitState(SETTINGS), minRtt: 10 };
    expect(nextLimitState(from, at(12.6), SETTINGS, propose(50)).limit).toBe(20);
    expect(nextLimitState(from, { rtt: 10, inflight: 20, dropped: true }, SETTINGS, propose(50)).limit).toBe(20);
    expect(nextLimitState(from, at(40), SETTINGS, propose(5)).limit).toBe(5);
  });

  it('never lowers the limit on a window within the tolerance', () => {
    const from = { ...initialLimitState(SETTINGS), minRtt: 10 };
    expect(nextLimitState(from, at(12.5), SETTINGS, propose(5)).limit).toBe(20);
  });

  it('lets a window that used less than half the limit raise it back to initial, not beyond', () => {
    const low = { ...initialLimitState(SETTINGS), minRtt: 10, limit: 8 };
    expect(nextLimitState(low, at(10, 2), SETTINGS, propose(50)).limit).toBe(20);
    const atInitial = { ...low, limit: 20 };
    expect(nextLimitState(atInitial, at(10, 9), SETTINGS, propose(50)).limit).toBe(20);
    expect(nextLimitState(atInitial, at(10, 10), SETTINGS, propose(50)).limit).toBe(50);
  });

  it('keeps the limit in [min, max] and ignores a proposal that is not a number', () => {
    const from = { ...initialLimitState(SETTINGS), minRtt: 10 };
    expect(nextLimitState(from, at(10), SETTINGS, propose(5_000)).limit).toBe(1000);
    expect(nextLimitState(from, at(100), SETTINGS, propose(-3)).limit).toBe(1);
    expect(nextLimitState(from, at(10), SETTINGS, propose(NaN)).limit).toBe(20);
  });

  it(`re-measures the baseline after ${REMEASURE_AFTER_WINDOWS} windows at min: a dependency slower for good is not held at min forever`, () => {
    const stuck = run(gradient2, [at(10), ...Array.from({ length: 40 }, () => at(100))]);
    expect(stuck.limit).toBeGreaterThan(SETTINGS.min);
    expect(stuck.minRtt).toBe(100);
    // Once re-measured, the slower dependency gets a limit that grows again.
    const recovered = run(gradient2, Array.from({ length: 40 }, () => at(100)), SETTINGS, stuck);
    expect(recovered.limit).toBeGreaterThanOrEqual(SETTINGS.initial);
  });
});

describe('the anchors\' defects, not repeated', () => {
  /** A dependency of capacity `capacity` whose RTT grows with queueing: the RTT of a window run at `limit`. */
  const queueing = (capacity: number, serviceMs: number) => (limit: number) => at(serviceMs * Math.max(1, Math.floor(limit) / capacity), Math.floor(limit));

  it('gradient2 does not grow without bound under modest overload (Netflix concurrency-limits PR #134)', () => {
    // The RTT at 1 / 0.8 of the tolerance: the gradient is 0.8, and no queue headroom is added.
    const from: LimitState = { ...initialLimitState(SETTINGS), minRtt: 10, limit: 100 };
    expect(nextLimitState(from, at(12.5 / 0.8), SETTINGS, gradient2).limit).toBe(90);
    // Against a queueing dependency of capacity 40, every algorithm settles near it, for good.
    for (const name of NAMES) {
      const dependency = queueing(40, 20);
      let s = initialLimitState(SETTINGS);
      let highest = 0;
      for (let i = 0; i < 10_000; i++) {
        s = nextLimitState(s, dependency(s.limit), SETTINGS, ALGORITHMS[name]);
        if (i > 100) highest = Math.max(highest, s.limit);
      }
      expect(highest, name).toBeLessThan(40 * 1.25 + 20);
      expect(s.limit, name).toBeGreaterThanOrEqual(35);
    }
  });

  it('normal variance within the 25 % buffer over minRtt never lowers the limit (Envoy)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...NAMES), fc.array(fc.double({ min: 1, max: 1.25, noNaN: true }), { minLength: 1, maxLength: 200 }), (name, factors) => {
        const from: LimitState = { ...initialLimitState(SETTINGS), minRtt: 10 };
        let state = from;
        for (const factor of factors) {
          const next = nextLimitState(state, at(10 * factor), SETTINGS, ALGORITHMS[name]);
          expect(next.limit).toBeGreaterThanOrEqual(state.limit);
          state = next;
        }
      }),
      { numRuns: 100 },
    );
  });

  it('gradient2 clamps its gradient to [0.5, 2]: one window 100 times slower cuts the limit by a quarter at most', () => {
    const from: LimitState = { ...initialLimitState(SETTINGS), minRtt: 10, limit: 100 };
    expect(nextLimitState(from, at(1_000), SETTINGS, gradient2).limit).toBe(75);
    // With a tolerance of 3, a window at the baseline has a raw gradient of 3: it counts as 2.
    const wide = { ...SETTINGS, tolerance: 3 };
    expect(nextLimitState(from, at(10), wide, gradient2).limit).toBeCloseTo(100 + 0.5 * (200 + 10 - 100), 6);
  });

  it('a success at the maximum keeps the limit at the maximum (Netflix concurrency-limits #155)', () => {
    for (const name of NAMES) {
      const settings = { ...SETTINGS, max: 30, initial: 30 };
      const state = run(ALGORITHMS[name], Array.from({ length: 50 }, () => at(10)), settings);
      expect(state.limit, name).toBe(30);
    }
  });
});

describe('properties', () => {
  const window = fc.record({
    rtt: fc.oneof(fc.double({ min: 0.1, max: 10_000, noNaN: true }), fc.constant(NaN)),
    inflight: fc.integer({ min: 0, max: 2_000 }),
    dropped: fc.boolean(),
  }).map((w) => (Number.isNaN(w.rtt) ? { ...w, dropped: true } : w));
  const settings = fc
    .record({ min: fc.integer({ min: 1, max: 50 }), span: fc.integer({ min: 0, max: 500 }), at: fc.double({ min: 0, max: 1, noNaN: true }), tolerance: fc.double({ min: 1.05, max: 3, noNaN: true }) })
    .map(({ min, span, at: where, tolerance }) => ({ min, max: min + span, initial: min + Math.round(span * where), tolerance }));

  it('the limit stays within [min, max]', () => {
    fc.assert(
      fc.property(fc.constantFrom(...NAMES), settings, fc.array(window, { maxLength: 100 }), (name, s, windows) => {
        let state = initialLimitState(s);
        for (const w of windows) {
          state = nextLimitState(state, w, s, ALGORITHMS[name]);
          expect(state.limit).toBeGreaterThanOrEqual(s.min);
          expect(state.limit).toBeLessThanOrEqual(s.max);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('the limit never grows while the latency rises past the tolerance', () => {
    fc.assert(
      fc.property(fc.constantFrom(...NAMES), settings, fc.array(window, { maxLength: 30 }), fc.array(fc.double({ min: 1.0001, max: 2, noNaN: true }), { minLength: 1, maxLength: 50 }), (name, s, history, rises) => {
        let state = run(ALGORITHMS[name], history, s);
        if (!Number.isFinite(state.minRtt)) state = nextLimitState(state, at(10), s, ALGORITHMS[name]);
        let rtt = state.minRtt * s.tolerance;
        for (const rise of rises) {
          rtt *= rise;
          const next = nextLimitState(state, at(rtt, 2_000), s, ALGORITHMS[name]);
          // Past the tolerance of the baseline it held, the limit did not grow; a limit held at min
          // for a while may re-measure the baseline, and is judged against that one from then on.
          if (rtt > s.tolerance * state.minRtt) expect(next.limit).toBeLessThanOrEqual(state.limit);
          state = next;
        }
      }),
      { numRuns: 200 },
    );
  });

  it('until a re-measure (after windows at min), the limit never grows while the latency rises from the baseline past the tolerance', () => {
    fc.assert(
      fc.property(fc.constantFrom(...NAMES), fc.integer({ min: 2, max: 200 }), fc.array(fc.double({ min: 1.0001, max: 1.5, noNaN: true }), { minLength: 1, maxLength: 50 }), (name, limit, rises) => {
        const s = { ...SETTINGS, min: 1, max: 1000, initial: Math.min(limit, 1000) };
        let state: LimitState = { ...initialLimitState(s), minRtt: 10, limit };
        let rtt = 10 * s.tolerance;
        for (const rise of rises) {
          if (state.windowsAtMin >= REMEASURE_AFTER_WINDOWS) break;
          rtt *= rise;
          const next = nextLimitState(state, at(rtt, 2_000), s, ALGORITHMS[name]);
          expect(next.limit).toBeLessThanOrEqual(state.limit);
          state = next;
        }
      }),
      { numRuns: 200 },
    );
  });

  it('the limit returns to the initial region after a recovery, whatever happened before and however little the traffic', () => {
    fc.assert(
      fc.property(fc.constantFrom(...NAMES), settings, fc.array(window, { maxLength: 60 }), fc.boolean(), (name, s, incident, busy) => {
        let state = run(ALGORITHMS[name], incident, s);
        const healthy = Number.isFinite(state.minRtt) ? state.minRtt : 10;
        for (let i = 0; i < 10 + 2 * s.initial; i++) state = nextLimitState(state, at(healthy, busy ? 2_000 : 0), s, ALGORITHMS[name]);
        expect(state.limit).toBeGreaterThanOrEqual(s.initial);
      }),
      { numRuns: 200 },
    );
  });
});
