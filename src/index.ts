export type { Alternative, CallContext, CallEvent, ExecuteOptions, ObservablePolicy, Operation, Outcome, Policy, ShouldHandle } from './policy.js';
export { pipeline, type Pipeline } from './pipeline.js';
export { manualClock, systemClock, MAX_TIMER_DELAY, type Clock, type ManualClock, type TimerHandle } from './clock.js';
export type { Subscribe, Unsubscribe } from './events.js';

export { FirebreakError, type FirebreakErrorOptions } from './errors/firebreak-error.js';
export { InvalidOptionError } from './errors/invalid-option-error.js';
export { TimeoutError } from './errors/timeout-error.js';
export { BulkheadRejectedError, type BulkheadRejectionReason } from './errors/bulkhead-rejected-error.js';
export { isFastFail } from './errors/fast-fail.js';
export { CircuitOpenError, type CircuitRejectionState } from './errors/circuit-open-error.js';

export { timeout, type TimeoutEvent, type TimeoutOptions, type TimeoutPolicy, type TimeoutStrategy } from './timeout/timeout.js';
export {
  fallback,
  replacedFailure,
  type FallbackSpec,
  type FallbackContext,
  type FallbackEvent,
  type FallbackFunction,
  type FallbackOptions,
  type FallbackPolicy,
} from './fallback/fallback.js';
export {
  bulkhead,
  type BulkheadAdmittedEvent,
  type BulkheadOptions,
  type BulkheadPolicy,
  type BulkheadQueuedEvent,
  type BulkheadRejectedEvent,
  type BulkheadStats,
} from './bulkhead/bulkhead.js';
export { circuitBreaker, type CircuitBreakerPolicy } from './circuit-breaker/circuit-breaker.js';
export type { CircuitBreakerOptions, CircuitHalfOpenOptions, CircuitWindowOptions, OpenForBackoff } from './circuit-breaker/options.js';
export type { CircuitBreakerSnapshot } from './circuit-breaker/snapshot.js';
export type { CircuitState } from './circuit-breaker/state-machine.js';
export type {
  CircuitCloseEvent,
  CircuitFailureEvent,
  CircuitHalfOpenEvent,
  CircuitIsolation,
  CircuitOpenEvent,
  CircuitRejectedEvent,
  CircuitStateChangeEvent,
  CircuitStats,
  CircuitSuccessEvent,
} from './circuit-breaker/events.js';

export { retry, type GiveUpEvent, type RetryEvent, type RetryOptions, type RetryPolicy, type RetrySettledEvent } from './retry/retry.js';
export type { GiveUpReason } from './retry/decide.js';
export { constant, type Backoff } from './retry/backoff.js';
export { exponential, type ExponentialOptions, type Jitter } from './retry/backoff-exponential.js';
export { retryBudget, type RetryBudget, type RetryBudgetOptions, type RetryBudgetStats } from './retry/budget.js';
export { httpShouldHandle, isTransientHttpStatus, isTransientNetworkError, retryAfterMs, type HasHeaders } from './retry/http.js';
export type { FirebreakRetryOptions } from './retry/firebreak-stage.js';

export { chaos } from './chaos/chaos.js';
export type { ChaosOptions } from './chaos/chaos-options.js';
export type { ChaosEnabled } from './chaos/decide.js';
export type { ChaosEvent, ChaosPolicy } from './chaos/chaos-policy.js';
export type { FaultOptions } from './chaos/fault.js';
export type { LatencyOptions } from './chaos/latency.js';
export type { ResultOptions } from './chaos/result.js';

export { firebreak, type Firebreak, type FirebreakFallback, type FirebreakOptions } from './firebreak.js';

// The remaining policies (issue 18): hedging, rate limiting, adaptive throttling.
export { rateLimiter, type RateLimitAdmittedEvent, type RateLimitedEvent, type RateLimiterOptions, type RateLimiterPolicy, type RateLimiterStats } from './rate-limiter/rate-limiter.js';
export { RateLimitedError } from './errors/rate-limited-error.js';
export {
  adaptiveThrottle,
  type AdaptiveThrottleOptions,
  type AdaptiveThrottlePolicy,
  type AdaptiveThrottleStats,
  type ThrottledEvent,
} from './throttle/adaptive-throttle.js';
export { ThrottledError } from './errors/throttled-error.js';
export { hedge, type HedgeEvent, type HedgeOptions, type HedgePolicy, type HedgeSettledEvent, type HedgeStats } from './hedge/hedge.js';
export type { HedgeDelay } from './hedge/delay.js';
export { HedgeLostError } from './errors/hedge-lost-error.js';

// Adaptive concurrency (wave 2, DESIGN.md 8.3): a bulkhead whose limit is learned from latency.
export {
  adaptiveBulkhead,
  type AdaptiveBulkheadOptions,
  type AdaptiveBulkheadPolicy,
  type AdaptiveBulkheadStats,
  type AdaptivePartitions,
  type LimitChangeEvent,
} from './adaptive/adaptive-bulkhead.js';
export type { LimitAlgorithmName } from './adaptive/limit.js';
export type { Priority } from './adaptive/priority.js';

// Keyed policies: one policy per key (origin, tenant, shard) with bounded memory.
export { keyed, type KeyedEvictEvent, type KeyedEvictReason, type KeyedOptions, type KeyedPolicy, type KeyedStats } from './keyed/keyed.js';

// diagnostics_channel: the channels the core publishes its events on (wave 2, OpenTelemetry).
export type { DiagnosticsMessage } from './diagnostics.js';

// Fleets: policies of many replicas sharing what they learn (firebreak/redis implements the store).
export type {
  Fleet,
  FleetBreakerMember,
  FleetBreakerPool,
  FleetBreakerReport,
  FleetBreakerView,
  FleetBudgetMember,
  FleetBudgetReport,
  FleetBudgetRules,
  FleetBudgetView,
  FleetIsolation,
  FleetLimiterMember,
  FleetLimiterReport,
  FleetLimiterRules,
  FleetLimiterView,
  FleetMembership,
} from './fleet/fleet.js';
export type { FleetReplica, FleetStore } from './fleet/store.js';
export { storeFleet, type FleetStats, type StoreFleet, type StoreFleetOptions } from './fleet/store-fleet.js';
