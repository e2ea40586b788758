// Retained heap per instance: N instances, one call through each, then GC; the growth of the
// heap over N. Contenders alternate within each round; the figure is the median over rounds.
import { median } from '../lib/harness.mjs';
import { cockatielPolicies, firebreakPolicies, opossumPolicies } from '../lib/peers.mjs';
import { collect, loadFirebreak, missing, quick, report, selected } from '../lib/section.mjs';

const { lib: fb } = await loadFirebreak();
const ours = firebreakPolicies(fb);
const instances = quick ? 1_000 : 10_000;
const rounds = quick ? 1 : 3;

const work = async () => 1;
const viaExecute = (policy) => policy.execute(work);
const viaFire = (breaker) => breaker.fire();
const shutdown = (breaker) => breaker.shutdown();

const breakerRow = (type) => ({
  id: `breaker-${type}`,
  title: `circuit breaker, ${type} window`,
  needs: ['circuitBreaker'],
  contenders: {
    firebreak: { create: () => ours.breaker(type), call: viaExecute },
    cockatiel: { create: () => cockatielPolicies.breaker(type), call: viaExecute },
    opossum: { create: () => opossumPolicies.plain(work), call: viaFire, dispose: shutdown },
  },
});

const rows = [
  breakerRow('consecutive'),
  breakerRow('count'),
  breakerRow('time'),
  {
    id: 'bulkhead',
    title: 'bulkhead (100, queue 100)',
    needs: ['bulkhead'],
    contenders: {
      firebreak: { create: () => ours.bulkhead(100), call: viaExecute },
      cockatiel: { create: () => cockatielPolicies.bulkhead(100), call: viaExecute },
      opossum: { create: () => opossumPolicies.bulkhead(work), call: viaFire, dispose: shutdown },
    },
  },
  {
    id: 'pipeline',
    title: 'full pipeline (firebreak() / wrap of 5 / CircuitBreaker)',
    needs: ['firebreak', 'circuitBreaker', 'bulkhead', 'retry'],
    contenders: {
      firebreak: { create: () => ours.pipeline('bench'), call: viaExecute },
      cockatiel: { create: () => cockatielPolicies.pipeline(), call: viaExecute },
      opossum: { create: () => opossumPolicies.pipeline(work), call: viaFire, dispose: shutdown },
    },
  },
];

/** Bytes retained per instance of `create()` after one call through each. */
async function retainedPerInstance({ create, call, dispose }, count) {
  await collect();
  const before = process.memoryUsage().heapUsed;
  const kept = new Array(count);
  for (let i = 0; i < count; i++) kept[i] = create();
  for (let i = 0; i < count; i++) await call(kept[i]);
  await collect();
  const after = process.memoryUsage().heapUsed;
  if (dispose) for (const instance of kept) dispose(instance);
  kept.length = 0;
  return (after - before) / count;
}

const results = [];
for (const row of rows) {
  if (!selected(row.id)) continue;
  const absent = missing(fb, ...row.needs);
  if (absent.length > 0) {
    results.push({ id: row.id, title: row.title, pending: `not exported yet: ${absent.join(', ')}` });
    continue;
  }
  const names = Object.keys(row.contenders);
  for (const name of names) await retainedPerInstance(row.contenders[name], 100);
  const perRound = [];
  for (let round = 0; round < rounds; round++) {
    const bytes = {};
    for (const name of round % 2 ? [...names].reverse() : names) bytes[name] = await retainedPerInstance(row.contenders[name], instances);
    perRound.push(bytes);
  }
  const bytesPerInstance = Object.fromEntries(names.map((name) => [name, median(perRound.map((b) => b[name]))]));
  results.push({
    id: row.id,
    title: row.title,
    bytesPerInstance,
    ratios: {
      'firebreak/cockatiel': bytesPerInstance.firebreak / bytesPerInstance.cockatiel,
      'firebreak/opossum': bytesPerInstance.firebreak / bytesPerInstance.opossum,
    },
  });
  process.stderr.write(`  memory: ${row.id}\n`);
}
report({ instances, rounds, rows: results });
