// For ab.mjs: each row's firebreak contender from build A and from build B, in one row.
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { measureRow } from '../lib/harness.mjs';
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
  const { nsPerCall, ratios, perRound } = await measureRow({ contenders, ratios: [['B', 'A']] }, settings);
  const rounds = perRound.map((ns) => (ns.B / ns.A).toFixed(3)).join(' ');
  process.stdout.write(`${id}: A ${nsPerCall.A.toFixed(0)} ns, B ${nsPerCall.B.toFixed(0)} ns, B/A ${ratios['B/A'].toFixed(3)} (rounds: ${rounds})\n`);
}
