#!/usr/bin/env node
// Profiles one contender of one per-call row with `node --cpu-prof` and prints where the time
// goes: self time per function, mapped to src/ through the build's source map, and per file.
// Usage: node bench/profile.mjs ROW [--contender firebreak] [--seconds 4] [--top 25]
//   e.g. node bench/profile.mjs pipeline; node bench/profile.mjs open-circuit --contender cockatiel
// The .cpuprofile is kept in .tmp/bench-prof/ (open it in Chrome DevTools for the call tree).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildLibrary, root } from './lib/build.mjs';

function parseArgs(argv) {
  const args = { row: undefined, contender: 'firebreak', seconds: 4, top: 25 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--contender') args.contender = argv[++i];
    else if (arg === '--seconds') args.seconds = Number(argv[++i]);
    else if (arg === '--top') args.top = Number(argv[++i]);
    else if (!arg.startsWith('--') && args.row === undefined) args.row = arg;
    else throw new Error(`unknown argument ${arg}`);
  }
  if (args.row === undefined) throw new Error('usage: node bench/profile.mjs ROW [--contender NAME] [--seconds N] [--top N]');
  return args;
}

/** Maps a position in a built file to `src/...:line`, when the build has a source map for it. */
function sourceMapper() {
  const maps = new Map();
  return (url, line, column) => {
    if (!url.startsWith('file://')) return undefined;
    const file = fileURLToPath(url);
    if (!maps.has(file)) {
      let map;
      try {
        map = new SourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8')));
      } catch {
        map = null;
      }
      maps.set(file, map);
    }
    const map = maps.get(file);
    if (!map) return undefined;
    const entry = map.findEntry(line, column);
    if (!entry?.originalSource) return undefined;
    const source = entry.originalSource.startsWith('file://') ? fileURLToPath(entry.originalSource) : join(file, '..', entry.originalSource);
    return `${relative(root, source)}:${entry.originalLine + 1}`;
  };
}

function where(frame, mapSource) {
  const mapped = mapSource(frame.url, frame.lineNumber, frame.columnNumber);
  if (mapped) return mapped;
  if (!frame.url) return '(native)';
  const path = frame.url.startsWith('file://') ? relative(root, fileURLToPath(frame.url)) : frame.url;
  return `${path}:${frame.lineNumber + 1}`;
}

/** Self time per function and per file, as shares of the profile's samples. */
function summarise(profile, top) {
  const mapSource = sourceMapper();
  const total = profile.samples.length;
  const hits = new Map(profile.nodes.map((node) => [node.id, 0]));
  for (const id of profile.samples) hits.set(id, hits.get(id) + 1);
  const byFunction = new Map();
  const byFile = new Map();
  for (const node of profile.nodes) {
    const count = hits.get(node.id);
    if (count === 0) continue;
    const place = where(node.callFrame, mapSource);
    const name = node.callFrame.functionName || '(anonymous)';
    const key = `${name}  ${place}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + count);
    const file = place.replace(/:\d+$/, '');
    byFile.set(file, (byFile.get(file) ?? 0) + count);
  }
  const lines = (map) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([key, count]) => `${((100 * count) / total).toFixed(1).padStart(5)} %  ${key}`);
  return [`self time by function (${total} samples)`, ...lines(byFunction), '', 'self time by file', ...lines(byFile)].join('\n');
}

const args = parseArgs(process.argv.slice(2));
const build = await buildLibrary({ sourcemap: true });
const dir = join(root, '.tmp', 'bench-prof');
mkdirSync(dir, { recursive: true });
const name = `${args.row}-${args.contender}`;
for (const file of readdirSync(dir)) if (file.startsWith(`${name}.`)) rmSync(join(dir, file));
try {
  const result = spawnSync(
    process.execPath,
    ['--expose-gc', '--cpu-prof', `--cpu-prof-dir=${dir}`, `--cpu-prof-name=${name}.cpuprofile`, join(root, 'bench', 'sections', 'profile-target.mjs')],
    {
      stdio: 'inherit',
      env: { ...process.env, BENCH_LIB: build.dir, BENCH_PROFILE_ROW: args.row, BENCH_PROFILE_CONTENDER: args.contender, BENCH_PROFILE_SECONDS: String(args.seconds) },
    },
  );
  if (result.status !== 0) throw new Error(`profiling failed (${result.signal ?? `exit code ${result.status}`})`);
  const file = join(dir, `${name}.cpuprofile`);
  process.stdout.write(`${args.row} / ${args.contender}: ${relative(root, file)}\n${summarise(JSON.parse(readFileSync(file, 'utf8')), args.top)}\n`);
} finally {
  build.remove();
}
