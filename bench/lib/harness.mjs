// Per-call timing: contenders of one row are measured in interleaved rounds, and every ratio is
// the median of the ratios taken within each round, so that a burst of load from elsewhere on
// the machine hits both sides of a ratio alike.
import { setImmediate as turn } from 'node:timers/promises';
import { measure } from 'mitata';

/** Calls per timed batch; after each batch the event loop gets a turn (timers, I/O, immediates). */
export const CALLS_PER_BATCH = 256;

/**
 * A batch: `everyBatch()` if given, `CALLS_PER_BATCH` sequential awaited calls, a rejection caught
 * like a caller would, then one turn of the event loop. `call` returns a promise.
 */
function batchOf({ call, everyBatch }) {
  return async () => {
    everyBatch?.();
    for (let i = 0; i < CALLS_PER_BATCH; i++) {
      try {
        await call();
      } catch {
        // A rejected call (the open-circuit row) is part of what is measured.
      }
    }
    await turn();
  };
}

/** The event-loop turn alone, subtracted from every batch so that a row shows only its calls. */
const turnOnly = async () => {
  await turn();
};

/** Runs `contender` in batches (as measured) for about `ms` milliseconds; returns the calls made. */
export async function runContender(contender, ms) {
  const batch = batchOf(contender);
  await contender.before?.();
  const until = performance.now() + ms;
  let batches = 0;
  while (performance.now() < until) {
    await batch();
    batches++;
  }
  return batches * CALLS_PER_BATCH;
}

export function median(values) {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * The median batch time (ns) of `fn`, sampled for about `ms` milliseconds. Each sample is one
 * batch (`batch_threshold: 0` stops mitata from looping the batch 4,096 times per sample).
 */
async function sample(fn, ms) {
  const stats = await measure(fn, { min_cpu_time: ms * 1e6, min_samples: 5, warmup_samples: 2, batch_threshold: 0, gc: false });
  return stats.p50;
}

/**
 * Measures one row. `contenders` maps a name to `{ call, before?, everyBatch? }`: `call()` makes
 * one call, `before()` runs untimed before each round, `everyBatch()` runs timed before each batch. Returns per-call nanoseconds (median over
 * rounds), for each pair in `ratios` ([numerator, denominator]) the median per-round ratio, and
 * the per-round figures.
 */
export async function measureRow({ contenders, ratios }, { rounds, ms }) {
  const names = Object.keys(contenders);
  const batches = Object.fromEntries(names.map((name) => [name, batchOf(contenders[name])]));
  for (const name of names) {
    await contenders[name].before?.();
    await sample(batches[name], ms / 4);
  }
  const perRound = [];
  for (let round = 0; round < rounds; round++) {
    const turnNs = await sample(turnOnly, ms / 4);
    const ns = {};
    const order = round % 2 ? [...names].reverse() : names;
    for (const name of order) {
      await contenders[name].before?.();
      ns[name] = Math.max(0, (await sample(batches[name], ms)) - turnNs) / CALLS_PER_BATCH;
    }
    perRound.push(ns);
  }
  const nsPerCall = Object.fromEntries(names.map((name) => [name, median(perRound.map((ns) => ns[name]))]));
  const ratioValues = Object.fromEntries(
    ratios.map(([a, b]) => [`${a}/${b}`, median(perRound.map((ns) => ns[a] / ns[b]))]),
  );
  return { nsPerCall, ratios: ratioValues, rounds, perRound };
}
