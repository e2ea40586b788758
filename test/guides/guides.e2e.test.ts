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
    const { code, output, elapsedMs, result } = await runGuide('database-outage');
    expect(code, output).toBe(0);
    expect(elapsedMs).toBeLessThan(10_000);
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
      | 'fastFailP99Ms'
      | 'attemptTimeoutMs'
      | 'primaryRequestsDuringOutage'
      | 'primaryRequestsBeforeOpen'
      | 'halfOpensDuringOutage',
      number
    >;
    expect(n.openedAtMs).toBeGreaterThan(n.outageStartsMs);
    expect(n.openedAtMs).toBeLessThan(n.outageEndsMs);
    expect(n.closedAtMs).toBeGreaterThan(n.outageEndsMs);
    // Every read made during the outage got the replica's copy.
    expect(n.outageReads).toBeGreaterThan(0);
    expect(n.outageReadsFromReplica).toBe(n.outageReads);
    // While open, reads fail fast (no wait for the 250 ms timeout) and only probes reach the primary:
    // at most 2 per half-open period, and 1 read admitted just before the opening may arrive after it.
    expect(n.failedFast).toBeGreaterThan(0);
    expect(n.fastFailP99Ms).toBeLessThan(n.attemptTimeoutMs);
    expect(n.primaryRequestsDuringOutage - n.primaryRequestsBeforeOpen).toBeLessThanOrEqual(2 * n.halfOpensDuringOutage + 1);
    expect(n.primaryRequestsDuringOutage - n.primaryRequestsBeforeOpen).toBeLessThan(n.failedFast);
  });

  it('slow-checkout: with a timeout and a bulkhead, checkout stays fast and the calls to the slow API stay bounded', async () => {
    const { code, output, elapsedMs, result } = await runGuide('slow-checkout');
    expect(code, output).toBe(0);
    expect(elapsedMs).toBeLessThan(10_000);
    const r = result as {
      slowLatencyMs: number;
      concurrency: number;
      unprotected: { slowP99Ms: number; peakInFlight: number; failed: number };
      protected: { slowP99Ms: number; peakInFlight: number; failed: number; flatRate: number; timeouts: number; rejected: number };
    };
    // Unprotected, checkout's latency follows the slow dependency and the calls pile up.
    expect(r.unprotected.slowP99Ms).toBeGreaterThanOrEqual(r.slowLatencyMs);
    expect(r.unprotected.peakInFlight).toBeGreaterThan(2 * r.concurrency);
    // Protected, checkout's p99 stays well below it, every checkout completes, the calls stay bounded.
    expect(r.protected.slowP99Ms).toBeLessThan(r.slowLatencyMs / 2);
    expect(r.protected.failed).toBe(0);
    expect(r.protected.peakInFlight).toBeLessThanOrEqual(r.concurrency);
    expect(r.protected.flatRate).toBe(r.protected.timeouts + r.protected.rejected);
    expect(r.protected.timeouts).toBeGreaterThan(0);
    expect(r.protected.rejected).toBeGreaterThan(0);
  });

  it('latency-degradation: the slow-call rate opens the breaker before any error, and it closes after the restart; the adaptive limit falls and recovers', async () => {
    const { code, output, elapsedMs, result } = await runGuide('latency-degradation');
    expect(code, output).toBe(0);
    // A bound on a hung run (the guide takes about 6 s), generous for a loaded machine.
    expect(elapsedMs).toBeLessThan(15_000);
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
