import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DemoReport, PhaseName } from '../../examples/cascade/report-types.js';
import { servicePids, startDemo, stillRunning } from './demo-process.js';

const PHASES: PhaseName[] = ['steady', 'outage', 'recovered'];

/**
 * A run whose load generator sent its requests later than this (p99, ms) measured a machine too
 * busy to run ten processes at 150 requests a second (seen with a load average of 21 on two
 * cores), not the services: the demo is run again, once.
 */
const BUSY_LAG_MS = 200;

describe('npm run demo -- --quick: the auth outage, naive and protected, with real processes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'firebreak-cascade-'));
  let report: DemoReport;
  let output = '';
  let code: number | null;
  const targetsFile = join(dir, 'targets.json');
  let targets: { targets: string[]; labels: { service: string } }[] = [];

  const lag = (): number => Math.max(report.runs.naive.loadLagP99Ms, report.runs.protected.loadLagP99Ms);

  beforeAll(async () => {
    for (let attempt = 1; attempt <= 2; attempt++) {
      const demo = startDemo(['--quick', '--json', join(dir, 'report.json'), '--svg', join(dir, 'timeline.svg')], targetsFile);
      await demo.waitFor(/\[protected\] steady/);
      targets = JSON.parse(readFileSync(targetsFile, 'utf8')) as typeof targets;
      code = await demo.exited;
      output = demo.output();
      report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as DemoReport;
      if (code !== 0 || lag() <= BUSY_LAG_MS) break;
    }
  }, 240_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const endpoints = (needsAuth: boolean): string[] =>
    Object.entries(report.runs.naive.phases.outage.endpoints)
      .filter(([, figures]) => figures.needsAuth === needsAuth)
      .map(([path]) => path);

  it('exits cleanly, leaves no service running, and writes a report of the DemoReport shape', async () => {
    expect(code, output).toBe(0);
    const pids = servicePids(output);
    expect(pids).toHaveLength(10);
    expect(await stillRunning(pids)).toEqual([]);
    expect(report.scenario).toBe('auth-outage');
    expect(report.quick).toBe(true);
    expect(report.ratePerSecond).toBeGreaterThan(0);
    expect(report.phases.map((phase) => phase.name)).toEqual(PHASES);
    const endS = report.phases[2]?.endS ?? 0;
    for (const run of [report.runs.naive, report.runs.protected]) {
      expect(Object.keys(run.phases)).toEqual(PHASES);
      expect(run.timeline.map((point) => point.t)).toEqual(Array.from({ length: endS }, (_, t) => t));
    }
    expect(endpoints(true).length).toBeGreaterThanOrEqual(2);
    expect(endpoints(false).length).toBeGreaterThanOrEqual(1);
    expect(readFileSync(join(dir, 'timeline.svg'), 'utf8')).toMatch(/^<svg[\s\S]*<\/svg>\n$/);
  });

  // The bounds below judge shapes with room for a busy machine: with two CPU burners, a stall of
  // the load generator or the services makes every request of that second late (seen: a steady
  // phase at 87 %), while the effects measured here are far larger than that.
  it(`ran on a machine that kept up with the load (its generator at most ${BUSY_LAG_MS} ms late, p99), so that the figures describe the services`, () => {
    expect(lag(), 'the machine was too busy to judge the demo, twice').toBeLessThanOrEqual(BUSY_LAG_MS);
  });

  it('tells Prometheus to scrape the protected gateway and the services that call auth, and takes the targets back on exit', () => {
    expect(targets.map((group) => group.labels.service).sort()).toEqual(['gateway', ...endpoints(true)].map((name) => name.replace('/', '')).sort());
    for (const group of targets) expect(group.targets).toEqual([expect.stringMatching(/^127\.0\.0\.1:\d+$/)]);
    expect(existsSync(targetsFile)).toBe(false);
  });

  it('serves nearly everything in both runs before the outage', () => {
    for (const run of [report.runs.naive, report.runs.protected]) {
      for (const figures of Object.values(run.phases.steady.endpoints)) expect(figures.successRate).toBeGreaterThanOrEqual(0.75);
    }
  });

  it('naive: the outage takes down the endpoints that need no auth too; protected: they keep serving', () => {
    for (const path of endpoints(false)) {
      expect(report.runs.naive.phases.outage.endpoints[path]?.successRate).toBeLessThan(0.5);
      expect(report.runs.protected.phases.outage.endpoints[path]?.successRate).toBeGreaterThanOrEqual(0.9);
    }
  });

  it('protected: the endpoints that need auth serve users from the cached-token fallback during the outage', () => {
    for (const path of endpoints(true)) {
      const naive = report.runs.naive.phases.outage.endpoints[path];
      const guarded = report.runs.protected.phases.outage.endpoints[path];
      expect(naive?.successRate).toBeLessThan(0.1);
      expect(guarded?.successRate).toBeGreaterThan(0.6);
      expect(guarded?.degraded).toBeGreaterThan(0.8 * (guarded?.ok ?? 0));
      expect(guarded?.p50Ms).toBeLessThan((naive?.p50Ms ?? 0) / 2);
    }
  });

  it('protected: auth gets at most 1.2 calls per request in every phase, fewer than naive after recovery', () => {
    for (const phase of PHASES) expect(report.runs.protected.phases[phase].authCallsPerRequest).toBeLessThanOrEqual(1.2);
    expect(report.runs.protected.phases.recovered.authCallsPerRequest).toBeLessThan(report.runs.naive.phases.recovered.authCallsPerRequest);
  });

  it('protected recovers once auth comes back (seen: 0.3 s); naive later or not at all', () => {
    const guarded = report.runs.protected.recoverySeconds;
    const naive = report.runs.naive.recoverySeconds;
    expect(guarded).not.toBeNull();
    if (naive !== null) expect(naive).toBeGreaterThan(guarded ?? 0);
    for (const path of Object.keys(report.runs.naive.phases.recovered.endpoints)) {
      expect(report.runs.protected.phases.recovered.endpoints[path]?.successRate).toBeGreaterThan(report.runs.naive.phases.recovered.endpoints[path]?.successRate ?? 1);
    }
  });
});
