// A soak: 1,000,000 calls through a full firebreak() pipeline, mixing successes, failures,
// timeouts (functions that honour the signal and functions that ignore it), caller aborts and
// short outages that open the circuit. Heap after GC at the end against after the first 10 %.
import { setImmediate } from 'node:timers';
import { setTimeout as sleep } from 'node:timers/promises';
import { collect, loadFirebreak, missing, quick, report, selected } from '../lib/section.mjs';

const { lib: fb } = await loadFirebreak();
const total = quick ? 20_000 : 1_000_000;
const firstCalls = total / 10;
/** Calls offered per turn of the event loop, and the most in flight at once. */
const CALLS_PER_TURN = 64;
const MAX_IN_FLIGHT = 1_000;
const ATTEMPT_TIMEOUT_MS = 5;

const outcomes = { success: 0, 'fallback after failure': 0, 'fallback after timeout': 0, 'fallback after open circuit': 0, 'fallback after full bulkhead': 0, 'caller abort': 0, unexpected: 0 };

const FALLBACK = -1;
function servedBy(error) {
  switch (error?.code) {
    case 'ERR_TIMEOUT':
      outcomes['fallback after timeout']++;
      break;
    case 'ERR_CIRCUIT_OPEN':
      outcomes['fallback after open circuit']++;
      break;
    case 'ERR_BULKHEAD_REJECTED':
      outcomes['fallback after full bulkhead']++;
      break;
    default:
      outcomes['fallback after failure']++;
  }
  return FALLBACK;
}

const succeed = async () => 1;
const fail = () => Promise.reject(new Error('boom'));
/** Honours the signal: ends when the attempt timeout (or the caller) aborts it. */
const untilAborted = (ctx) =>
  new Promise((_, reject) => {
    const signal = ctx.signal;
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
/** Ignores the signal: settles on its own after the attempt timeout gave up on it. */
const ignoresSignal = () => sleep(ATTEMPT_TIMEOUT_MS + 3, 1);

/** A deterministic mix (a linear congruential generator), with an outage (every call fails) for 5,000 of each 100,000 calls. */
let seed = 42;
function random() {
  seed = (Math.imul(seed, 1_664_525) + 1_013_904_223) >>> 0;
  return seed / 2 ** 32;
}

function oneCall(pipeline, index) {
  if (index % 100_000 >= 50_000 && index % 100_000 < 55_000) return pipeline.execute(fail);
  const r = random();
  if (r < 0.88) return pipeline.execute(succeed);
  if (r < 0.94) return pipeline.execute(fail);
  if (r < 0.96) return pipeline.execute(untilAborted);
  if (r < 0.97) return pipeline.execute(ignoresSignal);
  if (r < 0.99) {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 1);
    return pipeline.execute(untilAborted, { signal: controller.signal });
  }
  return pipeline.execute(succeed, { signal: AbortSignal.abort() });
}

/**
 * Offers the calls `from`..`to` like a server receiving requests: a few per turn of the event
 * loop, at most `MAX_IN_FLIGHT` at a time; resolves with the heap after GC once all settled.
 */
async function runCalls(pipeline, from, to) {
  let next = from;
  let inFlight = 0;
  await new Promise((resolve) => {
    const settled = () => {
      inFlight--;
      if (next >= to && inFlight === 0) resolve();
    };
    const onValue = (value) => {
      if (value === 1) outcomes.success++;
      else if (value !== FALLBACK) outcomes.unexpected++;
      settled();
    };
    const onError = (error) => {
      if (error?.name === 'AbortError') outcomes['caller abort']++;
      else outcomes.unexpected++;
      settled();
    };
    const offer = () => {
      const last = Math.min(to, next + CALLS_PER_TURN);
      while (next < last && inFlight < MAX_IN_FLIGHT) {
        inFlight++;
        oneCall(pipeline, next++).then(onValue, onError);
      }
      if (next < to) setImmediate(offer);
    };
    offer();
  });
  // Let the functions that ignored their signal settle, then measure a quiet heap.
  await sleep(ATTEMPT_TIMEOUT_MS * 4);
  await collect();
  return process.memoryUsage().heapUsed;
}

const results = [];
const id = 'soak';
const title = `Soak: ${total.toLocaleString('en')} calls through firebreak() (successes, failures, timeouts, aborts, outages)`;
if (selected(id)) {
  const absent = missing(fb, 'firebreak', 'circuitBreaker', 'bulkhead', 'retry');
  if (absent.length > 0) {
    results.push({ id, title, pending: `not exported yet: ${absent.join(', ')}` });
  } else {
    const pipeline = fb.firebreak('soak', {
      fallback: servedBy,
      totalTimeout: ATTEMPT_TIMEOUT_MS * 4,
      retry: { maxAttempts: 2, backoff: fb.constant(1) },
      circuitBreaker: { window: { type: 'time', duration: 100, buckets: 10 }, failureRateThreshold: 0.5, minimumCalls: 100, openFor: 5 },
      bulkhead: { concurrency: 100, queue: 50 },
      attemptTimeout: ATTEMPT_TIMEOUT_MS,
    });
    // firebreak's guard timers are unref'd: like a server's listening socket, this keeps the
    // process alive while the last calls wait for their timeouts.
    const keepAlive = setInterval(() => {}, 1_000);
    const started = performance.now();
    const heapAfterFirst = await runCalls(pipeline, 0, firstCalls);
    const heapAtEnd = await runCalls(pipeline, firstCalls, total);
    clearInterval(keepAlive);
    results.push({
      id,
      title,
      calls: total,
      firstCalls,
      seconds: (performance.now() - started) / 1_000,
      outcomes,
      heapAfterFirst,
      heapAtEnd,
      ratios: { 'heap end/after first 10%': heapAtEnd / heapAfterFirst },
    });
  }
  process.stderr.write(`  soak: ${id}\n`);
}
report({ rows: results });
