// The targets of issue 19 (restating issue 8's), each checked against a ratio measured in the same run.

const POLICY_ROWS = ['timeout', 'retry', 'breaker-consecutive', 'breaker-count', 'breaker-time', 'bulkhead', 'fallback'];
const BREAKER_MEMORY_ROWS = ['breaker-consecutive', 'breaker-count', 'breaker-time'];

function target(id, description, section, rowId, ratio, limit) {
  const row = section?.rows?.find((candidate) => candidate.id === rowId);
  if (row === undefined) return { id, description, ratio: null, limit, met: null, status: 'not run' };
  if (row.pending) return { id, description, ratio: null, limit, met: null, status: `pending: ${row.pending}` };
  const value = row.ratios[ratio];
  const met = value <= limit;
  return { id, description, ratio: value, limit, met, status: met ? 'met' : 'missed' };
}

/** Every target, met or missed, with the ratio it was judged on. */
export function evaluateTargets(figures) {
  const { calls, memory, concurrency, soak, hedging } = figures;
  const targets = [
    target('pipeline-vs-cockatiel', 'full pipeline ≤ 0.05 of cockatiel wrap', calls, 'pipeline', 'firebreak/cockatiel', 0.05),
    target('pipeline-vs-bare', 'full pipeline ≤ 12 bare awaits', calls, 'pipeline', 'firebreak/bare', 12),
    target('pipeline-vs-opossum', 'full pipeline (6 stages) ≤ opossum fire() (timeout, capacity, fallback)', calls, 'pipeline', 'firebreak/opossum', 1),
  ];
  for (const id of POLICY_ROWS) {
    targets.push(target(`${id}-vs-cockatiel`, `${id} alone ≤ 0.5 of cockatiel`, calls, id, 'firebreak/cockatiel', 0.5));
    targets.push(target(`${id}-vs-opossum`, `${id} alone ≤ 0.2 of opossum fire()`, calls, id, 'firebreak/opossum', 0.2));
  }
  targets.push(
    target('open-circuit-vs-cockatiel', 'open-circuit rejection ≤ 0.15 of cockatiel', calls, 'open-circuit', 'firebreak/cockatiel', 0.15),
    target('open-circuit-vs-opossum', 'open-circuit rejection ≤ 0.2 of opossum', calls, 'open-circuit', 'firebreak/opossum', 0.2),
    target('metrics-overhead', 'Prometheus instrumentation ≤ 1.15× uninstrumented pipeline', calls, 'metrics', 'instrumented/plain', 1.15),
  );
  for (const id of BREAKER_MEMORY_ROWS) {
    targets.push(target(`memory-${id}`, `memory per ${id} ≤ 0.5 of cockatiel`, memory, id, 'firebreak/cockatiel', 0.5));
  }
  targets.push(
    target('memory-pipeline', 'memory per pipeline ≤ 0.5 of cockatiel', memory, 'pipeline', 'firebreak/cockatiel', 0.5),
    target('bulkhead-10k-cpu', 'bulkhead, 10,000 concurrent calls: CPU ≤ p-limit', concurrency, 'bulkhead-10k', 'cpu firebreak/p-limit', 1),
    target('bulkhead-10k-cpu-cockatiel', 'bulkhead, 10,000 concurrent calls: CPU ≤ cockatiel', concurrency, 'bulkhead-10k', 'cpu firebreak/cockatiel', 1),
    target('hedge-p999', 'hedging after p95: p99.9 ≤ 1/4 of no hedging (simulated heavy tail)', hedging, 'p95', 'p99.9 hedged/none', 1 / 4),
    target('hedge-load', 'hedging after p95: extra load ≤ 7 %', hedging, 'p95', 'extra load', 0.07),
    target('soak-heap', 'soak: heap at the end ≤ 105 % of the heap after 100,000 calls', soak, 'soak', 'heap end/after first 10%', 1.05),
  );
  return targets;
}
