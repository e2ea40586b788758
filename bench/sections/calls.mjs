// Per-call overhead on `async () => 1`: firebreak against cockatiel and opossum, row by row.
import { measureRow } from '../lib/harness.mjs';
import { callRows, Pending } from '../lib/call-rows.mjs';
import { loadFirebreak, missing, quick, report, selected } from '../lib/section.mjs';

const { lib: fb, prometheus } = await loadFirebreak();
const settings = quick ? { rounds: 1, ms: 15 } : { rounds: 5, ms: 250 };

const rows = callRows(fb, prometheus);

const results = [];
for (const row of rows) {
  if (!selected(row.id)) continue;
  const rowStarted = performance.now();
  const absent = missing(fb, ...row.needs);
  if (absent.length > 0) {
    results.push({ id: row.id, title: row.title, pending: `not exported yet: ${absent.join(', ')}` });
    continue;
  }
  try {
    const definition = await row.build();
    const measured = await measureRow(definition, settings);
    results.push({ id: row.id, title: row.title, ...measured });
  } catch (error) {
    if (!(error instanceof Pending) && !(error?.name === 'InvalidOptionError')) throw error;
    results.push({ id: row.id, title: row.title, pending: error.message });
  }
  process.stderr.write(`  calls: ${row.id} (${((performance.now() - rowStarted) / 1000).toFixed(1)} s)\n`);
}
report({ settings, rows: results });
