/**
 * The auth-service cascade, reproduced and fixed: `npm run demo` (about two minutes) or
 * `npm run demo -- --quick` (about half a minute).
 *
 * Real HTTP services, each in its own process on 127.0.0.1: a gateway; auth (finite capacity,
 * with a fault switch); profile and orders, which validate every request with auth; catalog,
 * which needs no auth. An open-loop load generator sends the same traffic twice: once to the
 * services wired as in the incident (naive: no timeouts, eager retries, one shared pool), once
 * to the same services with each dependency behind firebreak(). In the middle of each run auth
 * hangs, then recovers.
 *
 * Options: `--quick`; `--json FILE` writes the figures (a DemoReport); `--svg FILE` sets where
 * the timeline chart goes (default .tmp/cascade-timeline.svg).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { analyzeRun, type RunShape } from './analysis.js';
import { ProcessGroup } from './processes.js';
import { Progress } from './progress.js';
import type { DemoReport, DemoRun } from './report-types.js';
import { runOnce } from './run.js';
import { phaseTimes, scenario, totalRate } from './scenario.js';
import type { RunMode } from './services/contracts.js';
import { renderSvg } from './svg.js';
import { clearScrapeTargets } from './scrape-target.js';
import { renderTable } from './table.js';

/** A load generator this late (p99, ms) measures the machine more than the services. */
const BUSY_LAG_MS = 100;

const USAGE = 'usage: npm run demo -- [--quick] [--json FILE] [--svg FILE]';

function readArgs(): { quick: boolean; json?: string | undefined; svg?: string | undefined; help: boolean } {
  try {
    return parseArgs({
      options: { quick: { type: 'boolean', default: false }, json: { type: 'string' }, svg: { type: 'string' }, help: { type: 'boolean', default: false } },
    }).values;
  } catch (error) {
    // parseArgs says what is wrong (an unknown option, a missing value) in its message: no stack.
    console.error(`demo: ${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    process.exit(2);
  }
}

const args = readArgs();
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}

const s = scenario(args.quick);
const progress = new Progress();
let crashed: (error: Error) => void = () => undefined;
const crash = new Promise<never>((_, reject) => (crashed = reject));
crash.catch(() => undefined);
const group = new ProcessGroup(
  (line) => {
    progress.done();
    console.log(line);
  },
  (error) => crashed(error),
);
const svgPath = resolve(args.svg ?? fileURLToPath(new URL('../../.tmp/cascade-timeline.svg', import.meta.url)));

process.on('exit', () => {
  group.killAllNow();
  clearScrapeTargets();
});
let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    progress.done();
    console.error(`${signal}: stopping the services...`);
    void group.stopAll().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  });
}

async function main(): Promise<void> {
  const phases = phaseTimes(s);
  const shape: RunShape = { endpoints: s.endpoints, phases, deadlineMs: s.clientDeadlineMs };
  console.log(
    `The auth outage, ${args.quick ? 'quick' : 'full'}: ${totalRate(s)} requests/s open loop, a ${s.clientDeadlineMs} ms client deadline; ` +
      phases.map((phase) => `${phase.name} ${phase.startS}-${phase.endS} s`).join(', '),
  );
  const runs = {} as Record<RunMode, DemoRun>;
  for (const mode of ['naive', 'protected'] as const) {
    console.log(`\n${mode === 'naive' ? 'naive: no timeouts, eager retries, one shared pool' : 'protected: each dependency behind firebreak()'}`);
    const result = await Promise.race([runOnce(mode, s, group, (state) => progress.update(state)), crash]);
    progress.done();
    runs[mode] = { ...analyzeRun(result.samples, result.authCalls, shape), loadLagP99Ms: result.loadLagP99Ms };
    if (result.loadLagP99Ms > BUSY_LAG_MS) {
      console.log(`  the load generator sent its requests up to ${result.loadLagP99Ms} ms late (p99): this machine is too busy for the figures to mean much`);
    }
  }
  const report: DemoReport = { scenario: 'auth-outage', quick: s.quick, ratePerSecond: totalRate(s), phases, runs: { naive: runs.naive, protected: runs.protected } };
  console.log(`\n${renderTable(report)}\n`);
  mkdirSync(dirname(svgPath), { recursive: true });
  writeFileSync(svgPath, renderSvg(report, s.clientDeadlineMs));
  console.log(`timeline: ${svgPath}`);
  if (args.json !== undefined) {
    const jsonPath = resolve(args.json);
    mkdirSync(dirname(jsonPath), { recursive: true });
    writeFileSync(jsonPath, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`figures:  ${jsonPath}`);
  }
}

main().catch(async (error: unknown) => {
  progress.done();
  // A service that died makes the demo's next call to it fail first: give its exit a moment to
  // be reported, and tell that rather than the connection error it caused.
  const cause = await Promise.race([crash.catch((crashError: unknown) => crashError), new Promise((resolve) => setTimeout(() => resolve(error), 200))]);
  console.error(cause);
  await group.stopAll();
  process.exit(1);
});
