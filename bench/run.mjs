#!/usr/bin/env node
// The benchmark suite: builds the library, runs each section in its own node process (with
// --expose-gc), prints the tables and the targets, and writes the figures with --json FILE.
// Usage: node bench/run.mjs [--quick] [--json FILE] [--sections calls,memory,concurrency,soak,keyed]
//                           [--rows id,id] [--cpu-prof]
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { buildLibrary, root } from './lib/build.mjs';
import { printReport } from './lib/print.mjs';
import { evaluateTargets } from './lib/targets.mjs';

const SECTIONS = ['calls', 'memory', 'concurrency', 'soak', 'keyed'];

function parseArgs(argv) {
  const args = { quick: false, json: undefined, sections: SECTIONS, rows: undefined, cpuProf: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const next = argv[++i];
      if (next === undefined) throw new Error(`${arg} needs a value`);
      return next;
    };
    if (arg === '--quick') args.quick = true;
    else if (arg === '--json') args.json = value();
    else if (arg === '--sections') args.sections = value().split(',');
    else if (arg === '--rows') args.rows = value();
    else if (arg === '--cpu-prof') args.cpuProf = true;
    else throw new Error(`unknown argument ${arg}`);
  }
  for (const section of args.sections) if (!SECTIONS.includes(section)) throw new Error(`unknown section ${section}`);
  return args;
}

function runSection(section, { lib, args, out }) {
  const flags = ['--expose-gc'];
  if (args.cpuProf) flags.push('--cpu-prof', `--cpu-prof-dir=${join(root, '.tmp', 'bench-prof')}`, `--cpu-prof-name=${section}.cpuprofile`);
  const env = { ...process.env, BENCH_LIB: lib, BENCH_OUT: out, BENCH_QUICK: args.quick ? '1' : '0' };
  if (args.rows) env.BENCH_ROWS = args.rows;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...flags, join(root, 'bench', 'sections', `${section}.mjs`)], { env, stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code === 0) resolve(JSON.parse(readFileSync(out, 'utf8')));
      else reject(new Error(`bench section ${section} failed (${signal ?? `exit code ${code}`})`));
    });
  });
}

const args = parseArgs(process.argv.slice(2));
const started = performance.now();
process.stderr.write('building the library (tsup)...\n');
const build = await buildLibrary();
try {
  const figures = {
    quick: args.quick,
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    date: new Date().toISOString(),
  };
  for (const section of args.sections) {
    process.stderr.write(`section ${section}...\n`);
    const sectionStarted = performance.now();
    figures[section] = await runSection(section, { lib: build.dir, args, out: join(build.dir, `${section}.json`) });
    figures[section].seconds = (performance.now() - sectionStarted) / 1000;
  }
  figures.targets = evaluateTargets(figures);
  figures.seconds = (performance.now() - started) / 1000;
  printReport(figures);
  if (args.json) {
    mkdirSync(dirname(args.json), { recursive: true });
    writeFileSync(args.json, `${JSON.stringify(figures, null, 2)}\n`);
  }
} finally {
  build.remove();
}
if (args.cpuProf) process.stderr.write(`CPU profiles: ${join(root, '.tmp', 'bench-prof')}\n`);
