/**
 * The adaptive-concurrency simulation (DESIGN.md 8.3): a dependency of capacity C whose latency
 * grows with queueing, offered 0.5, 1, 2 and 5 × C open loop, protected by static bulkheads set
 * too low (C/4), right (C) and too high (10 C) and by each adaptive algorithm; then priorities
 * at 5 × C. Simulated time (a heap of timers), so every run gives the same figures.
 *
 * Run it: `npm run bench:adaptive` (about a minute); `-- --quick` for a short run,
 * `-- --json FILE` to write the figures, `-- --svg FILE` to draw the goodput chart.
 */
import { writeFileSync } from 'node:fs';
import { adaptiveBulkhead, bulkhead, type AdaptivePartitions, type LimitAlgorithmName, type Priority } from '../../src/index.js';
import { CAPACITY, CAPACITY_PER_SECOND, DEADLINE_MS, runScenario, SERVICE_MS, SIGMA, type Mix, type ScenarioOptions, type ScenarioResult } from './scenario.js';
import { goodputSvg } from './chart.js';

export const LOADS = [0.5, 1, 2, 5] as const;
const ALGORITHMS: readonly LimitAlgorithmName[] = ['gradient2', 'vegas', 'aimd'];
export const PRIORITY_MIX: Mix = { critical: 0.1, degraded: 0.3, sheddable: 0.6 };
export const PARTITIONS: AdaptivePartitions = { critical: 0.7, degraded: 0.2, sheddable: 0.1 };
/** Partitions whose critical share is below what the critical calls need at the learned limit. */
export const UNDERSIZED: AdaptivePartitions = { critical: 0.5, degraded: 0.3, sheddable: 0.2 };

export interface Protection {
  readonly id: string;
  readonly adaptive: boolean;
  readonly build: ScenarioOptions['build'];
}

export const PROTECTIONS: readonly Protection[] = [
  ...[
    ['static C/4', CAPACITY / 4],
    ['static C', CAPACITY],
    ['static 10 C', CAPACITY * 10],
  ].map(([id, concurrency]) => ({
    id: id as string,
    adaptive: false,
    build: (clock) => ({ policy: bulkhead({ concurrency: concurrency as number, clock }) }),
  }) satisfies Protection),
  ...ALGORITHMS.map(
    (algorithm) =>
      ({
        id: algorithm,
        adaptive: true,
        build: (clock) => {
          const policy = adaptiveBulkhead({ algorithm, clock });
          return { policy, limit: () => policy.stats.limit };
        },
      }) satisfies Protection,
  ),
];

export interface SimulationFigures {
  readonly settings: Record<string, number>;
  /** Per protection, per load (in LOADS order). */
  readonly rows: readonly { readonly id: string; readonly adaptive: boolean; readonly results: readonly ScenarioResult[] }[];
  readonly priorities: readonly { readonly id: string; readonly result: ScenarioResult }[];
  readonly targets: readonly { readonly id: string; readonly status: 'met' | 'missed'; readonly detail: string }[];
}

export async function simulate({ seconds, warmupSeconds }: { seconds: number; warmupSeconds: number }): Promise<SimulationFigures> {
  const base = { seconds, warmupSeconds, seed: 7 };
  const rows = [];
  for (const protection of PROTECTIONS) {
    const results: ScenarioResult[] = [];
    for (const load of LOADS) results.push(await runScenario({ ...base, build: protection.build, load }));
    rows.push({ id: protection.id, adaptive: protection.adaptive, results });
  }
  const priorities = [];
  for (const [id, partitions] of [
    ['gradient2, partitions', PARTITIONS],
    ['gradient2, critical 0.5', UNDERSIZED],
    ['gradient2, no partitions', undefined],
  ] as const) {
    const result = await runScenario({
      ...base,
      load: 5,
      mix: PRIORITY_MIX,
      build: (clock) => {
        const policy = adaptiveBulkhead({ clock, ...(partitions ? { partitions } : {}) });
        return { policy, limit: () => policy.stats.limit };
      },
    });
    priorities.push({ id, result });
  }
  return {
    settings: { capacity: CAPACITY, serviceMs: SERVICE_MS, sigma: SIGMA, deadlineMs: DEADLINE_MS, capacityPerSecond: CAPACITY_PER_SECOND, seconds, warmupSeconds },
    rows,
    priorities,
    targets: targets(rows, priorities),
  };
}

function targets(rows: SimulationFigures['rows'], priorities: SimulationFigures['priorities']): SimulationFigures['targets'] {
  const out: { id: string; status: 'met' | 'missed'; detail: string }[] = [];
  const statics = rows.filter((row) => !row.adaptive);
  for (const row of rows.filter((r) => r.adaptive)) {
    LOADS.forEach((load, index) => {
      const best = Math.max(...statics.map((s) => (s.results[index] as ScenarioResult).goodput));
      const got = (row.results[index] as ScenarioResult).goodput;
      out.push({
        id: `${row.id} at ${load}x: goodput >= 90 % of the best static`,
        status: got >= 0.9 * best ? 'met' : 'missed',
        detail: `${pct(got / best)} of ${best.toFixed(0)}/s`,
      });
    });
  }
  const partitioned = priorities[0]?.result.byPriority.critical.success ?? NaN;
  out.push({ id: 'priorities at 5x: critical success >= 99 %', status: partitioned >= 0.99 ? 'met' : 'missed', detail: pct(partitioned) });
  return out;
}

const pct = (value: number): string => `${(value * 100).toFixed(1)} %`;

function table(headers: readonly string[], lines: readonly (readonly string[])[]): string {
  const widths = headers.map((header, i) => Math.max(header.length, ...lines.map((line) => (line[i] ?? '').length)));
  const format = (cells: readonly string[]): string => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  ');
  return [format(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...lines.map(format)].join('\n');
}

/** The figures as a plain-text report: the table, an ASCII chart, priorities and targets. */
export function formatReport(figures: SimulationFigures): string {
  const s = figures.settings;
  const out: string[] = [];
  out.push(
    `Dependency: C = ${s.capacity} workers, log-normal service time (mean ${s.serviceMs} ms, sigma ${s.sigma}): ${s.capacityPerSecond} calls/s at most.`,
    `Open-loop Poisson arrivals; ${s.seconds} s measured after ${s.warmupSeconds} s of warm-up; goodput = answers within ${s.deadlineMs} ms per second.`,
    '',
  );
  out.push(
    table(
      ['protection', ...LOADS.flatMap((load) => [`${load}x goodput/s`, `p99 ms`]), 'mean limit at 5x'],
      figures.rows.map((row) => [
        row.id,
        ...row.results.flatMap((r) => [r.goodput.toFixed(0), r.p99.toFixed(0)]),
        Number.isNaN(row.results.at(-1)?.meanLimit ?? NaN) ? '' : (row.results.at(-1) as ScenarioResult).meanLimit.toFixed(0),
      ]),
    ),
  );
  out.push('', 'Goodput (answers within the deadline per second), one bar per protection and load:');
  const widest = Math.max(...figures.rows.flatMap((row) => row.results.map((r) => r.goodput)));
  LOADS.forEach((load, index) => {
    for (const row of figures.rows) {
      const goodput = (row.results[index] as ScenarioResult).goodput;
      out.push(`${`${load}x`.padStart(4)} ${row.id.padEnd(12)} ${'#'.repeat(Math.round((goodput / widest) * 50)).padEnd(50)} ${goodput.toFixed(0)}`);
    }
  });
  const mix = Object.entries(PRIORITY_MIX).map(([p, share]) => `${p} ${share * 100} %`).join(', ');
  const parts = Object.entries(PARTITIONS).map(([p, share]) => `${p} ${share}`).join(', ');
  out.push('', `Priorities at 5x (mix: ${mix}; partitions: ${parts}): answers within the deadline per priority`);
  out.push(
    table(
      ['protection', 'critical', 'degraded', 'sheddable', 'goodput/s', 'p99 ms'],
      figures.priorities.map(({ id, result }) => [
        id,
        ...(['critical', 'degraded', 'sheddable'] as Priority[]).map((p) => pct(result.byPriority[p].success)),
        result.goodput.toFixed(0),
        result.p99.toFixed(0),
      ]),
    ),
  );
  out.push('', 'Targets:');
  for (const target of figures.targets) out.push(`  ${target.status.padEnd(6)} ${target.id} (${target.detail})`);
  return out.join('\n');
}

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index < 0 ? undefined : process.argv[index + 1];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const quick = process.argv.includes('--quick');
  const started = performance.now();
  const figures = await simulate(quick ? { seconds: 2, warmupSeconds: 1 } : { seconds: 20, warmupSeconds: 5 });
  console.log(formatReport(figures));
  console.log(`\n(${((performance.now() - started) / 1000).toFixed(1)} s of computation)`);
  const json = argument('--json');
  if (json) writeFileSync(json, `${JSON.stringify(figures, null, 2)}\n`);
  const svg = argument('--svg');
  if (svg) writeFileSync(svg, goodputSvg(figures));
}
