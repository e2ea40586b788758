/**
 * The auth outage with a fleet: `npm run demo:fleet` (about two and a half minutes) or
 * `npm run demo:fleet -- --quick` (about a minute).
 *
 * Three replicas of a gateway that validates every request with auth (each its own process,
 * examples/cascade/services/service.ts), behind a round-robin balancer, one auth service with a
 * fault switch, and one Redis (started here; Debian package `redis-server`). The same open-loop
 * traffic runs three times: naive (no timeouts, eager retries), firebreak in each replica alone,
 * and firebreak with the replicas' breakers and retry budgets in one fleet on Redis. In the middle
 * of each run auth hangs, then recovers.
 *
 * Options: `--quick`; `--fault hang|error|refuse|slow` (auth's fault in the outage, default
 * hang, as in `npm run demo`); `--json FILE` writes the figures; `--svg FILE` sets where the timeline
 * chart goes (default .tmp/fleet-timeline.svg).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { analyzeRun } from '../cascade/analysis.js';
import { ProcessGroup } from '../cascade/processes.js';
import type { DemoRun, PhaseName } from '../cascade/report-types.js';
import { phaseTimes, scenario, totalRate, type Scenario } from '../cascade/scenario.js';
import { FAULT_MODES, type FaultMode } from '../cascade/services/contracts.js';
import { renderSvg } from '../cascade/svg.js';
import { findRedisServer, startRedis } from './redis.js';
import { REPLICAS, runFleet, type FleetRunName } from './run.js';

/** The JSON report of `--json FILE`. */
export interface FleetDemoReport {
  readonly scenario: 'auth-outage-fleet';
  readonly quick: boolean;
  /** Auth's fault during the outage. */
  readonly fault: FaultMode;
  readonly replicas: number;
  readonly ratePerSecond: number;
  readonly phases: { name: PhaseName; startS: number; endS: number }[];
  readonly runs: Record<FleetRunName, DemoRun>;
}

const { values: args } = parseArgs({
  options: { quick: { type: 'boolean', default: false }, json: { type: 'string' }, svg: { type: 'string' }, fault: { type: 'string', default: 'hang' } },
});
const fault = args.fault as FaultMode;
if (!FAULT_MODES.includes(fault) || fault === 'healthy') {
  console.error(`--fault must be one of ${FAULT_MODES.filter((mode) => mode !== 'healthy').join(', ')}`);
  process.exit(1);
}

const binary = findRedisServer();
if (binary === undefined) {
  console.error('npm run demo:fleet needs redis-server on the PATH: install Debian\'s redis-server package (apt-get install -y redis-server).');
  process.exit(1);
}

/** The cascade's phases (auth's fault as chosen), with all the traffic on one endpoint that needs auth. */
const base = scenario(args.quick);
const s: Scenario = {
  ...base,
  endpoints: [{ path: '/profile', service: 'profile', needsAuth: true, ratePerSecond: 120 }],
  phases: base.phases.map((phase) => (phase.auth === 'healthy' ? phase : { ...phase, auth: fault })),
};
const group = new ProcessGroup(
  (line) => console.log(line),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
process.on('exit', () => group.killAllNow());

const LABELS: Record<FleetRunName, string> = {
  naive: 'naive: no timeouts, eager retries',
  local: 'firebreak in each replica alone',
  fleet: 'firebreak fleet: breakers and retry budgets shared through Redis',
};

function row(name: FleetRunName, run: DemoRun): string {
  const outage = run.phases.outage;
  const success = (phase: PhaseName): string => `${(100 * (run.phases[phase].endpoints['/profile']?.successRate ?? 0)).toFixed(1)} %`;
  const recovery = run.recoverySeconds === null ? 'never' : `${run.recoverySeconds.toFixed(1)} s`;
  return [name.padEnd(6), String(outage.authCalls).padStart(16), outage.authCallsPerRequest.toFixed(2).padStart(13), success('outage').padStart(15), success('recovered').padStart(17), recovery.padStart(12)].join('  ');
}

const redis = await startRedis(binary);
try {
  const phases = phaseTimes(s);
  console.log(`The auth outage (auth: ${fault}), ${REPLICAS} replicas behind a round-robin balancer, ${totalRate(s)} requests/s; ${phases.map((p) => `${p.name} ${p.startS}-${p.endS} s`).join(', ')}`);
  const runs = {} as Record<FleetRunName, DemoRun>;
  for (const name of ['naive', 'local', 'fleet'] as const) {
    console.log(`\n${LABELS[name]}`);
    const result = await runFleet(name, s, group, redis.port);
    runs[name] = { ...analyzeRun(result.samples, result.authCalls, { endpoints: s.endpoints, phases, deadlineMs: s.clientDeadlineMs }), loadLagP99Ms: result.loadLagP99Ms };
  }
  const report: FleetDemoReport = { scenario: 'auth-outage-fleet', quick: s.quick, fault, replicas: REPLICAS, ratePerSecond: totalRate(s), phases, runs };
  console.log(`\nrun     auth calls in the outage  per request  success (outage)  success (recovered)  recovery`);
  for (const name of ['naive', 'local', 'fleet'] as const) console.log(row(name, runs[name]));
  const svgPath = resolve(args.svg ?? fileURLToPath(new URL('../../.tmp/fleet-timeline.svg', import.meta.url)));
  mkdirSync(dirname(svgPath), { recursive: true });
  writeFileSync(svgPath, renderSvg(report, s.clientDeadlineMs, `The auth outage behind ${REPLICAS} replicas: naive, alone, fleet`));
  console.log(`\ntimeline: ${svgPath}`);
  if (args.json !== undefined) {
    const jsonPath = resolve(args.json);
    mkdirSync(dirname(jsonPath), { recursive: true });
    writeFileSync(jsonPath, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`figures:  ${jsonPath}`);
  }
} finally {
  await group.stopAll();
  await redis.stop();
}
