#!/usr/bin/env node
// Bytes allocated per call: a row's firebreak contender built from a git revision (A) and from
// the working tree (B), each measured in the same process (see sections/alloc-target.mjs).
// Usage: node bench/alloc.mjs REV ROW[,ROW]   e.g. node bench/alloc.mjs HEAD pipeline
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { buildLibrary, root } from './lib/build.mjs';

const [rev, rows] = process.argv.slice(2);
if (!rev || !rows) throw new Error('usage: node bench/alloc.mjs REV ROW[,ROW]');
mkdirSync(join(root, '.tmp'), { recursive: true });
const tree = mkdtempSync(join(root, '.tmp', 'alloc-src-'));
execFileSync('sh', ['-c', `git archive ${rev} src | tar -x -C ${tree}`], { cwd: root });
const a = await buildLibrary({ srcRoot: tree });
const b = await buildLibrary();
try {
  const env = { ...process.env, AB_A: a.dir, AB_B: b.dir, AB_ROWS: rows };
  // A young generation of 64 MB: most batches of calls then run without a collection.
  const run = spawnSync(process.execPath, ['--max-semi-space-size=64', join(root, 'bench', 'sections', 'alloc-target.mjs')], { env, stdio: 'inherit' });
  if (run.status !== 0) process.exitCode = 1;
} finally {
  a.remove();
  b.remove();
  rmSync(tree, { recursive: true, force: true });
}
