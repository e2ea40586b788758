#!/usr/bin/env node
// A/B of the bytes each call allocates: a row's firebreak contender built from the working tree (B)
// revision (A), measured side by side in interleaved rounds of one process, so that a change is
// judged on a ratio taken under the same load.
// Usage: node bench/ab.mjs REV ROW[,ROW] [--rounds 7] [--ms 250]   e.g. node bench/ab.mjs HEAD pipeline
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { buildLibrary, root } from './lib/build.mjs';

const [rev, rows, ...rest] = process.argv.slice(2);
if (!rev || !rows) throw new Error('usage: node bench/ab.mjs REV ROW[,ROW] [--rounds N] [--ms N]');
const option = (name, fallback) => {
  const at = rest.indexOf(name);
  return at === -1 ? fallback : rest[at + 1];
};
mkdirSync(join(root, '.tmp'), { recursive: true });
const tree = mkdtempSync(join(root, '.tmp', 'ab-src-'));
execFileSync('sh', ['-c', `git archive ${rev} src | tar -x -C ${tree}`], { cwd: root });
const a = await buildLibrary({ srcRoot: tree });
const b = await buildLibrary();
try {
  const env = { ...process.env, AB_A: a.dir, AB_B: b.dir, AB_ROWS: rows, AB_ROUNDS: option('--rounds', '7'), AB_MS: option('--ms', '250') };
  const run = spawnSync(process.execPath, ['--max-semi-space-size=64', join(root, 'bench', 'sections', 'alloc-target.mjs')], { env, stdio: 'inherit' });
  if (run.status !== 0) process.exitCode = 1;
} finally {
  a.remove();
  b.remove();
  rmSync(tree, { recursive: true, force: true });
}
