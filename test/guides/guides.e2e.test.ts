import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runScript, type ScriptRun } from '../helpers/run-script.js';

interface GuideRun extends ScriptRun {
  /** The figures of the script's last line, `RESULT {...}`. */
  readonly result: Record<string, unknown>;
}

/** Runs `examples/<name>/index.ts` as its own process, as `npm run guide:<name>` does. */
async function runGuide(name: string): Promise<GuideRun> {
  const run = await runScript(fileURLToPath(new URL(`../../examples/${name}/index.ts`, import.meta.url)));
  const line = run.output.split('\n').find((l) => l.startsWith('RESULT '));
  const result = line === undefined ? {} : (JSON.parse(line.slice('RESULT '.length)) as Record<string, unknown>);
  return { ...run, result };
}

describe('the guides in examples/, each run as a process', () => {
  it('database-outage: the breaker opens, the replica serves every read, the probes close it once the primary is back', async () => {
    const { code, output, result } = await runGuide('database-outage');
    expect(code, output).toBe(0);
    expect(result).toMatchObject({ guide: 'database-outage', callerErrors: 0, opened: true, closedAfterRecovery: true, finalState: 'closed' });
    expect(result.transitions).toEqual(expect.arrayContaining(['closed->open', 'half-open->closed']));
    const n = result as Record<
      | 'openedAtMs'
      | 'closedAtMs'
      | 'outageStartsMs'
      | 'outageEndsMs'
      | 'outageReads'
      | 'outageReadsFromReplica'
      | 'failedFast'
      | 'fastFailP50Ms'
      | 'waitedP50Ms'
      | 'probes'
      | 'maxProbesPerHalfOpen'
      | 'halfOpensDuringOutage',
      number
    >;
    // The script reports the switches' actual times (a timer fires late on a busy machine).
    expect(n.openedAtMs).toBeGreaterThan(n.outageStartsMs);
    expect(n.openedAtMs).toBeLessThan(n.outageEndsMs);
    expect(n.closedAtMs).toBeGreaterThan(n.outageEndsMs);
    // Every read sent and answered while the primary was down got the replica's copy.
    expect(n.outageReads).toBeGreaterThan(0);
    expect(n.outageReadsFromReplica).toBe(n.outageReads);
    // While open, reads fail fast (no wait for the attempt timeout: the reads that waited for it
    // are far slower), and only probes reach the primary: at most maxCalls per half-open period.
    expect(n.failedFast).toBeGreaterThan(0);
    expect(n.fastFailP50Ms).toBeLessThan(n.waitedP50Ms);
    expect(n.probes).toBeLessThanOrEqual(n.maxProbesPerHalfOpen * n.halfOpensDuringOutage);
    expect(n.probes).toBeLessThan(n.failedFast);
  });

  it('slow-checkout: with a timeout and a bulkhead, checkout stays fast and the calls to the slow API stay bounded', async () => {
    const { code, output, result } = await runGuide('slow-checkout');
    expect(code, output).toBe(0);
    const r = result as {
      slowLatencyMs: number;
      concurrency: number;
      unprotected: { slowP99Ms: number; peakInFlight: number; failed: number };
      protected: { slowP99Ms: number; peakInFlight: number; failed: number; flatRate: number; timeouts: number; rejected: number };
    };
    // Unprotected, checkout's latency follows the slow dependency and the calls pile up.
    expect(r.unprotected.slowP99Ms).toBeGreaterThanOrEqual(r.slowLatencyMs);
    expect(r.unprotected.peakInFlight).toBeGreaterThan(2 * r.concurrency);
    // Protected, checkout's p99 stays below it (the timeout is a fifth of it: room for a busy
    // machine), every checkout completes, the calls stay bounded.
    expect(r.protected.slowP99Ms).toBeLessThan(r.slowLatencyMs);
    expect(r.protected.failed).toBe(0);
    expect(r.protected.peakInFlight).toBeLessThanOrEqual(r.concurrency);
    expect(r.protected.flatRate).toBe(r.protected.timeouts + r.protected.rejected);
    expect(r.protected.timeouts).toBeGreaterThan(0);
    expect(r.protected.rejected).toBeGreaterThan(0);
  });

  it('latency-degradation: the slow-call rate opens the breaker before any error, and it closes after the restart; the adaptive limit falls and recovers', async () => {
    const { code, output, result } = await runGuide('latency-degradation');
    expect(code, output).toBe(0);
    const r = result as {
      opened: boolean;
      openedAtMs: number;
      errorsFromMs: number;
      firstErrorAtMs: number | null;
      failuresBeforeOpen: number;
      windowAtOpen: { calls: number; slowCalls: number; failures: number; slowCallRate: number };
      slowCallRateThreshold: number;
      timeouts: number;
      callerErrors: number;
      closedAfterRecovery: boolean;
    };
    expect(r.opened).toBe(true);
    expect(r.openedAtMs).toBeLessThan(r.errorsFromMs);
    expect(r.failuresBeforeOpen).toBe(0);
    expect(r.windowAtOpen.failures).toBe(0);
    expect(r.windowAtOpen.slowCallRate).toBeGreaterThanOrEqual(r.slowCallRateThreshold);
    expect(r.timeouts).toBe(0);
    expect(r.callerErrors).toBe(0);
    expect(r.closedAfterRecovery).toBe(true);

    // The adaptive client: its limit falls as the latency rises, and recovers after the restart.
    const a = (result as { adaptive: Record<'initialLimit' | 'slowFromMs' | 'lowestLimitBeforeRestart' | 'lowestLimitAtMs' | 'limitAtRestart' | 'finalLimit' | 'callerErrors' | 'turnedAway', number> }).adaptive;
    expect(output).toMatch(/limit +\d+ -> +\d+ +\(window RTT/);
    expect(a.lowestLimitBeforeRestart).toBeLessThanOrEqual(a.initialLimit / 2);
    expect(a.lowestLimitAtMs).toBeGreaterThan(a.slowFromMs);
    expect(a.limitAtRestart).toBeLessThanOrEqual(a.initialLimit / 2);
    expect(a.finalLimit).toBeGreaterThan(a.limitAtRestart);
    expect(a.finalLimit).toBeGreaterThanOrEqual(a.initialLimit / 2);
    expect(a.turnedAway).toBeGreaterThan(0);
    expect(a.callerErrors).toBe(0);
  });
});
