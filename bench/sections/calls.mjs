// Per-call overhead on `async () => 1`: firebreak against cockatiel and opossum, row by row.
import { measureRow } from '../lib/harness.mjs';
import { cockatielPolicies, firebreakPolicies, opossumPolicies, TIMEOUT_MS } from '../lib/peers.mjs';
import { loadFirebreak, missing, quick, report, selected } from '../lib/section.mjs';

const { lib: fb, prometheus } = await loadFirebreak();
const ours = firebreakPolicies(fb);
const settings = quick ? { rounds: 1, ms: 15 } : { rounds: 5, ms: 250 };

const work = async () => 1;
const boom = new Error('boom');
const failing = () => Promise.reject(boom);
const noop = () => {};

const cockatielCall = (policy) => () => policy.execute(work);
const firebreakCall = (policy) => () => policy.execute(work);
const opossumCall = (breaker) => () => breaker.fire();

/** A row against both peers: `firebreak`, `cockatiel`, `opossum`. */
function againstPeers(firebreakPolicy, cockatielPolicy, opossumBreaker) {
  return {
    contenders: {
      firebreak: { call: firebreakCall(firebreakPolicy) },
      cockatiel: { call: cockatielCall(cockatielPolicy) },
      opossum: { call: opossumCall(opossumBreaker) },
    },
    ratios: [
      ['firebreak', 'cockatiel'],
      ['firebreak', 'opossum'],
    ],
  };
}

const rows = [
  {
    id: 'bare-await',
    title: 'bare await (no policy)',
    needs: [],
    build: () => ({ contenders: { bare: { call: work } }, ratios: [] }),
  },
  {
    id: 'timeout',
    title: `timeout (${TIMEOUT_MS} ms)`,
    needs: ['timeout'],
    build: () => againstPeers(ours.timeout(), cockatielPolicies.timeout(), opossumPolicies.timeout(work)),
  },
  {
    id: 'retry',
    title: 'retry (3 attempts)',
    needs: ['retry'],
    build: () => againstPeers(ours.retry(), cockatielPolicies.retry(), opossumPolicies.plain(work)),
  },
  ...['consecutive', 'count', 'time'].map((type) => ({
    id: `breaker-${type}`,
    title: `circuit breaker, ${type} window`,
    needs: ['circuitBreaker'],
    build: () => againstPeers(ours.breaker(type), cockatielPolicies.breaker(type), opossumPolicies.plain(work)),
  })),
  {
    id: 'bulkhead',
    title: 'bulkhead (100, no queue)',
    needs: ['bulkhead'],
    build: () => againstPeers(ours.bulkhead(), cockatielPolicies.bulkhead(), opossumPolicies.bulkhead(work)),
  },
  {
    id: 'fallback',
    title: 'fallback (value)',
    needs: ['fallback'],
    build: () => againstPeers(ours.fallback(), cockatielPolicies.fallback(), opossumPolicies.fallback(work)),
  },
  {
    id: 'pipeline',
    title: 'full pipeline (firebreak() / wrap of 5 / fire())',
    needs: ['firebreak', 'circuitBreaker', 'bulkhead', 'retry'],
    build: () => {
      const row = againstPeers(ours.pipeline('bench'), cockatielPolicies.pipeline(), opossumPolicies.pipeline(work));
      row.contenders.bare = { call: work };
      row.ratios.push(['firebreak', 'bare']);
      return row;
    },
  },
  {
    id: 'open-circuit',
    title: 'call rejected by an open circuit',
    needs: ['circuitBreaker'],
    build: async () => {
      const ourBreaker = ours.breaker('consecutive', { openFor: 600_000 });
      const theirBreaker = cockatielPolicies.breaker('consecutive', 600_000);
      for (let i = 0; i < 5; i++) {
        await ourBreaker.execute(failing).catch(noop);
        await theirBreaker.execute(failing).catch(noop);
      }
      const opossum = opossumPolicies.plain(work);
      opossum.open();
      if (ourBreaker.state !== 'open') throw new Error(`firebreak breaker is ${ourBreaker.state}, not open`);
      if (theirBreaker.state !== 1) throw new Error('cockatiel breaker did not open');
      if (!opossum.opened) throw new Error('opossum breaker did not open');
      return againstPeers(ourBreaker, theirBreaker, opossum);
    },
  },
  {
    id: 'metrics',
    title: 'full pipeline, Prometheus metrics attached vs not',
    needs: ['firebreak', 'circuitBreaker', 'bulkhead', 'retry'],
    build: async () => {
      if (prometheus === undefined) throw new Pending('firebreak/prometheus (instrument) is not built yet');
      const { Registry } = await import('prom-client');
      const plain = ours.pipeline('bench-plain');
      const instrumented = ours.pipeline('bench-metrics');
      prometheus.instrument(instrumented, { registry: new Registry() });
      return {
        contenders: { instrumented: { call: firebreakCall(instrumented) }, plain: { call: firebreakCall(plain) } },
        ratios: [['instrumented', 'plain']],
      };
    },
  },
  {
    id: 'time-window-failure',
    title: 'failure recorded into a time window of 100,000 successes vs an empty one',
    needs: ['circuitBreaker'],
    build: async () => {
      // Never opens: the threshold is 100 % and the minimum is out of reach.
      const options = { window: { type: 'time', duration: 60_000, buckets: 60 }, failureRateThreshold: 1, minimumCalls: 1_000_000_000 };
      const full = fb.circuitBreaker(options);
      const empty = fb.circuitBreaker(options);
      const fail = (breaker) => () => breaker.execute(failing);
      return {
        contenders: {
          full: {
            call: fail(full),
            before: async () => {
              full.reset();
              for (let i = 0; i < 100_000; i++) await full.execute(work);
            },
          },
          // Emptied before each batch of calls, so that it holds at most one batch of failures.
          empty: { call: fail(empty), everyBatch: () => empty.reset() },
        },
        ratios: [['full', 'empty']],
      };
    },
  },
];

class Pending extends Error {}

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
