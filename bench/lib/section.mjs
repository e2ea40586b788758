// What every section (a child process started by run.mjs) shares: its settings, the library
// under test (the fresh build), the peers, and how it hands back its figures.
import { writeFileSync } from 'node:fs';
import { setImmediate as turn } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';

export const quick = process.env.BENCH_QUICK === '1';
const only = process.env.BENCH_ROWS ? process.env.BENCH_ROWS.split(',') : undefined;

/** Whether the row `id` is selected (`--rows a,b` on run.mjs). */
export const selected = (id) => only === undefined || only.includes(id);

/** The library under test, from the build run.mjs made. */
export async function loadFirebreak() {
  const dir = process.env.BENCH_LIB;
  if (!dir) throw new Error('BENCH_LIB is not set: run the benchmarks through bench/run.mjs');
  const lib = await import(pathToFileURL(join(dir, 'index.js')).href);
  let prometheus;
  try {
    prometheus = await import(pathToFileURL(join(dir, 'prometheus.js')).href);
  } catch {
    prometheus = undefined;
  }
  return { lib, prometheus };
}

/** Writes the section's figures where run.mjs reads them. */
export function report(figures) {
  writeFileSync(process.env.BENCH_OUT, JSON.stringify(figures));
}

/** Collected forcing of garbage collection: node must run with --expose-gc. */
export async function collect() {
  if (typeof globalThis.gc !== 'function') throw new Error('run node with --expose-gc');
  for (let i = 0; i < 2; i++) {
    globalThis.gc();
    await turn();
  }
}

/** Names of the public API a row needs that the build does not export yet. */
export function missing(lib, ...names) {
  return names.filter((name) => typeof lib[name] !== 'function');
}
