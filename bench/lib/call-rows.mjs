// The rows of the per-call section: for each, how to build its contenders (firebreak and the
// peers, or the variants compared) and which ratios to take. Shared by sections/calls.mjs and
// profile.mjs.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { cockatielPolicies, firebreakPolicies, opossumPolicies, TIMEOUT_MS } from './peers.mjs';

/** Thrown by a row whose subject is not built yet (reported as pending, not as a failure). */
export class Pending extends Error {}

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

/**
 * The rows, in print order. Each has `id`, `title`, `needs` (firebreak exports it uses) and
 * `build()`, which returns `{ contenders, ratios }` for harness.mjs.
 */
export function callRows(fb, prometheus) {
  const ours = firebreakPolicies(fb);
  return [
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
      id: 'adaptive-bulkhead',
      title: 'adaptive bulkhead (gradient2, limit 100) vs a static bulkhead (100)',
      needs: ['adaptiveBulkhead', 'bulkhead'],
      build: () => ({
        contenders: {
          adaptive: { call: firebreakCall(fb.adaptiveBulkhead({ initial: 100, min: 100, max: 100 })) },
          static: { call: firebreakCall(fb.bulkhead({ concurrency: 100 })) },
        },
        ratios: [['adaptive', 'static']],
      }),
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
        const row = againstPeers(ourBreaker, theirBreaker, opossum);
        // The floor: a rejected promise caught by the caller, with no policy.
        row.contenders['bare rejection'] = { call: failing };
        return row;
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
      id: 'opentelemetry',
      title: 'full pipeline, OpenTelemetry instruments attached (SDK 2 meter provider) vs not',
      needs: ['firebreak', 'circuitBreaker', 'bulkhead', 'retry'],
      build: async () => {
        const otel = await import(pathToFileURL(join(process.env.BENCH_LIB ?? '', 'opentelemetry.js')).href).catch(() => undefined);
        if (typeof otel?.instrument !== 'function') throw new Pending('firebreak/opentelemetry (instrument) is not built yet');
        const { MeterProvider, MetricReader } = await import('@opentelemetry/sdk-metrics');
        // A reader is what makes the SDK aggregate; it is never collected during the run.
        class Reader extends MetricReader {
          async onForceFlush() {}
          async onShutdown() {}
        }
        const plain = ours.pipeline('bench-plain');
        const instrumented = ours.pipeline('bench-otel');
        otel.instrument(instrumented, { meterProvider: new MeterProvider({ readers: [new Reader()] }) });
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
}
