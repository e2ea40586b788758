import type { Sample } from './load.js';
import type { DemoRun, EndpointFigures, PhaseFigures, PhaseName } from './report-types.js';

/** What {@link analyzeRun} needs to know of the scenario. */
export interface RunShape {
  readonly endpoints: readonly { readonly path: string; readonly needsAuth: boolean }[];
  readonly phases: readonly { readonly name: PhaseName; readonly startS: number; readonly endS: number }[];
  readonly deadlineMs: number;
}

/** The share of requests that must succeed, per endpoint, for the system to count as recovered. */
export const RECOVERED_SUCCESS_RATE = 0.99;

/** The figures of one run, from its samples and the calls that reached auth in each phase. */
export function analyzeRun(samples: readonly Sample[], authCalls: Record<PhaseName, number>, shape: RunShape): Omit<DemoRun, 'loadLagP99Ms'> {
  const phases = {} as Record<PhaseName, PhaseFigures>;
  for (const phase of shape.phases) {
    const inPhase = samples.filter((sample) => sample.at >= phase.startS && sample.at < phase.endS);
    const endpoints: Record<string, EndpointFigures> = {};
    let authRequests = 0;
    for (const { path, needsAuth } of shape.endpoints) {
      const figures = endpointFigures(inPhase.filter((sample) => sample.path === path), needsAuth);
      endpoints[path] = figures;
      if (needsAuth) authRequests += figures.requests;
    }
    const calls = authCalls[phase.name];
    phases[phase.name] = { endpoints, authCalls: calls, authCallsPerRequest: authRequests === 0 ? 0 : round(calls / authRequests, 3) };
  }
  const recovered = shape.phases.find((phase) => phase.name === 'recovered');
  const endS = shape.phases.reduce((end, phase) => Math.max(end, phase.endS), 0);
  return {
    phases,
    recoverySeconds: recovered === undefined ? null : recoverySeconds(samples, shape.endpoints.map((e) => e.path), recovered.startS, endS),
    timeline: timeline(samples, endS),
  };
}

function endpointFigures(samples: readonly Sample[], needsAuth: boolean): EndpointFigures {
  const ok = samples.filter((sample) => sample.ok);
  const latencies = samples.map((sample) => sample.latencyMs).sort((a, b) => a - b);
  return {
    needsAuth,
    requests: samples.length,
    ok: ok.length,
    degraded: ok.filter((sample) => sample.degraded).length,
    successRate: samples.length === 0 ? 0 : round(ok.length / samples.length, 4),
    p50Ms: round(percentile(latencies, 0.5), 1),
    p99Ms: round(percentile(latencies, 0.99), 1),
  };
}

/** The nearest-rank percentile of sorted values; 0 for none. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] as number;
}

/** Windows of one second slide by this step when looking for the recovery. */
const STEP_S = 0.1;

/**
 * Seconds from `fromS` (auth's recovery) until the success rate of every endpoint stays at or
 * above {@link RECOVERED_SUCCESS_RATE}: the earliest time T (on a 0.1 s grid) such that every
 * one-second window starting at T or later and ending by `endS` has, for each endpoint, at least
 * that share of its requests answered in time. `null` if there is no such T with at least one
 * full window after it (the system did not recover within the run).
 */
export function recoverySeconds(samples: readonly Sample[], paths: readonly string[], fromS: number, endS: number): number | null {
  const steps = Math.round((endS - 1 - fromS) / STEP_S);
  if (steps < 0) return null;
  const healthy: boolean[] = [];
  for (let i = 0; i <= steps; i++) {
    const start = fromS + i * STEP_S;
    const window = samples.filter((sample) => sample.at >= start && sample.at < start + 1);
    healthy.push(
      paths.every((path) => {
        const forPath = window.filter((sample) => sample.path === path);
        return forPath.length === 0 || forPath.filter((sample) => sample.ok).length / forPath.length >= RECOVERED_SUCCESS_RATE;
      }),
    );
  }
  let first = healthy.length;
  while (first > 0 && healthy[first - 1] === true) first--;
  return first === healthy.length ? null : round(first * STEP_S, 1);
}

/** One point per second of the run: the success rate and p99 latency of the requests due in it. */
export function timeline(samples: readonly Sample[], endS: number): DemoRun['timeline'] {
  const points: DemoRun['timeline'] = [];
  for (let t = 0; t < endS; t++) {
    const second = samples.filter((sample) => sample.at >= t && sample.at < t + 1);
    const latencies = second.map((sample) => sample.latencyMs).sort((a, b) => a - b);
    points.push({
      t,
      successRate: second.length === 0 ? 0 : round(second.filter((sample) => sample.ok).length / second.length, 4),
      p99Ms: round(percentile(latencies, 0.99), 1),
    });
  }
  return points;
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
