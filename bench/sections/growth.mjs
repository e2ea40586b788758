// Growth: how the cost per call and the memory change as the work grows. Cost per call through
// the full pipeline with 1, 100 and 10,000 calls in flight at once; retained memory per breaker
// for 1, 1,000 and 100,000 breakers; a breaker's cost per call with 10 and 1,000 time buckets.
import { measureRow, median } from '../lib/harness.mjs';
import { OPEN_FOR_MS, PIPELINE_OPTIONS, WINDOWS } from '../lib/peers.mjs';
import { collect, loadFirebreak, missing, quick, report, selected } from '../lib/section.mjs';

const { lib: fb } = await loadFirebreak();
const rounds = quick ? 1 : 5;
const work = async () => 1;

/** Calls made per measurement of one level of concurrency. */
const CALLS = quick ? 20_000 : 200_000;
const LEVELS = [1, 100, 10_000];

/** Nanoseconds per call (wall time) for `CALLS` calls made in bursts of `inFlight` started at once. */
async function perCallInBursts(policy, inFlight) {
  const bursts = Math.max(1, Math.round(CALLS / inFlight));
  const pending = new Array(inFlight);
  await collect();
  const started = performance.now();
  for (let burst = 0; burst < bursts; burst++) {
    for (let i = 0; i < inFlight; i++) pending[i] = policy.execute(work);
    await Promise.all(pending);
  }
  return ((performance.now() - started) * 1e6) / (bursts * inFlight);
}

async function concurrencyRow(id, title, make) {
  const names = LEVELS.map(String);
  const policy = make();
  for (const level of LEVELS) await perCallInBursts(policy, level);
  const perRound = [];
  for (let round = 0; round < rounds; round++) {
    const ns = {};
    for (const level of round % 2 ? [...LEVELS].reverse() : LEVELS) ns[level] = await perCallInBursts(policy, level);
    perRound.push(ns);
  }
  const nsPerCall = Object.fromEntries(names.map((name) => [name, median(perRound.map((ns) => ns[name]))]));
  const ratio = (a, b) => median(perRound.map((ns) => ns[a] / ns[b]));
  return { id, title, unit: 'ns per call', values: nsPerCall, perRound, ratios: { '100/1': ratio('100', '1'), '10000/1': ratio('10000', '1') } };
}

/** Bytes retained per breaker with `count` breakers alive, after one call through each. */
async function bytesPerBreaker(count) {
  const options = { ...WINDOWS.time.firebreak, openFor: OPEN_FOR_MS };
  await collect();
  const before = process.memoryUsage().heapUsed;
  const kept = new Array(count);
  for (let i = 0; i < count; i++) kept[i] = fb.circuitBreaker(options);
  for (let i = 0; i < count; i++) await kept[i].execute(work);
  await collect();
  const after = process.memoryUsage().heapUsed;
  kept.length = 0;
  return (after - before) / count;
}

async function breakerMemoryRow() {
  const counts = quick ? [1, 1_000, 10_000] : [1, 1_000, 100_000];
  const perRound = [];
  for (let round = 0; round < rounds; round++) {
    const bytes = {};
    for (const count of counts) {
      // One breaker is below the noise of a heap reading: the median of many readings.
      bytes[count] = count === 1 ? median(await manyReadings(quick ? 5 : 41)) : await bytesPerBreaker(count);
    }
    perRound.push(bytes);
  }
  const values = Object.fromEntries(counts.map((count) => [String(count), median(perRound.map((b) => b[count]))]));
  const [, mid, high] = counts.map(String);
  return {
    id: 'breaker-memory',
    title: `retained memory per breaker (time window, 10 buckets), plain breakers (per keyed entry: the keyed section)`,
    unit: 'bytes per breaker',
    values,
    perRound,
    ratios: { [`${high}/${mid}`]: values[high] / values[mid], [`1/${mid}`]: values['1'] / values[mid] },
  };
}

async function manyReadings(times) {
  const readings = [];
  for (let i = 0; i < times; i++) readings.push(await bytesPerBreaker(1));
  return readings;
}

async function bucketsRow() {
  const breaker = (buckets) =>
    fb.circuitBreaker({ window: { type: 'time', duration: 10_000, buckets }, failureRateThreshold: 0.5, minimumCalls: 20, openFor: OPEN_FOR_MS });
  const few = breaker(10);
  const many = breaker(1_000);
  const measured = await measureRow(
    {
      contenders: { '10 buckets': { call: () => few.execute(work) }, '1000 buckets': { call: () => many.execute(work) } },
      ratios: [['1000 buckets', '10 buckets']],
    },
    quick ? { rounds: 1, ms: 15 } : { rounds: 5, ms: 250 },
  );
  return { id: 'time-buckets', title: 'circuit breaker, time window of 10 s, per call', unit: 'ns per call', values: measured.nsPerCall, perRound: measured.perRound, ratios: measured.ratios };
}

const results = [];
const absent = missing(fb, 'firebreak', 'circuitBreaker', 'bulkhead', 'retry');
const rows = [
  ['concurrent-pipeline', 'full pipeline (bulkhead of 10,000: nothing queues), calls in flight at once', () =>
    concurrencyRow('concurrent-pipeline', 'full pipeline (bulkhead of 10,000: nothing queues), calls in flight at once', () =>
      fb.firebreak('growth', { ...PIPELINE_OPTIONS, bulkhead: { concurrency: 10_000, queue: 0 } }))],
  ['concurrent-pipeline-limited', 'full pipeline (bulkhead of 100, queue 10,000), calls in flight at once', () =>
    concurrencyRow('concurrent-pipeline-limited', 'full pipeline (bulkhead of 100, queue 10,000), calls in flight at once', () =>
      fb.firebreak('growth-limited', { ...PIPELINE_OPTIONS, bulkhead: { concurrency: 100, queue: 10_000 } }))],
  ['breaker-memory', 'retained memory per breaker', breakerMemoryRow],
  ['time-buckets', 'circuit breaker cost per call by time buckets', bucketsRow],
];

for (const [id, title, run] of rows) {
  if (!selected(id)) continue;
  if (absent.length > 0) {
    results.push({ id, title, pending: `not exported yet: ${absent.join(', ')}` });
    continue;
  }
  results.push(await run());
  process.stderr.write(`  growth: ${id}\n`);
}
report({ calls: CALLS, rounds, rows: results });
