// For alloc.mjs: bytes allocated per call by each row's firebreak contender, from build A and B.
import { getHeapStatistics } from 'node:v8';
import { contenderOf, loadBothBuilds } from '../lib/ab-builds.mjs';
import { median } from '../lib/harness.mjs';

const CHUNK = 256;
const builds = await loadBothBuilds();

/**
 * The heap grows by what a chunk of calls allocates, unless a collection ran during the chunk: a
 * chunk whose heap did not grow is dropped, and the median of the others is taken.
 */
async function bytesPerCall(call, chunks) {
  const perCall = [];
  for (let chunk = 0; chunk < chunks; chunk++) {
    const before = getHeapStatistics().used_heap_size;
    for (let i = 0; i < CHUNK; i++) {
      try {
        await call();
      } catch {
        // a rejected call allocates too: it is measured like any other
      }
    }
    const grown = getHeapStatistics().used_heap_size - before;
    if (grown > 0) perCall.push(grown / CHUNK);
  }
  return median(perCall);
}

for (const id of process.env.AB_ROWS.split(',')) {
  const calls = { A: (await contenderOf(builds.A, id)).call, B: (await contenderOf(builds.B, id)).call };
  for (const name of ['A', 'B']) await bytesPerCall(calls[name], 200);
  const bytes = { A: await bytesPerCall(calls.A, 400), B: await bytesPerCall(calls.B, 400) };
  process.stdout.write(`${id}: bytes allocated per call A ${bytes.A.toFixed(0)}, B ${bytes.B.toFixed(0)}, B/A ${(bytes.B / bytes.A).toFixed(3)}\n`);
}
