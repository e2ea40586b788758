import { describe, expect, it } from 'vitest';
import { aimd } from '../../src/adaptive/aimd.js';
import { gradient2 } from '../../src/adaptive/gradient2.js';
import type { AlgorithmInput, LimitAlgorithm } from '../../src/adaptive/limit.js';
import { vegas } from '../../src/adaptive/vegas.js';

type Row = readonly [string, Partial<AlgorithmInput>, number];

const base: AlgorithmInput = { limit: 20, rtt: 10, minRtt: 10, dropped: false, tolerance: 1.25 };

function table(algorithm: LimitAlgorithm, rows: readonly Row[]): void {
  it.each(rows)('%s', (_, input, expected) => {
    expect(algorithm({ ...base, ...input })).toBeCloseTo(expected, 6);
  });
}

describe('gradient2: tolerance × minRtt / rtt, clamped to [0.5, 2], half way to limit × gradient (+ √limit from gradient 1)', () => {
  table(gradient2, [
    ['RTT at the baseline: gradient 1.25, with headroom', {}, 20 + 0.5 * (25 + Math.sqrt(20) - 20)],
    ['RTT at the tolerance: gradient 1, headroom only', { rtt: 12.5 }, 20 + 0.5 * Math.sqrt(20)],
    ['modest overload (gradient 0.8): no headroom (Netflix PR #134)', { rtt: 15.625 }, 18],
    ['RTT five times the baseline: gradient clamped to 0.5', { rtt: 50 }, 15],
    ['a window far faster than the baseline: gradient clamped to 2', { rtt: 1 }, 20 + 0.5 * (40 + Math.sqrt(20) - 20)],
    ['a drop: gradient 0.5', { dropped: true }, 15],
    ['every call dropped (no RTT): gradient 0.5', { rtt: NaN, dropped: true }, 15],
    ['a wider tolerance: gradient 1.5 at the baseline', { tolerance: 1.5 }, 20 + 0.5 * (30 + Math.sqrt(20) - 20)],
  ]);
});

describe('vegas: queue estimate limit × (1 - tolerance × minRtt / rtt), steps of log10(limit) (at least 1)', () => {
  const limit = 100; // a step of 2
  table(vegas, [
    ['no queue: + 6 steps', { limit, rtt: 12.5 }, 112],
    ['a queue of 2 steps: + 1 step', { limit, rtt: 12.5 / 0.96 }, 102],
    ['a queue of 4 steps: unchanged', { limit, rtt: 12.5 / 0.92 }, 100],
    ['a queue of 10 steps: - 1 step', { limit, rtt: 12.5 / 0.8 }, 98],
    ['a drop: - 1 step', { limit, dropped: true }, 98],
    ['a small limit: a step of 1', { limit: 5 }, 11],
  ]);
});

describe('aimd: + 1 per window, × 0.9 on a drop or an RTT past the tolerance', () => {
  table(aimd, [
    ['within the tolerance: + 1', { rtt: 12.5 }, 21],
    ['past the tolerance: × 0.9', { rtt: 12.6 }, 18],
    ['a drop: × 0.9', { dropped: true }, 18],
    ['no RTT: × 0.9', { rtt: NaN, dropped: true }, 18],
  ]);
});
