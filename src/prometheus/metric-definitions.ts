/**
 * The metrics of `firebreak/prometheus`, as data: their names, types, labels and help texts are
 * public API (listed in docs/architecture.md and the README). Everything else in this folder
 * builds on this table.
 */

/** The states a circuit breaker reports, one `firebreak_circuit_state` series each. */
export const CIRCUIT_STATES = ['closed', 'open', 'half-open', 'isolated'] as const;

/** A circuit breaker's state as a label value. */
export type CircuitStateLabel = (typeof CIRCUIT_STATES)[number];

/** Values of the `result` label of `firebreak_circuit_calls_total`. */
export const CIRCUIT_RESULTS = ['success', 'failure', 'rejected'] as const;

/** Values of the `reason` label of `firebreak_bulkhead_rejections_total`. */
export const BULKHEAD_REASONS = ['full', 'queue-timeout', 'shed'] as const;

/** Values of the `result` label of `firebreak_retry_calls_total`. */
export const RETRY_RESULTS = ['success_without_retry', 'success_with_retry', 'failure_without_retry', 'failure_with_retry'] as const;

/** A value of the `result` label of `firebreak_retry_calls_total`. */
export type RetryResultLabel = (typeof RETRY_RESULTS)[number];

/** Values of the `outcome` label of `firebreak_call_duration_seconds`. */
export const CALL_OUTCOMES = ['success', 'failure'] as const;

/** Upper bounds (seconds) of `firebreak_call_duration_seconds`: 1 ms to 30 s. */
export const CALL_DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** Upper bounds (seconds) of `firebreak_bulkhead_queue_wait_seconds` and `firebreak_rate_limit_wait_seconds`: 0.5 ms to 10 s. */
export const QUEUE_WAIT_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

interface Definition {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
}

interface HistogramDefinition extends Definition {
  readonly buckets: readonly number[];
}

/** Every metric, by the key the code uses for it. Names are without the user's prefix. */
export const DEFINITIONS = {
  circuitState: {
    name: 'firebreak_circuit_state',
    help: 'State of each circuit breaker: 1 for its current state, 0 for the others.',
    labelNames: ['name', 'state'],
  },
  circuitCalls: {
    name: 'firebreak_circuit_calls_total',
    help: 'Calls seen by each circuit breaker, by result: success, failure, or rejected without a call.',
    labelNames: ['name', 'result'],
  },
  circuitSlowCalls: {
    name: 'firebreak_circuit_slow_calls_total',
    help: 'Calls that took at least the circuit breaker\'s slowCallDuration, successful or not.',
    labelNames: ['name'],
  },
  circuitTransitions: {
    name: 'firebreak_circuit_transitions_total',
    help: 'State changes of each circuit breaker.',
    labelNames: ['name', 'from', 'to'],
  },
  bulkheadActive: {
    name: 'firebreak_bulkhead_active',
    help: 'Calls running inside each bulkhead.',
    labelNames: ['name'],
  },
  bulkheadQueued: {
    name: 'firebreak_bulkhead_queued',
    help: 'Calls waiting in each bulkhead\'s queue.',
    labelNames: ['name'],
  },
  bulkheadConcurrency: {
    name: 'firebreak_bulkhead_concurrency',
    help: 'The most calls each bulkhead lets run at once.',
    labelNames: ['name'],
  },
  concurrencyLimit: {
    name: 'firebreak_concurrency_limit',
    help: 'The concurrency limit each adaptive bulkhead has learned from latency.',
    labelNames: ['name'],
  },
  bulkheadRejections: {
    name: 'firebreak_bulkhead_rejections_total',
    help: 'Calls each bulkhead rejected, by reason: full, queue-timeout, or shed (turned away for its priority by an adaptive bulkhead).',
    labelNames: ['name', 'reason'],
  },
  bulkheadQueueWait: {
    name: 'firebreak_bulkhead_queue_wait_seconds',
    help: 'Time each admitted call waited for a bulkhead slot (0 when admitted at once).',
    labelNames: ['name'],
    buckets: QUEUE_WAIT_BUCKETS,
  },
  timeouts: {
    name: 'firebreak_timeouts_total',
    help: 'Calls that ran past a timeout.',
    labelNames: ['name'],
  },
  retryCalls: {
    name: 'firebreak_retry_calls_total',
    help: 'Calls through each retry policy, by result and whether they were retried.',
    labelNames: ['name', 'result'],
  },
  retries: {
    name: 'firebreak_retries_total',
    help: 'Retries made (attempts after the first).',
    labelNames: ['name'],
  },
  retryBudgetExhausted: {
    name: 'firebreak_retry_budget_exhausted_total',
    help: 'Retries not made because the retry budget was exhausted.',
    labelNames: ['name'],
  },
  retryBudgetAvailable: {
    name: 'firebreak_retry_budget_available',
    help: 'Retries each retry budget would allow now.',
    labelNames: ['name'],
  },
  fallbacks: {
    name: 'firebreak_fallbacks_total',
    help: 'Failures replaced by a fallback.',
    labelNames: ['name'],
  },
  hedgeCalls: {
    name: 'firebreak_hedge_calls_total',
    help: 'Calls through each hedge policy.',
    labelNames: ['name'],
  },
  hedges: {
    name: 'firebreak_hedges_total',
    help: 'Hedged attempts started (attempts after the first); divided by the calls, the extra load hedging adds.',
    labelNames: ['name'],
  },
  hedgeWins: {
    name: 'firebreak_hedge_wins_total',
    help: 'Calls settled by a hedged attempt rather than the first.',
    labelNames: ['name'],
  },
  hedgeDelay: {
    name: 'firebreak_hedge_delay_seconds',
    help: 'The delay after which each hedge starts its first hedged attempt now (absent while a percentile delay lacks samples).',
    labelNames: ['name'],
  },
  rateLimitRejections: {
    name: 'firebreak_rate_limit_rejections_total',
    help: 'Calls each rate limiter rejected.',
    labelNames: ['name'],
  },
  rateLimitWait: {
    name: 'firebreak_rate_limit_wait_seconds',
    help: 'Time each admitted call waited for its turn at a rate limiter (0 when admitted at once).',
    labelNames: ['name'],
    buckets: QUEUE_WAIT_BUCKETS,
  },
  throttleRejections: {
    name: 'firebreak_throttle_rejections_total',
    help: 'Calls each adaptive throttle rejected locally.',
    labelNames: ['name'],
  },
  throttleProbability: {
    name: 'firebreak_throttle_rejection_probability',
    help: 'The probability with which each adaptive throttle rejects the next call.',
    labelNames: ['name'],
  },
  keyedOverflows: {
    name: 'firebreak_keyed_overflows_total',
    help: 'Calls for a new key of a keyed policy that found every kept policy holding state, and ran on a policy not kept.',
    labelNames: ['name'],
  },
  fleetStoreErrors: {
    name: 'firebreak_fleet_store_errors_total',
    help: 'Fleet store operations (Redis) that failed or ran past their time limit; the policies ran on local state.',
    labelNames: ['name'],
  },
  fleetConnected: {
    name: 'firebreak_fleet_connected',
    help: 'Whether each fleet reaches its store (1) or runs on local state alone (0).',
    labelNames: ['name'],
  },
  callDuration: {
    name: 'firebreak_call_duration_seconds',
    help: 'Duration of calls made through an instrumented policy, by outcome.',
    labelNames: ['name', 'outcome'],
    buckets: CALL_DURATION_BUCKETS,
  },
} as const satisfies Record<string, Definition | HistogramDefinition>;

/** The key of one metric in {@link DEFINITIONS}. */
export type MetricKey = keyof typeof DEFINITIONS;

/**
 * The `result` label of `firebreak_retry_calls_total` for a call that settled after `attempts`
 * attempts, successfully (`ok`) or not.
 */
export function retryResult(ok: boolean, attempts: number): RetryResultLabel {
  return RETRY_RESULTS[retryResultIndex(ok, attempts)] as RetryResultLabel;
}

/** The index in {@link RETRY_RESULTS} of the result of a call that succeeded or not after `attempts` attempts. */
export function retryResultIndex(ok: boolean, attempts: number): number {
  return (ok ? 0 : 2) + (attempts > 1 ? 1 : 0);
}
