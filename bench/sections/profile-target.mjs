// Runs one contender of one per-call row in timed batches for a few seconds, for profile.mjs.
import { runContender } from '../lib/harness.mjs';
import { callRows } from '../lib/call-rows.mjs';
import { loadFirebreak } from '../lib/section.mjs';

const { lib: fb, prometheus } = await loadFirebreak();
const rowId = process.env.BENCH_PROFILE_ROW;
const contenderName = process.env.BENCH_PROFILE_CONTENDER;
const row = callRows(fb, prometheus).find((candidate) => candidate.id === rowId);
if (row === undefined) throw new Error(`no row ${rowId}; rows: ${callRows(fb, prometheus).map((r) => r.id).join(', ')}`);
const { contenders } = await row.build();
const contender = contenders[contenderName];
if (contender === undefined) throw new Error(`row ${rowId} has no contender ${contenderName}; it has ${Object.keys(contenders).join(', ')}`);
const calls = await runContender(contender, Number(process.env.BENCH_PROFILE_SECONDS) * 1_000);
process.stderr.write(`${calls.toLocaleString('en')} calls\n`);
