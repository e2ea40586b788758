import { describe, expect, it } from 'vitest';
import type { DemoReport, DemoRun, PhaseName } from '../../examples/cascade/report-types.js';
import { renderTable } from '../../examples/cascade/table.js';

const PHASES: PhaseName[] = ['steady', 'outage', 'recovered'];

function run(degraded: number): DemoRun {
  const figures = { needsAuth: true, requests: 100, ok: 80, degraded, successRate: 0.8, p50Ms: 12, p99Ms: 600 };
  const phase = { endpoints: { '/profile': figures }, authCalls: 10, authCallsPerRequest: 0.1 };
  return { phases: { steady: phase, outage: phase, recovered: phase }, recoverySeconds: 0.3, timeline: [], loadLagP99Ms: 3 };
}

describe('the demo table', () => {
  it('shows the fallback column as the share of successes a fallback served, and says so under the table', () => {
    const report: DemoReport = {
      scenario: 'auth-outage',
      quick: true,
      ratePerSecond: 150,
      phases: PHASES.map((name, i) => ({ name, startS: 4 * i, endS: 4 * (i + 1) })),
      runs: { naive: run(0), protected: run(60) },
    };
    const table = renderTable(report);
    expect(table).toMatch(/\/profile\s+yes\s+80\.0 %\s+0 %\s+12 ms\s+600 ms\s+│\s+80\.0 %\s+75 %/);
    expect(table).toMatch(/^fallback {2}of those successes, the share a fallback served/m);
    expect(table).toMatch(/^success {3}requests answered 2xx within the client deadline$/m);
  });
});
