// Growth: how the cost per call and the memory change as the work grows. Cost per call through
// the full pipeline with 1, 100 and 10,000 calls in flight at once; retained memory per keyed
// breaker (`keyed()`, a circuit breaker per key) for 1, 1,000 and 100,000 keys; a breaker's cost
// per call with 10 and 1,000 time buckets.
import { getHeapSnapshot } from 'node:v8';
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

const breakerOptions = { ...WINDOWS.time.firebreak, openFor: OPEN_FOR_MS };
const keyedBreakers = (maxKeys) => fb.keyed((key) => fb.circuitBreaker({ ...breakerOptions, name: key }), { maxKeys: Math.max(1, maxKeys) });

/**
 * Bytes retained per keyed breaker with `count` keys alive, read on the heap: one `keyed()`
 * policy whose every key holds a time-window circuit breaker, after one call through each key.
 * The keys are made inside the measured span (`key-0`, `key-1`, ...), as a service's keys arrive
 * with its requests: the keyed policy keeps each key string, so it counts.
 */
async function bytesPerKeyedBreaker(count) {
  await collect();
  const before = process.memoryUsage().heapUsed;
  let breakers = keyedBreakers(count);
  for (let i = 0; i < count; i++) await breakers.execute(`key-${i}`, work);
  await collect();
  const after = process.memoryUsage().heapUsed;
  if (breakers.size !== count) throw new Error(`kept ${breakers.size} of ${count} keys`);
  breakers = undefined;
  return (after - before) / count;
}

async function heapSnapshot() {
  const chunks = [];
  for await (const chunk of getHeapSnapshot()) chunks.push(chunk);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

/** The ids of a snapshot's objects, sorted, for {@link isIn}. */
function objectIds(snapshot) {
  const fields = snapshot.snapshot.meta.node_fields;
  const width = fields.length;
  const idAt = fields.indexOf('id');
  const ids = new Float64Array(snapshot.nodes.length / width);
  for (let node = 0; node < ids.length; node++) ids[node] = snapshot.nodes[node * width + idAt];
  return ids.sort();
}

function isIn(sortedIds, id) {
  let low = 0;
  let high = sortedIds.length - 1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    if (sortedIds[mid] === id) return true;
    if (sortedIds[mid] < id) low = mid + 1;
    else high = mid - 1;
  }
  return false;
}

/**
 * Bytes of the objects that the one new object named `className` holds, counted object by object
 * in a heap snapshot: every object reachable from it (weak references aside) that did not exist in
 * the snapshot taken before (`before`, from {@link objectIds}). Objects that existed before (the
 * library's shared state, the options) are neither counted nor walked through. `shapes`: the part
 * that is V8's hidden classes (maps, descriptor arrays), shared by every object of a shape and
 * made again only once every object of that shape has died.
 */
function bytesHeldByNew(snapshot, before, className) {
  const { node_fields: fields, edge_fields: edgeFields, edge_types: edgeTypes } = snapshot.snapshot.meta;
  const { nodes, edges, strings } = snapshot;
  const width = fields.length;
  const [idAt, nameAt, sizeAt, edgeCountAt] = ['id', 'name', 'self_size', 'edge_count'].map((field) => fields.indexOf(field));
  const edgeWidth = edgeFields.length;
  const [typeAt, toAt] = ['type', 'to_node'].map((field) => edgeFields.indexOf(field));
  const weak = edgeTypes[0].indexOf('weak');
  const firstEdge = new Uint32Array(nodes.length / width + 1);
  let root = -1;
  for (let at = 0, edge = 0; at < nodes.length; at += width) {
    firstEdge[at / width] = edge;
    edge += nodes[at + edgeCountAt] * edgeWidth;
    if (strings[nodes[at + nameAt]] === className && !isIn(before, nodes[at + idAt])) {
      if (root !== -1) throw new Error(`more than one new ${className}`);
      root = at;
    }
  }
  firstEdge[nodes.length / width] = edges.length;
  if (root === -1) throw new Error(`no new ${className} in the snapshot`);
  const seen = new Set([root]);
  const stack = [root];
  const shape = snapshot.snapshot.meta.node_types[0].indexOf('object shape');
  let bytes = 0;
  let shapes = 0;
  while (stack.length > 0) {
    const at = stack.pop();
    bytes += nodes[at + sizeAt];
    if (nodes[at] === shape) shapes += nodes[at + sizeAt];
    for (let edge = firstEdge[at / width]; edge < firstEdge[at / width + 1]; edge += edgeWidth) {
      const to = edges[edge + toAt];
      if (edges[edge + typeAt] === weak || seen.has(to) || isIn(before, nodes[to + idAt])) continue;
      seen.add(to);
      stack.push(to);
    }
  }
  return { bytes, shapes };
}

/**
 * Bytes held by one keyed policy with `count` keys (0 or 1), counted in heap snapshots (a single
 * breaker is below the resolution of a heap reading: allocation buffers move it by kilobytes).
 */
async function counted(count) {
  const before = objectIds(await heapSnapshot());
  const breakers = keyedBreakers(count);
  for (let i = 0; i < count; i++) await breakers.execute(`key-${i}`, work);
  const held = bytesHeldByNew(await heapSnapshot(), before, 'Keyed');
  if (breakers.size !== count) throw new Error(`kept ${breakers.size} of ${count} keys`);
  return held;
}

async function breakerMemoryRow() {
  const counts = quick ? [1_000, 10_000] : [1_000, 100_000];
  // The first keyed breakers of the process also get what V8 makes for code that has just become
  // hot (feedback vectors): made here, not counted in the figures.
  for (let i = 0; i < (quick ? 1 : 8); i++) await counted(1);
  const readings = async (count) => {
    const all = [];
    for (let i = 0; i < (quick ? 1 : 3); i++) all.push(await counted(count));
    return all;
  };
  const objects = ({ bytes, shapes }) => bytes - shapes;
  const perRound = [];
  for (let round = 0; round < rounds; round++) {
    // After the heap readings of the round before, no keyed breaker is alive: the first one makes
    // its hidden classes again (`shapes`), which every later one shares.
    const [none, one] = [await readings(0), await readings(1)];
    const bytes = { fixed: median(none.map(objects)), 1: median(one.map(objects)), shapes: median(one.map(({ shapes }) => shapes)) };
    for (const count of counts) bytes[count] = await bytesPerKeyedBreaker(count);
    perRound.push(bytes);
  }
  const names = ['1', ...counts.map(String), 'fixed', 'shapes'];
  const values = Object.fromEntries(names.map((name) => [name, median(perRound.map((b) => b[name]))]));
  const [mid, high] = counts.map(String);
  const ratio = (a, b) => median(perRound.map((r) => r[a] / r[b]));
  return {
    id: 'breaker-memory',
    title: 'memory per keyed breaker (keyed(), a time-window breaker of 10 buckets per key, key included); fixed: keyed() with no key; shapes: hidden classes the first one makes',
    unit: 'bytes per keyed breaker',
    values,
    perRound,
    ratios: { [`${high}/${mid}`]: ratio(high, mid), [`1/${mid}`]: ratio('1', mid), [`(1 - fixed)/${mid}`]: median(perRound.map((r) => (r['1'] - r.fixed) / r[mid])) },
  };
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
const absent = missing(fb, 'firebreak', 'circuitBreaker', 'bulkhead', 'retry', 'keyed');
const rows = [
  ['concurrent-pipeline', 'full pipeline (bulkhead of 10,000: nothing queues), calls in flight at once', () =>
    concurrencyRow('concurrent-pipeline', 'full pipeline (bulkhead of 10,000: nothing queues), calls in flight at once', () =>
      fb.firebreak('growth', { ...PIPELINE_OPTIONS, bulkhead: { concurrency: 10_000, queue: 0 } }))],
  ['concurrent-pipeline-limited', 'full pipeline (bulkhead of 100, queue 10,000), calls in flight at once', () =>
    concurrencyRow('concurrent-pipeline-limited', 'full pipeline (bulkhead of 100, queue 10,000), calls in flight at once', () =>
      fb.firebreak('growth-limited', { ...PIPELINE_OPTIONS, bulkhead: { concurrency: 100, queue: 10_000 } }))],
  ['breaker-memory', 'retained memory per keyed breaker', breakerMemoryRow],
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
