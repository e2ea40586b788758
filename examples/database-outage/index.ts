/**
 * Guide: a database outage. The primary stops answering for 1.6 s while reads keep coming at
 * 50 a second; a circuit breaker stops sending them to it, a fallback serves them from the read
 * replica, and the breaker's probes close it again once the primary is back.
 *
 * Run it: `npm run guide:database-outage` (about 4 s). See README.md beside it.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { CircuitOpenError, firebreak, timeout, type CircuitState } from '../../src/index.js';
import { startDatabase, type ReplicaRow, type UserRow } from './database.js';
import { count, percentile, round, ms, s } from '../shared/figures.js';

const RATE_PER_SECOND = 50;
const OUTAGE_STARTS_MS = 800;
const OUTAGE_ENDS_MS = 2_400;
const RUN_MS = 3_600;
const ATTEMPT_TIMEOUT_MS = 250;
const REPLICA_TIMEOUT_MS = 1_000;
const HALF_OPEN_PROBES = 2;

/** Where an answer came from. */
type Answer =
  | { readonly source: 'primary'; readonly row: UserRow }
  | { readonly source: 'replica'; readonly row: ReplicaRow; readonly because: 'circuit-open' | 'primary-failed' };

type Phase = 'healthy' | 'outage' | 'recovered';

interface Call {
  /** The phase the read was sent in, by the primary's actual switch times. */
  readonly phase: Phase;
  /** When the read was sent and when it was answered, in ms from the start. */
  readonly startMs: number;
  readonly endMs: number;
  readonly latencyMs: number;
  readonly answer: Answer | undefined;
}

interface Transition {
  readonly atMs: number;
  readonly from: CircuitState;
  readonly to: CircuitState;
  /** Requests that had reached the primary by then. */
  readonly primaryRequests: number;
  /** The breaker's window when it opened: calls and failures. */
  readonly window?: { readonly calls: number; readonly failures: number };
}

const db = await startDatabase();
await (await fetch(`${db.primaryUrl}/users/42`)).json(); // load fetch before measuring
const replicaRead = timeout(REPLICA_TIMEOUT_MS);

const users = firebreak('users-db', {
  // Outermost: any failure of the stages inside (the primary timing out, the circuit open) is
  // answered from the replica, marked as such.
  fallback: (error: unknown) => readReplica(error),
  // Inside the breaker: a read the primary does not answer in 250 ms is a failure.
  attemptTimeout: ATTEMPT_TIMEOUT_MS,
  circuitBreaker: {
    window: { type: 'count', size: 20 },
    failureRateThreshold: 0.5,
    minimumCalls: 10,
    openFor: 500,
    halfOpen: { maxCalls: HALF_OPEN_PROBES },
  },
});

/** When the breaker let a read through to the primary, in ms from the start. */
const admittedAtMs: number[] = [];

function readUser(id: number): Promise<Answer> {
  return users.execute(async (ctx): Promise<Answer> => {
    admittedAtMs.push(elapsed());
    return { source: 'primary', row: await getJson<UserRow>(`${db.primaryUrl}/users/${id}`, ctx.signal) };
  });
}

async function readReplica(error: unknown): Promise<Answer> {
  const row = await replicaRead.execute((ctx) => getJson<ReplicaRow>(`${db.replicaUrl}/users/42`, ctx.signal));
  return { source: 'replica', row, because: error instanceof CircuitOpenError ? 'circuit-open' : 'primary-failed' };
}

async function getJson<T>(url: string, signal: AbortSignal): Promise<T> {
  const response = await fetch(url, { signal });
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return (await response.json()) as T;
}

const started = performance.now();
const elapsed = (): number => performance.now() - started;

const transitions: Transition[] = [];
users.circuitBreaker?.onStateChange(({ from, to }) => {
  const stats = users.circuitBreaker?.stats;
  const window = to === 'open' && from === 'closed' && stats ? { calls: stats.calls, failures: stats.failures } : undefined;
  transitions.push({ atMs: elapsed(), from, to, primaryRequests: db.primaryRequests, ...(window ? { window } : {}) });
});

// The switches' actual times: on a busy machine a timer fires late, and the phases follow them.
const marks = { outageStartsRequests: 0, outageEndsRequests: 0, downAtMs: Infinity, upAtMs: Infinity };
const outage = setTimeout(() => {
  marks.outageStartsRequests = db.primaryRequests;
  marks.downAtMs = elapsed();
  db.setPrimaryDown(true);
}, OUTAGE_STARTS_MS);
const recovery = setTimeout(() => {
  marks.outageEndsRequests = db.primaryRequests;
  marks.upAtMs = elapsed();
  db.setPrimaryDown(false);
}, OUTAGE_ENDS_MS);

const pending: Promise<Call>[] = [];
const interval = 1_000 / RATE_PER_SECOND;
for (let at = 0; at < RUN_MS; at += interval) {
  const wait = at - elapsed();
  if (wait > 0) await sleep(wait);
  pending.push(timed());
}
const calls = await Promise.all(pending);
const finalState = users.circuitBreaker?.state;
clearTimeout(outage);
clearTimeout(recovery);
await db.close();

async function timed(): Promise<Call> {
  const startMs = elapsed();
  const phase: Phase = startMs < marks.downAtMs ? 'healthy' : startMs < marks.upAtMs ? 'outage' : 'recovered';
  const answer = await readUser(42).catch(() => undefined);
  const endMs = elapsed();
  return { phase, startMs, endMs, latencyMs: endMs - startMs, answer };
}

report();

function report(): void {
  const phases: Phase[] = ['healthy', 'outage', 'recovered'];
  console.log(`users-db: ${calls.length} reads at ${RATE_PER_SECOND}/s; the primary stops answering from ${s(marks.downAtMs)} to ${s(marks.upAtMs)}\n`);
  console.log('breaker:');
  for (const t of transitions) {
    const why = t.window ? `  (${t.window.failures} failures in the last ${t.window.calls} calls)` : '';
    console.log(`  ${s(t.atMs).padStart(7)}  ${t.from} -> ${t.to}${why}`);
  }
  console.log('\nphase       reads  from primary  from replica  (failed fast)  failed  p50 ms  p99 ms');
  for (const phase of phases) {
    const inPhase = calls.filter((call) => call.phase === phase);
    const latencies = inPhase.map((call) => call.latencyMs);
    console.log(
      [
        phase.padEnd(10),
        String(inPhase.length).padStart(6),
        String(count(inPhase, (c) => c.answer?.source === 'primary')).padStart(13),
        String(count(inPhase, (c) => c.answer?.source === 'replica')).padStart(13),
        String(count(inPhase, isFastFail)).padStart(14),
        String(count(inPhase, (c) => c.answer === undefined)).padStart(7),
        ms(percentile(latencies, 0.5)).padStart(7),
        ms(percentile(latencies, 0.99)).padStart(7),
      ].join(' '),
    );
  }

  const firstOpen = transitions.find((t) => t.to === 'open');
  const lastClose = transitions.filter((t) => t.to === 'closed').at(-1);
  const closedAfterRecovery = lastClose !== undefined && lastClose.atMs >= marks.upAtMs && finalState === 'closed';
  // Reads sent and answered while the primary was down: the primary cannot have answered them.
  // (A read sent just before a switch may reach the primary just after it.)
  const outageCalls = calls.filter((call) => call.startMs >= marks.downAtMs && call.endMs <= marks.upAtMs);
  // Reads the breaker let through after it first opened and before the primary came back: while
  // the primary is down the breaker never closes, so each of them is a half-open probe.
  const probes = firstOpen ? count(admittedAtMs, (at) => at >= firstOpen.atMs && at < marks.upAtMs) : 0;
  const halfOpens = count(transitions, (t) => t.to === 'half-open' && t.atMs < marks.upAtMs);
  const fastFails = calls.filter(isFastFail);
  const waited = calls.filter((call) => call.answer?.source === 'replica' && call.answer.because === 'primary-failed');
  const ages = calls.flatMap((call) => (call.answer?.source === 'replica' ? [call.answer.row.ageMs] : []));
  const primaryDuringOutage = marks.outageEndsRequests - marks.outageStartsRequests;
  const beforeOpen = firstOpen ? firstOpen.primaryRequests - marks.outageStartsRequests : primaryDuringOutage;

  console.log('');
  if (firstOpen) {
    console.log(`- ${beforeOpen} reads reached the silent primary before the breaker opened at ${s(firstOpen.atMs)}; each waited ${ATTEMPT_TIMEOUT_MS} ms for its timeout`);
    console.log(`  (p50 ${ms(percentile(waited.map((c) => c.latencyMs), 0.5))} ms with the replica read), then was answered from the replica.`);
    console.log(`- For the rest of the outage only ${probes} probes reached it; ${fastFails.length} reads failed fast on the open circuit`);
    console.log(`  and were answered from the replica in p50 ${ms(percentile(fastFails.map((c) => c.latencyMs), 0.5))} ms, p99 ${ms(percentile(fastFails.map((c) => c.latencyMs), 0.99))} ms.`);
  } else {
    console.log('- The breaker never opened.');
  }
  console.log(`- The replica's copy was up to ${ms(Math.max(0, ...ages))} ms old when served (replication stops with the primary).`);
  console.log(
    closedAfterRecovery
      ? `- The primary came back at ${s(marks.upAtMs)}; the probes closed the breaker at ${s(lastClose.atMs)}, ${ms(lastClose.atMs - marks.upAtMs)} ms later.`
      : `- The breaker did not close after the primary came back (state: ${finalState}).`,
  );
  console.log(`- Reads that failed for the caller: ${count(calls, (c) => c.answer === undefined)} of ${calls.length}.`);

  const result = {
    guide: 'database-outage',
    reads: calls.length,
    outageReads: outageCalls.length,
    outageReadsFromReplica: count(outageCalls, (c) => c.answer?.source === 'replica'),
    callerErrors: count(calls, (c) => c.answer === undefined),
    servedByReplica: count(calls, (c) => c.answer?.source === 'replica'),
    failedFast: fastFails.length,
    fastFailP50Ms: round(percentile(fastFails.map((c) => c.latencyMs), 0.5)),
    waitedP50Ms: round(percentile(waited.map((c) => c.latencyMs), 0.5)),
    attemptTimeoutMs: ATTEMPT_TIMEOUT_MS,
    primaryRequestsDuringOutage: primaryDuringOutage,
    primaryRequestsBeforeOpen: beforeOpen,
    probes,
    maxProbesPerHalfOpen: HALF_OPEN_PROBES,
    opened: firstOpen !== undefined,
    openedAtMs: firstOpen ? round(firstOpen.atMs) : null,
    outageStartsMs: round(marks.downAtMs),
    outageEndsMs: round(marks.upAtMs),
    closedAfterRecovery,
    closedAtMs: lastClose ? round(lastClose.atMs) : null,
    finalState,
    transitions: transitions.map((t) => `${t.from}->${t.to}`),
    halfOpensDuringOutage: halfOpens,
  };
  console.log(`\nRESULT ${JSON.stringify(result)}`);
}

function isFastFail(call: Call): boolean {
  return call.answer?.source === 'replica' && call.answer.because === 'circuit-open';
}
