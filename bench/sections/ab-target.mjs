// For ab.mjs: each row's firebreak contender from build A and from build B, in one row.
import { contenderOf, loadBothBuilds } from '../lib/ab-builds.mjs';
import { median, runContender } from '../lib/harness.mjs';

const builds = await loadBothBuilds();
const settings = { rounds: Number(process.env.AB_ROUNDS), ms: Number(process.env.AB_MS) };
for (const id of process.env.AB_ROWS.split(',')) {
  const contenders = { A: await contenderOf(builds.A, id), B: await contenderOf(builds.B, id) };
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
