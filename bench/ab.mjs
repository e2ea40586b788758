#!/usr/bin/env node
// A/B: one per-call row's firebreak contender, built from the working tree (B) and from a git
// revision (A), measured side by side in interleaved rounds of one process, so that a change is
// judged on a ratio taken under the same load.
// Usage: node bench/ab.mjs REV ROW[,ROW] [--rounds 7] [--ms 250]   e.g. node bench/ab.mjs HEAD pipeline
import { runOnBothBuilds } from './lib/ab-builds.mjs';

const [rev, rows, ...rest] = process.argv.slice(2);
if (!rev || !rows) throw new Error('usage: node bench/ab.mjs REV ROW[,ROW] [--rounds N] [--ms N]');
const option = (name, fallback) => {
  const at = rest.indexOf(name);
  return at === -1 ? fallback : rest[at + 1];
};
await runOnBothBuilds({
  rev,
  rows,
  section: 'ab-target.mjs',
  nodeArgs: ['--expose-gc'],
  env: { AB_ROUNDS: option('--rounds', '7'), AB_MS: option('--ms', '250') },
});
