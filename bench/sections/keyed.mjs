// Keyed policies and firebreak/undici: a fetch to a local server plain, through undici's retry
// interceptor and through firebreak/undici (requests per second and p99, one run each, the
// contenders interleaved in rounds); and the retained heap per keyed entry.
import { fork } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { collect, loadFirebreak, quick, report, selected } from '../lib/section.mjs';

const { lib: fb } = await loadFirebreak();
const results = [];

// undici 8 needs Node >= 22.19; undici 7 runs on Node >= 20.18.1.
const [major, minor] = process.versions.node.split('.').map(Number);
const undiciName = major > 22 || (major === 22 && minor >= 19) ? 'undici8' : 'undici';

/** Starts the server in its own process, so that its work is not measured as the client's. */
function startServer() {
  const child = fork(join(import.meta.dirname, '..', 'lib', 'http-server.mjs'), { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('message', (origin) => resolve({ origin, stop: () => child.kill() }));
    child.once('error', reject);
  });
}

/** `count` GETs with `inFlight` at a time through `fetch`: the latencies (ms) and the time taken (ms). */
async function load(fetch, url, count, inFlight) {
  const latencies = [];
  let started = 0;
  const worker = async () => {
    while (started < count) {
      started++;
      const sent = performance.now();
      const response = await fetch(url);
      await response.arrayBuffer();
      latencies.push(performance.now() - sent);
    }
  };
  const begin = performance.now();
  await Promise.all(Array.from({ length: inFlight }, worker));
  return { latencies, ms: performance.now() - begin };
}

/** Requests per second and p99 (ms) over the rounds of one contender. */
function summary(runs) {
  const latencies = runs.flatMap((run) => run.latencies).sort((a, b) => a - b);
  const ms = runs.reduce((sum, run) => sum + run.ms, 0);
  return { requestsPerSecond: latencies.length / (ms / 1000), p99Ms: latencies[Math.floor(latencies.length * 0.99)] };
}

if (selected('fetch')) {
  const undici = await import(undiciName);
  const firebreakUndici = await import(pathToFileURL(join(process.env.BENCH_LIB, 'undici.js')).href);
  const server = await startServer();
  try {
    const agents = {
      plain: new undici.Agent(),
      'undici retry': new undici.Agent().compose(undici.interceptors.retry()),
      firebreak: new undici.Agent().compose(firebreakUndici.interceptor()),
    };
    const total = quick ? 500 : 20_000;
    const rounds = quick ? 1 : 5;
    const inFlight = 32;
    const url = `${server.origin}/`;
    const names = Object.keys(agents);
    const fetchWith = (name) => (u) => undici.fetch(u, { dispatcher: agents[name] });
    for (const name of names) await load(fetchWith(name), url, 200, inFlight);
    const runs = Object.fromEntries(names.map((name) => [name, []]));
    for (let round = 0; round < rounds; round++) {
      for (const name of round % 2 ? [...names].reverse() : names) runs[name].push(await load(fetchWith(name), url, total / rounds, inFlight));
    }
    const contenders = Object.fromEntries(names.map((name) => [name, summary(runs[name])]));
    for (const agent of Object.values(agents)) await agent.close();
    results.push({
      id: 'fetch',
      title: `undici.fetch (${undiciName}) of a local server, ${total.toLocaleString('en')} requests, ${inFlight} in flight`,
      contenders,
      ratios: {
        'firebreak/plain (req/s)': contenders.firebreak.requestsPerSecond / contenders.plain.requestsPerSecond,
        'firebreak/undici retry (req/s)': contenders.firebreak.requestsPerSecond / contenders['undici retry'].requestsPerSecond,
      },
    });
  } finally {
    server.stop();
  }
  process.stderr.write('  keyed: fetch\n');
}

/** Bytes retained per key of a keyed policy built by `build`, after one call through each key. */
async function perEntry(build, count) {
  await collect();
  const before = process.memoryUsage().heapUsed;
  const keyed = fb.keyed(build, { maxKeys: count });
  for (let i = 0; i < count; i++) await keyed.execute(`https://host-${i}.example`, async () => 1);
  await collect();
  const after = process.memoryUsage().heapUsed;
  if (keyed.size !== count) throw new Error(`kept ${keyed.size} of ${count} keys`);
  return (after - before) / count;
}

if (selected('keyed-entry')) {
  const count = quick ? 1_000 : 10_000;
  const shared = fb.timeout(1_000);
  const contenders = {
    'keyed alone (one shared policy)': { bytes: await perEntry(() => shared, count) },
    'keyed + circuitBreaker': { bytes: await perEntry((key) => fb.circuitBreaker({ name: key }), count) },
    'keyed + firebreak/undici default policy': {
      bytes: await perEntry((key) => fb.firebreak(key, { retry: { maxAttempts: 3 }, circuitBreaker: {} }), count),
    },
  };
  results.push({
    id: 'keyed-entry',
    title: `retained heap per keyed entry (${count.toLocaleString('en')} keys, one call each, after GC)`,
    contenders,
    ratios: { 'keyed overhead / entry with a breaker': contenders['keyed alone (one shared policy)'].bytes / contenders['keyed + circuitBreaker'].bytes },
  });
  process.stderr.write('  keyed: keyed-entry\n');
}

report({ rows: results });
