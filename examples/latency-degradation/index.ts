/**
 * Guide: a gradual latency degradation. The recommendations service slows down step by step,
 * from 20 ms to 300 ms, and only then starts failing. A circuit breaker that also counts slow
 * calls opens while every call still succeeds, and serves the bestsellers instead; it closes again
 * once the service is restarted. Beside it, a second client protects the same calls with an
 * adaptive bulkhead: its concurrency limit falls as the latency rises and recovers after the
 * restart, printed as it changes.
 *
 * Run it: `npm run guide:latency-degradation` (about 6 s). See README.md beside it.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { firebreak, type AdaptiveBulkheadPolicy, type CircuitState, type CircuitStats } from '../../src/index.js';
import { startRecommendations, type HealthStep, type Recommendations } from './recommendations.js';
import { count, percentile, round, ms, s } from '../shared/figures.js';

const RATE_PER_SECOND = 40;
const RUN_MS = 5_500;
const SLOW_CALL_MS = 100;
const SLOW_CALL_RATE = 0.5;
const TIMEOUT_MS = 1_000;

/** The incident: the latency climbs every 500 ms; at 3 s the service falls over; at 3.5 s it is restarted. */
const SCHEDULE: readonly HealthStep[] = [
  { fromMs: 0, latencyMs: 20 },
  { fromMs: 500, latencyMs: 45 },
  { fromMs: 1_000, latencyMs: 80 },
  { fromMs: 1_500, latencyMs: 130 },
  { fromMs: 2_000, latencyMs: 200 },
  { fromMs: 2_500, latencyMs: 300 },
  { fromMs: 3_000, latencyMs: 300, status: 503 },
  { fromMs: 3_500, latencyMs: 20 },
];
const ERRORS_FROM_MS = SCHEDULE.find((step) => step.status !== undefined)?.fromMs ?? Infinity;
const RESTART_MS = SCHEDULE.at(-1)?.fromMs ?? 0;

const BESTSELLERS: Recommendations = { items: ['socks', 'water bottle', 'map'], bestsellers: true };

const recommendations = firebreak('recommendations', {
  // Outermost: the page shows the bestsellers while recommendations are off.
  fallback: BESTSELLERS,
  circuitBreaker: {
    // The calls of the last second, in 10 buckets of 100 ms.
    window: { type: 'time', duration: 1_000, buckets: 10 },
    minimumCalls: 10,
    // A call that takes 100 ms or more is slow (five times the usual 20 ms); half the calls slow opens it.
    slowCallDuration: SLOW_CALL_MS,
    slowCallRateThreshold: SLOW_CALL_RATE,
    failureRateThreshold: 0.5,
    openFor: 400,
    halfOpen: { maxCalls: 2 },
  },
  // The usual last-resort limit, far above any latency anyone would accept.
  attemptTimeout: TIMEOUT_MS,
});

/** The adaptive client: the same calls, with a concurrency limit learned from their latency. */
const INITIAL_LIMIT = 20;
const adaptive = firebreak('recommendations-adaptive', {
  fallback: BESTSELLERS,
  // A window up to twice the fastest one counts as normal: this machine is shared and noisy.
  bulkhead: { adaptive: { algorithm: 'gradient2', initial: INITIAL_LIMIT, tolerance: 2 } },
  attemptTimeout: TIMEOUT_MS,
});
const limiter = adaptive.bulkhead as AdaptiveBulkheadPolicy;

interface Call {
  /** Milliseconds from the start of the run when the call was made. */
  readonly atMs: number;
  /** When it ended. */
  readonly endMs: number;
  readonly latencyMs: number;
  /** Whether the breaker let it reach the service. */
  readonly reached: boolean;
  /** How long the service took, for a call that reached it. */
  readonly serviceMs: number;
  /** Whether the service answered with an error. */
  readonly failed: boolean;
  readonly answer: Recommendations | undefined;
}

interface Transition {
  readonly atMs: number;
  readonly from: CircuitState;
  readonly to: CircuitState;
  /** The breaker's window when it opened. */
  readonly window?: CircuitStats;
}

const service = await startRecommendations(SCHEDULE);
await (await fetch(`${service.url}/recommendations`)).json(); // load fetch before measuring

let timeouts = 0;
recommendations.attemptTimeout?.onTimeout(() => timeouts++);

// Before the incident, a few healthy rounds give the adaptive bulkhead its baseline RTT.
for (let round = 0; round < 8; round++) await Promise.all(Array.from({ length: 5 }, () => recommendAdaptive(0)));

const started = performance.now();
const elapsed = (): number => performance.now() - started;
const transitions: Transition[] = [];
recommendations.circuitBreaker?.onStateChange(({ from, to }) => {
  const stats = recommendations.circuitBreaker?.stats;
  const window = from === 'closed' && stats ? { window: stats } : {};
  transitions.push({ atMs: elapsed(), from, to, ...window });
});

interface LimitChange {
  readonly atMs: number;
  readonly from: number;
  readonly to: number;
}
const limitChanges: LimitChange[] = [];
console.log(`adaptive bulkhead: limit ${limiter.stats.limit}, fastest window ${ms(limiter.stats.minRtt)} ms before the incident; each change as it happens:`);
limiter.onLimitChange(({ from, to, sampleRtt, minRtt, dropped }) => {
  const atMs = elapsed();
  limitChanges.push({ atMs, from, to });
  const why = `window RTT ${ms(sampleRtt)} ms, fastest window ${ms(minRtt)} ms${dropped ? ', errors in the window' : ''}`;
  console.log(`  ${s(atMs)}  limit ${String(from).padStart(2)} -> ${String(to).padStart(2)}  (${why})`);
});

service.start();
const pending: Promise<Call>[] = [];
const adaptivePending: Promise<AdaptiveCall>[] = [];
for (let at = 0; at < RUN_MS; at += 1_000 / RATE_PER_SECOND) {
  const wait = at - elapsed();
  if (wait > 0) await sleep(wait);
  pending.push(recommend(at));
  adaptivePending.push(recommendAdaptive(at));
}
const calls = await Promise.all(pending);
const adaptiveCalls = await Promise.all(adaptivePending);
console.log('');
const finalState = recommendations.circuitBreaker?.state;
await service.close();
report();

async function recommend(atMs: number): Promise<Call> {
  const start = performance.now();
  let reached = false;
  let failed = false;
  let serviceMs = 0;
  const answer = await recommendations
    .execute(async (ctx) => {
      reached = true;
      try {
        const response = await fetch(`${service.url}/recommendations`, { signal: ctx.signal });
        if (!response.ok) {
          await response.body?.cancel();
          failed = true;
          throw new Error(`recommendations: HTTP ${response.status}`);
        }
        return (await response.json()) as Recommendations;
      } finally {
        serviceMs = performance.now() - start;
      }
    })
    .catch(() => undefined);
  return { atMs, endMs: elapsed(), latencyMs: performance.now() - start, reached, serviceMs, failed, answer };
}

interface AdaptiveCall {
  readonly atMs: number;
  /** Whether the bulkhead let it reach the service. */
  readonly reached: boolean;
  readonly answer: Recommendations | undefined;
}

async function recommendAdaptive(atMs: number): Promise<AdaptiveCall> {
  let reached = false;
  const answer = await adaptive
    .execute(async (ctx) => {
      reached = true;
      const response = await fetch(`${service.url}/recommendations`, { signal: ctx.signal });
      if (!response.ok) {
        await response.body?.cancel();
        throw new Error(`recommendations: HTTP ${response.status}`);
      }
      return (await response.json()) as Recommendations;
    })
    .catch(() => undefined);
  return { atMs, reached, answer };
}

/** The limit in force at `atMs`. */
function limitAt(atMs: number): number {
  return limitChanges.filter((change) => change.atMs <= atMs).at(-1)?.to ?? INITIAL_LIMIT;
}

function report(): void {
  console.log(`recommendations: ${RATE_PER_SECOND} calls/s for ${s(RUN_MS)}; its latency climbs every 500 ms, it answers 503 from ${s(ERRORS_FROM_MS)}, it is restarted at ${s(RESTART_MS)}`);
  console.log(`breaker: calls of the last second; slow >= ${SLOW_CALL_MS} ms; opens at ${pct(SLOW_CALL_RATE)} slow calls or 50 % failures (10 calls at least)\n`);
  console.log('from    service         calls  reached  slow  errors  bestsellers  p50 ms  breaker');
  SCHEDULE.forEach((step, index) => {
    const until = SCHEDULE[index + 1]?.fromMs ?? RUN_MS;
    const inStep = calls.filter((c) => c.atMs >= step.fromMs && c.atMs < until);
    const changes = transitions.filter((t) => t.atMs >= step.fromMs && t.atMs < until).map((t) => `${t.to} ${s(t.atMs)}`);
    console.log(
      [
        s(step.fromMs).padEnd(7),
        `${step.latencyMs} ms${step.status ? ` ${step.status}` : ''}`.padEnd(14),
        String(inStep.length).padStart(6),
        String(count(inStep, (c) => c.reached)).padStart(8),
        String(count(inStep, (c) => c.reached && !c.failed && c.serviceMs >= SLOW_CALL_MS)).padStart(5),
        String(count(inStep, (c) => c.failed)).padStart(7),
        String(count(inStep, (c) => c.answer?.bestsellers === true)).padStart(12),
        ms(percentile(inStep.map((c) => c.latencyMs), 0.5)).padStart(7),
        changes.length > 0 ? ` ${changes.join(', ')}` : '',
      ].join(' ').trimEnd(),
    );
  });

  const opened = transitions.find((t) => t.to === 'open');
  const openStep = opened ? SCHEDULE.filter((step) => step.fromMs <= opened.atMs).at(-1) : undefined;
  const firstError = calls.filter((c) => c.failed).sort((a, b) => a.endMs - b.endMs)[0];
  const lastClose = transitions.filter((t) => t.to === 'closed').at(-1);
  const closedAfterRecovery = lastClose !== undefined && lastClose.atMs >= RESTART_MS && finalState === 'closed';
  const fastFails = calls.filter((c) => !c.reached);
  const window = opened?.window;
  const reopens = count(transitions, (t) => t.from === 'half-open' && t.to === 'open');

  console.log('');
  if (opened && window) {
    console.log(`- The breaker opened at ${s(opened.atMs)} on slow calls: ${window.slowCalls} of the ${window.calls} calls in its window took >= ${SLOW_CALL_MS} ms`);
    console.log(`  (${pct(window.slowCallRate)}), with ${window.failures} failures. The service then answered in ${openStep?.latencyMs ?? '?'} ms; its first error came at ${firstError ? s(firstError.endMs) : 'no time in this run'}.`);
  } else {
    console.log('- The breaker never opened.');
  }
  console.log(`- The ${TIMEOUT_MS} ms timeout fired ${timeouts} times: no call got slow enough for it.`);
  console.log(`- ${fastFails.length} calls were turned away by the open breaker and got the bestsellers in p99 ${ms(percentile(fastFails.map((c) => c.latencyMs), 0.99))} ms.`);
  console.log(
    closedAfterRecovery
      ? `- ${reopens} times a probe found the service still slow or failing and re-opened the breaker; after its restart at ${s(RESTART_MS)} the probes closed it at ${s(lastClose.atMs)}.`
      : `- The breaker did not close after the restart (state: ${finalState}).`,
  );

  console.log('\nThe adaptive client, step by step: its limit at the end of each step, the calls it let through and those it answered with the bestsellers');
  console.log('from    service         calls  reached  bestsellers  limit');
  SCHEDULE.forEach((step, index) => {
    const until = SCHEDULE[index + 1]?.fromMs ?? RUN_MS;
    const inStep = adaptiveCalls.filter((c) => c.atMs >= step.fromMs && c.atMs < until);
    console.log(
      [
        s(step.fromMs).padEnd(7),
        `${step.latencyMs} ms${step.status ? ` ${step.status}` : ''}`.padEnd(14),
        String(inStep.length).padStart(6),
        String(count(inStep, (c) => c.reached)).padStart(8),
        String(count(inStep, (c) => c.answer?.bestsellers === true)).padStart(12),
        String(limitAt(until)).padStart(6),
      ].join(' '),
    );
  });
  const slowFromMs = SCHEDULE[1]?.fromMs ?? 0;
  const lowest = Math.min(INITIAL_LIMIT, ...limitChanges.filter((c) => c.atMs < RESTART_MS).map((c) => c.to));
  const lowestAt = limitChanges.find((c) => c.atMs < RESTART_MS && c.to === lowest);
  const finalLimit = limiter.stats.limit;
  console.log(
    `\n- The adaptive limit went from ${INITIAL_LIMIT} down to ${lowest}${lowestAt ? ` (at ${s(lowestAt.atMs)})` : ''} as the latency rose, and was ${limitAt(RESTART_MS)} at the restart;` +
      ` ${count(adaptiveCalls, (c) => !c.reached)} calls were turned away by it and got the bestsellers at once. After the restart it came back to ${finalLimit}.`,
  );

  const result = {
    guide: 'latency-degradation',
    calls: calls.length,
    callerErrors: count(calls, (c) => c.answer === undefined),
    opened: opened !== undefined,
    openedAtMs: opened ? round(opened.atMs) : null,
    errorsFromMs: ERRORS_FROM_MS,
    firstErrorAtMs: firstError ? round(firstError.endMs) : null,
    failuresBeforeOpen: count(calls, (c) => c.failed && opened !== undefined && c.endMs <= opened.atMs),
    windowAtOpen: window ?? null,
    slowCallRateThreshold: SLOW_CALL_RATE,
    latencyAtOpenMs: openStep?.latencyMs ?? null,
    timeouts,
    bestsellersServed: count(calls, (c) => c.answer?.bestsellers === true),
    closedAfterRecovery,
    finalState,
    transitions: transitions.map((t) => `${t.from}->${t.to}`),
    adaptive: {
      initialLimit: INITIAL_LIMIT,
      slowFromMs,
      restartMs: RESTART_MS,
      lowestLimitBeforeRestart: lowest,
      lowestLimitAtMs: lowestAt ? round(lowestAt.atMs) : null,
      limitAtRestart: limitAt(RESTART_MS),
      finalLimit,
      calls: adaptiveCalls.length,
      callerErrors: count(adaptiveCalls, (c) => c.answer === undefined),
      turnedAway: count(adaptiveCalls, (c) => !c.reached),
      limitChanges: limitChanges.map((c) => ({ atMs: round(c.atMs), from: c.from, to: c.to })),
    },
  };
  console.log(`\nRESULT ${JSON.stringify(result)}`);
}






function pct(rate: number): string {
  return `${Math.round(rate * 100)} %`;
}
