/**
 * The instruments of `firebreak/opentelemetry`, as data: the metrics of `firebreak/prometheus`
 * under OpenTelemetry's names (dots, units in the metadata, durations in seconds). Their names,
 * kinds, units and attributes are public API.
 */
import { CALL_DURATION_BUCKETS, QUEUE_WAIT_BUCKETS } from '../prometheus/metric-definitions.js';

/** The attribute naming the policy; on every instrument and span event. */
export const POLICY_NAME = 'firebreak.policy.name';
/** The key of a keyed policy (`keyed()`) whose policy a point belongs to; bounded by its `maxKeys`. */
export const KEY = 'firebreak.key';
/** A circuit breaker's state (the state entered, for a transition). */
export const CIRCUIT_STATE = 'firebreak.circuit.state';
/** The state a circuit breaker left. */
export const PREVIOUS_STATE = 'firebreak.circuit.previous_state';
/** What a circuit breaker made of a call: success, failure or rejected. */
export const CIRCUIT_RESULT = 'firebreak.circuit.result';
/** Why a bulkhead rejected a call: full, queue-timeout, or shed (an adaptive bulkhead's priority shedding). */
export const BULKHEAD_REASON = 'firebreak.bulkhead.reason';
/** How a call through a retry policy ended: success_without_retry, success_with_retry, ... */
export const RETRY_RESULT = 'firebreak.retry.result';
/** The kind of a failure, from a bounded set (see `errorType`). */
export const ERROR_TYPE = 'error.type';

/**
 * `counter`: an asynchronous counter fed by tallies; `observable`: an asynchronous up-down
 * counter (a level); `gauge`: an asynchronous gauge (a value that does not add up across series).
 */
type Kind = 'counter' | 'histogram' | 'observable' | 'gauge';

interface Definition {
  readonly kind: Kind;
  readonly unit: string;
  readonly description: string;
  readonly buckets?: readonly number[];
}

/** Every instrument, by the key the code uses for it. */
export const INSTRUMENTS = {
  circuitState: {
    name: 'firebreak.circuit.state',
    kind: 'observable',
    unit: '{state}',
    description: 'State of each circuit breaker: 1 for its current state, 0 for the others.',
  },
  circuitCalls: {
    name: 'firebreak.circuit.calls',
    kind: 'counter',
    unit: '{call}',
    description: 'Calls seen by each circuit breaker, by result: success, failure, or rejected without a call.',
  },
  circuitSlowCalls: {
    name: 'firebreak.circuit.slow_calls',
    kind: 'counter',
    unit: '{call}',
    description: "Calls that took at least the circuit breaker's slowCallDuration, successful or not.",
  },
  circuitTransitions: {
    name: 'firebreak.circuit.transitions',
    kind: 'counter',
    unit: '{transition}',
    description: 'State changes of each circuit breaker.',
  },
  bulkheadActive: { name: 'firebreak.bulkhead.active', kind: 'observable', unit: '{call}', description: 'Calls running inside each bulkhead.' },
  bulkheadQueued: { name: 'firebreak.bulkhead.queued', kind: 'observable', unit: '{call}', description: "Calls waiting in each bulkhead's queue." },
  bulkheadConcurrency: {
    name: 'firebreak.bulkhead.concurrency',
    kind: 'observable',
    unit: '{call}',
    description: 'The most calls each bulkhead lets run at once.',
  },
  concurrencyLimit: {
    name: 'firebreak.concurrency.limit',
    kind: 'observable',
    unit: '{call}',
    description: 'The concurrency limit each adaptive bulkhead has learned from latency.',
  },
  bulkheadRejections: {
    name: 'firebreak.bulkhead.rejections',
    kind: 'counter',
    unit: '{call}',
    description: 'Calls each bulkhead rejected, by reason: full, queue-timeout, or shed (turned away for its priority by an adaptive bulkhead).',
  },
  bulkheadWaitTime: {
    name: 'firebreak.bulkhead.wait_time',
    kind: 'histogram',
    unit: 's',
    description: 'Time each admitted call waited for a bulkhead slot (0 when admitted at once).',
    buckets: QUEUE_WAIT_BUCKETS,
  },
  rateLimitRejections: {
    name: 'firebreak.rate_limit.rejections',
    kind: 'counter',
    unit: '{call}',
    description: 'Calls each rate limiter rejected.',
  },
  rateLimitWaitTime: {
    name: 'firebreak.rate_limit.wait_time',
    kind: 'histogram',
    unit: 's',
    description: 'Time each call admitted by a rate limiter waited for its turn (0 when admitted on arrival).',
    buckets: QUEUE_WAIT_BUCKETS,
  },
  timeouts: { name: 'firebreak.timeouts', kind: 'counter', unit: '{timeout}', description: 'Calls that ran past a timeout.' },
  retryCalls: {
    name: 'firebreak.retry.calls',
    kind: 'counter',
    unit: '{call}',
    description: 'Calls through each retry policy, by result and whether they were retried.',
  },
  retries: { name: 'firebreak.retries', kind: 'counter', unit: '{retry}', description: 'Retries made (attempts after the first).' },
  retryBudgetExhausted: {
    name: 'firebreak.retry_budget.exhausted',
    kind: 'counter',
    unit: '{retry}',
    description: 'Retries not made because the retry budget was exhausted.',
  },
  retryBudgetAvailable: {
    name: 'firebreak.retry_budget.available',
    kind: 'observable',
    unit: '{retry}',
    description: 'Retries each retry budget would allow now.',
  },
  fallbacks: { name: 'firebreak.fallbacks', kind: 'counter', unit: '{fallback}', description: 'Failures replaced by a fallback.' },
  hedgeCalls: { name: 'firebreak.hedge.calls', kind: 'counter', unit: '{call}', description: 'Calls through each hedge policy.' },
  hedges: {
    name: 'firebreak.hedges',
    kind: 'counter',
    unit: '{attempt}',
    description: 'Hedged attempts started (attempts after the first); divided by the calls, the extra load hedging adds.',
  },
  hedgeWins: { name: 'firebreak.hedge.wins', kind: 'counter', unit: '{call}', description: 'Calls settled by a hedged attempt rather than the first.' },
  hedgeDelay: {
    name: 'firebreak.hedge.delay',
    kind: 'gauge',
    unit: 's',
    description: 'The delay after which each hedge starts its first hedged attempt now (absent while a percentile delay lacks samples).',
  },
  throttleRejections: { name: 'firebreak.throttle.rejections', kind: 'counter', unit: '{call}', description: 'Calls each adaptive throttle rejected locally.' },
  throttleProbability: {
    name: 'firebreak.throttle.rejection_probability',
    kind: 'gauge',
    unit: '1',
    description: 'The probability with which each adaptive throttle rejects the next call.',
  },
  callDuration: {
    name: 'firebreak.call.duration',
    kind: 'histogram',
    unit: 's',
    description: 'Duration of calls made through an instrumented policy; error.type is set on failures.',
    buckets: CALL_DURATION_BUCKETS,
  },
  keyedOverflows: {
    name: 'firebreak.keyed.overflows',
    kind: 'counter',
    unit: '{call}',
    description: 'Calls for a new key of a keyed policy that found every kept policy holding state, and ran on a policy not kept.',
  },
  fleetStoreErrors: {
    name: 'firebreak.fleet.store_errors',
    kind: 'counter',
    unit: '{error}',
    description: 'Fleet store operations (Redis) that failed or ran past their time limit; the policies ran on local state.',
  },
  fleetConnected: {
    name: 'firebreak.fleet.connected',
    kind: 'observable',
    unit: '1',
    description: 'Whether each fleet reaches its store (1) or runs on local state alone (0).',
  },
} as const satisfies Record<string, Definition & { readonly name: string }>;

/** The key of one instrument in {@link INSTRUMENTS}. */
export type InstrumentKey = keyof typeof INSTRUMENTS;

/** The span events firebreak adds to the active span. */
export const SPAN_EVENTS = {
  retry: 'firebreak.retry',
  circuitRejected: 'firebreak.circuit.rejected',
  fallback: 'firebreak.fallback',
  timeout: 'firebreak.timeout',
  rateLimited: 'firebreak.rate_limit.rejected',
  hedge: 'firebreak.hedge',
  throttled: 'firebreak.throttle.rejected',
} as const;
