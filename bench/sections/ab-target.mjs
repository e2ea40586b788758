// For ab.mjs: each row's firebreak contender from build A and from build B, in one row.
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { median, runContender } from '../lib/harness.mjs';
import { callRows } from '../lib/call-rows.mjs';

const load = async (dir) => ({
  lib: await import(pathToFileURL(join(dir, 'index.js')).href),
  prometheus: await import(pathToFileURL(join(dir, 'prometheus.js')).href).catch(() => undefined),
});
const [a, b] = [await load(process.env.AB_A), await load(process.env.AB_B)];
const settings = { rounds: Number(process.env.AB_ROUNDS), ms: Number(process.env.AB_MS) };
for (const id of process.env.AB_ROWS.split(',')) {
  const pick = async ({ lib, prometheus }) => {
    const row = callRows(lib, prometheus).find((candidate) => candidate.id === id);
    if (row === undefined) throw new Error(`no row ${id}`);
    const { contenders } = await row.build();
    return contenders.firebreak ?? contenders.instrumented;
  };
  const contenders = { A: await pick(a), B: await pick(b) };
  // CPU time of this process per call (process.cpuUsage), not wall time: on a shared machine the
  // other processes' load stretches wall time but not the CPU this process spends.
  const cpuPerCall = async (contender) => {
    const before = process.cpuUsage();
    const calls = await runContender(contender, settings.ms);
    const used = process.cpuUsage(before);
    return ((used.user + used.system) * 1_000) / calls;
  };
  for (const name of ['A', 'B']) await cpuPerCall(contenders[name]);
  const perRound = [];
  for (let round = 0; round < settings.rounds; round++) {
    const ns = {};
    for (const name of round % 2 ? ['B', 'A'] : ['A', 'B']) ns[name] = await cpuPerCall(contenders[name]);
    perRound.push(ns);
  }
  const ratios = perRound.map((ns) => ns.B / ns.A);
  const sorted = [...ratios].sort((x, y) => x - y);
  const spread = `${sorted[0].toFixed(3)}-${sorted.at(-1).toFixed(3)}`;
  process.stdout.write(`${id}: CPU per call A ${median(perRound.map((ns) => ns.A)).toFixed(0)} ns, B ${median(perRound.map((ns) => ns.B)).toFixed(0)} ns, B/A ${median(ratios).toFixed(3)} (${settings.rounds} rounds, ${spread})\n`);
}
