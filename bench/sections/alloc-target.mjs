// For alloc.mjs: bytes allocated per call by each row's firebreak contender, from build A and B.
import { getHeapStatistics } from 'node:v8';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { median } from '../lib/harness.mjs';
import { callRows } from '../lib/call-rows.mjs';

const CHUNK = 256;
const load = async (dir) => ({
  lib: await import(pathToFileURL(join(dir, 'index.js')).href),
  prometheus: await import(pathToFileURL(join(dir, 'prometheus.js')).href).catch(() => undefined),
});
const [a, b] = [await load(process.env.AB_A), await load(process.env.AB_B)];

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
  const pick = async ({ lib, prometheus }) => {
    const row = callRows(lib, prometheus).find((candidate) => candidate.id === id);
    if (row === undefined) throw new Error(`no row ${id}`);
    const { contenders } = await row.build();
    return (contenders.firebreak ?? contenders.instrumented ?? contenders.bare).call;
  };
  const calls = { A: await pick(a), B: await pick(b) };
  for (const name of ['A', 'B']) await bytesPerCall(calls[name], 200);
  const bytes = { A: await bytesPerCall(calls.A, 400), B: await bytesPerCall(calls.B, 400) };
  process.stdout.write(`${id}: bytes allocated per call A ${bytes.A.toFixed(0)}, B ${bytes.B.toFixed(0)}, B/A ${(bytes.B / bytes.A).toFixed(3)}\n`);
}
