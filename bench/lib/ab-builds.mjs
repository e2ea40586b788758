// Shared by ab.mjs and alloc.mjs: the library built from a git revision (A) and from the working
// tree (B), a section run in a child process on both, and each row's contender from a build.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildLibrary, root } from './build.mjs';
import { callRows } from './call-rows.mjs';

/**
 * Builds `src/` at `rev` (A) and in the working tree (B), then runs `bench/sections/<section>`
 * with `nodeArgs`, telling it the two builds and the rows (`AB_A`, `AB_B`, `AB_ROWS`) besides
 * `env`; the builds are removed afterwards.
 */
export async function runOnBothBuilds({ rev, rows, section, nodeArgs = [], env = {} }) {
  mkdirSync(join(root, '.tmp'), { recursive: true });
  const tree = mkdtempSync(join(root, '.tmp', 'ab-src-'));
  execFileSync('sh', ['-c', `git archive ${rev} src | tar -x -C ${tree}`], { cwd: root });
  const a = await buildLibrary({ srcRoot: tree });
  const b = await buildLibrary();
  try {
    const childEnv = { ...process.env, ...env, AB_A: a.dir, AB_B: b.dir, AB_ROWS: rows };
    const run = spawnSync(process.execPath, [...nodeArgs, join(root, 'bench', 'sections', section)], { env: childEnv, stdio: 'inherit' });
    if (run.status !== 0) process.exitCode = 1;
  } finally {
    a.remove();
    b.remove();
    rmSync(tree, { recursive: true, force: true });
  }
}

/** The two builds named by `AB_A` and `AB_B`, loaded (in a section run by {@link runOnBothBuilds}). */
export async function loadBothBuilds() {
  const load = async (dir) => ({
    lib: await import(pathToFileURL(join(dir, 'index.js')).href),
    prometheus: await import(pathToFileURL(join(dir, 'prometheus.js')).href).catch(() => undefined),
  });
  return { A: await load(process.env.AB_A), B: await load(process.env.AB_B) };
}

/** Row `id`'s contender measured in an A/B run: firebreak's (or the instrumented one, or the bare call). */
export async function contenderOf({ lib, prometheus }, id) {
  const row = callRows(lib, prometheus).find((candidate) => candidate.id === id);
  if (row === undefined) throw new Error(`no row ${id}`);
  const { contenders } = await row.build();
  return contenders.firebreak ?? contenders.instrumented ?? contenders.bare;
}
