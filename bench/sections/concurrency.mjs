// 10,000 concurrent calls through a limit of 100, each waiting 1 ms: wall time, CPU time and
// event-loop delay, for firebreak's bulkhead, p-limit and cockatiel's bulkhead.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import * as cockatiel from 'cockatiel';
import pLimit from 'p-limit';
import { median } from '../lib/harness.mjs';
import { CONCURRENCY } from '../lib/peers.mjs';
import { collect, loadFirebreak, missing, quick, report, selected } from '../lib/section.mjs';

const { lib: fb } = await loadFirebreak();
const calls = quick ? 1_000 : 10_000;
const rounds = quick ? 1 : 15;

const waitOneMs = () => new Promise((resolve) => setTimeout(resolve, 1));

/** Each contender makes a fresh limiter for a burst and returns how to run one task through it. */
const contenders = {
  firebreak: () => {
    const limiter = fb.bulkhead({ concurrency: CONCURRENCY, queue: calls });
    return (task) => limiter.execute(task);
  },
  'p-limit': () => pLimit(CONCURRENCY),
  cockatiel: () => {
    const limiter = cockatiel.bulkhead(CONCURRENCY, calls);
    return (task) => limiter.execute(task);
  },
};

async function burst(makeRunner, count) {
  const run = makeRunner();
  await collect();
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  const cpu = process.cpuUsage();
  const started = performance.now();
  const pending = new Array(count);
  for (let i = 0; i < count; i++) pending[i] = run(waitOneMs);
  await Promise.all(pending);
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  delay.disable();
  return {
    wallMs,
    cpuMs: (used.user + used.system) / 1_000,
    loopDelayMeanMs: delay.mean / 1e6,
    loopDelayMaxMs: delay.max / 1e6,
  };
}

const results = [];
const id = 'bulkhead-10k';
const title = `${calls.toLocaleString('en')} concurrent calls through a limit of ${CONCURRENCY}, each waiting 1 ms`;
if (selected(id)) {
  const absent = missing(fb, 'bulkhead');
  if (absent.length > 0) {
    results.push({ id, title, pending: `not exported yet: ${absent.join(', ')}` });
  } else {
    const names = Object.keys(contenders);
    for (const name of names) await burst(contenders[name], calls);
    const perRound = [];
    for (let round = 0; round < rounds; round++) {
      const figures = {};
      for (const name of round % 2 ? [...names].reverse() : names) figures[name] = await burst(contenders[name], calls);
      perRound.push(figures);
    }
    const summary = Object.fromEntries(
      names.map((name) => [
        name,
        Object.fromEntries(Object.keys(perRound[0][name]).map((key) => [key, median(perRound.map((figures) => figures[name][key]))])),
      ]),
    );
    const ratio = (key, a, b) => median(perRound.map((figures) => figures[a][key] / figures[b][key]));
    results.push({
      id,
      title,
      contenders: summary,
      perRound,
      ratios: {
        'cpu firebreak/p-limit': ratio('cpuMs', 'firebreak', 'p-limit'),
        'cpu firebreak/cockatiel': ratio('cpuMs', 'firebreak', 'cockatiel'),
        'wall firebreak/p-limit': ratio('wallMs', 'firebreak', 'p-limit'),
        'wall firebreak/cockatiel': ratio('wallMs', 'firebreak', 'cockatiel'),
        'max loop delay firebreak/p-limit': ratio('loopDelayMaxMs', 'firebreak', 'p-limit'),
        'max loop delay firebreak/cockatiel': ratio('loopDelayMaxMs', 'firebreak', 'cockatiel'),
      },
    });
  }
  process.stderr.write(`  concurrency: ${id}\n`);
}
report({ calls, rounds, rows: results });
