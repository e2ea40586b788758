/**
 * One run of the simulation: open-loop Poisson arrivals at `load` × the dependency's capacity
 * through one protection, measured after a warm-up.
 */
import { seeded } from '../../examples/shared/seeded-random.js';
import type { Policy, Priority } from '../../src/index.js';
import { Dependency } from './dependency.js';
import { SimClock } from './sim-clock.js';

/** The simulated dependency: 40 workers, 20 ms mean service time: 2,000 calls/s at most. */
export const CAPACITY = 40;
export const SERVICE_MS = 20;
export const SIGMA = 0.5;
/** An answer counts (goodput) when it arrives within this many ms of the call. */
export const DEADLINE_MS = 100;
export const CAPACITY_PER_SECOND = (CAPACITY * 1000) / SERVICE_MS;

export type Mix = Readonly<Record<Priority, number>>;

export interface ScenarioOptions {
  /** Builds the protection on the simulation's clock; `limit()` reads its limit now, if it learns one. */
  readonly build: (clock: SimClock) => { readonly policy: Policy; readonly limit?: () => number };
  /** Offered load, as a multiple of the dependency's capacity. */
  readonly load: number;
  /** Share of the calls of each priority; all critical when left out. */
  readonly mix?: Mix;
  readonly seconds: number;
  readonly warmupSeconds: number;
  readonly seed: number;
}

export interface PriorityFigures {
  readonly offered: number;
  /** Answers within the deadline, as a share of the calls offered. */
  readonly success: number;
}

export interface ScenarioResult {
  /** Answers within the deadline per second. */
  readonly goodput: number;
  /** 99th percentile latency (ms) of the calls answered. */
  readonly p99: number;
  /** Share of the calls offered that were turned away. */
  readonly rejected: number;
  /** Mean of the learned limit over the measured period (NaN for a static bulkhead). */
  readonly meanLimit: number;
  /** The learned limit every 250 ms over the whole run, warm-up included. */
  readonly limitTrace: readonly number[];
  readonly byPriority: Readonly<Record<Priority, PriorityFigures>>;
}

const PRIORITIES: readonly Priority[] = ['critical', 'degraded', 'sheddable'];

export async function runScenario(options: ScenarioOptions): Promise<ScenarioResult> {
  const random = seeded(options.seed);
  const clock = new SimClock();
  const dependency = new Dependency({ clock, capacity: CAPACITY, serviceMs: SERVICE_MS, sigma: SIGMA, random: seeded(options.seed + 1) });
  const { policy, limit } = options.build(clock);
  const ratePerMs = (options.load * CAPACITY_PER_SECOND) / 1000;
  const from = options.warmupSeconds * 1000;
  const end = from + options.seconds * 1000;
  const mix = options.mix ?? { critical: 1, degraded: 0, sheddable: 0 };

  const latencies: number[] = [];
  const offered = { critical: 0, degraded: 0, sheddable: 0 };
  const good = { critical: 0, degraded: 0, sheddable: 0 };
  let rejected = 0;
  const limitTrace: number[] = [];
  let limitSum = 0;
  let limitReads = 0;

  const pick = (): Priority => {
    let r = random();
    for (const priority of PRIORITIES) {
      r -= mix[priority];
      if (r < 0) return priority;
    }
    return 'critical';
  };
  const arrive = (): void => {
    const at = clock.now();
    const priority = pick();
    const measured = at >= from;
    if (measured) offered[priority]++;
    policy.execute(() => dependency.request(), { priority }).then(
      () => {
        if (!measured) return;
        const latency = clock.now() - at;
        latencies.push(latency);
        if (latency <= DEADLINE_MS) good[priority]++;
      },
      () => {
        if (measured) rejected++;
      },
    );
    const next = -Math.log(1 - random()) / ratePerMs;
    if (at + next < end) clock.setTimeout(arrive, next);
  };
  const trace = (): void => {
    if (limit === undefined) return;
    const value = limit();
    limitTrace.push(value);
    if (clock.now() >= from) {
      limitSum += value;
      limitReads++;
    }
    if (clock.now() + 250 < end) clock.setTimeout(trace, 250);
  };
  clock.setTimeout(arrive, 0);
  clock.setTimeout(trace, 0);
  await clock.runUntil(end + 5_000);

  latencies.sort((a, b) => a - b);
  const totalOffered = offered.critical + offered.degraded + offered.sheddable;
  const totalGood = good.critical + good.degraded + good.sheddable;
  const byPriority = Object.fromEntries(
    PRIORITIES.map((p) => [p, { offered: offered[p], success: offered[p] === 0 ? NaN : good[p] / offered[p] }]),
  ) as Record<Priority, PriorityFigures>;
  return {
    goodput: totalGood / options.seconds,
    p99: latencies[Math.max(0, Math.ceil(0.99 * latencies.length) - 1)] ?? NaN,
    rejected: totalOffered === 0 ? 0 : rejected / totalOffered,
    meanLimit: limitReads === 0 ? NaN : limitSum / limitReads,
    limitTrace,
    byPriority,
  };
}
