// The same protections built with firebreak, cockatiel@3 and opossum@9, configured alike
// (see bench/README.md for the correspondence). Every factory takes the function to protect
// where a library binds it at construction (opossum).
import * as cockatiel from 'cockatiel';
import CircuitBreaker from 'opossum';

const { handleAll, ConsecutiveBreaker, CountBreaker, SamplingBreaker, TimeoutStrategy, ExponentialBackoff } = cockatiel;

/** Long enough never to fire during a benchmark, short enough to be a realistic setting. */
export const TIMEOUT_MS = 1_000;
export const TOTAL_TIMEOUT_MS = 2_000;
export const OPEN_FOR_MS = 10_000;
export const CONCURRENCY = 100;

/** Window settings shared by the three libraries: 5 consecutive failures; 100 calls; 10 s in 10 buckets; 50 %. */
export const WINDOWS = {
  consecutive: {
    firebreak: { window: { type: 'consecutive', failures: 5 } },
    cockatiel: () => new ConsecutiveBreaker(5),
  },
  count: {
    firebreak: { window: { type: 'count', size: 100 }, failureRateThreshold: 0.5, minimumCalls: 20 },
    cockatiel: () => new CountBreaker({ threshold: 0.5, size: 100, minimumNumberOfCalls: 20 }),
  },
  time: {
    firebreak: { window: { type: 'time', duration: 10_000, buckets: 10 }, failureRateThreshold: 0.5, minimumCalls: 20 },
    cockatiel: () => new SamplingBreaker({ threshold: 0.5, duration: 10_000, minimumRps: 2 }),
  },
};

/** opossum's settings for a breaker like the ones above (its window is always a rolling time window). */
const OPOSSUM_BREAKER = {
  errorThresholdPercentage: 50,
  volumeThreshold: 20,
  rollingCountTimeout: 10_000,
  rollingCountBuckets: 10,
  resetTimeout: OPEN_FOR_MS,
};

/** firebreak()'s six stages as the benchmark configures them. */
export const PIPELINE_OPTIONS = {
  fallback: 0,
  totalTimeout: TOTAL_TIMEOUT_MS,
  retry: { maxAttempts: 3 },
  circuitBreaker: { ...WINDOWS.time.firebreak, openFor: OPEN_FOR_MS },
  bulkhead: { concurrency: CONCURRENCY, queue: CONCURRENCY },
  attemptTimeout: TIMEOUT_MS,
};

export const firebreakPolicies = (fb) => ({
  timeout: () => fb.timeout(TIMEOUT_MS),
  retry: () => fb.retry({ maxAttempts: 3 }),
  breaker: (type, extra = {}) => fb.circuitBreaker({ ...WINDOWS[type].firebreak, openFor: OPEN_FOR_MS, ...extra }),
  bulkhead: (queue = 0) => fb.bulkhead({ concurrency: CONCURRENCY, queue }),
  fallback: () => fb.fallback(0),
  pipeline: (name) => fb.firebreak(name, PIPELINE_OPTIONS),
});

export const cockatielPolicies = {
  timeout: () => cockatiel.timeout(TIMEOUT_MS, TimeoutStrategy.Aggressive),
  // cockatiel counts retries, not attempts: 2 retries = 3 attempts.
  retry: () => cockatiel.retry(handleAll, { maxAttempts: 2, backoff: new ExponentialBackoff() }),
  breaker: (type, halfOpenAfter = OPEN_FOR_MS) =>
    cockatiel.circuitBreaker(handleAll, { halfOpenAfter, breaker: WINDOWS[type].cockatiel() }),
  bulkhead: (queue = 0) => cockatiel.bulkhead(CONCURRENCY, queue),
  fallback: () => cockatiel.fallback(handleAll, 0),
  pipeline: () =>
    cockatiel.wrap(
      cockatiel.fallback(handleAll, 0),
      cockatiel.retry(handleAll, { maxAttempts: 2, backoff: new ExponentialBackoff() }),
      cockatiel.circuitBreaker(handleAll, { halfOpenAfter: OPEN_FOR_MS, breaker: WINDOWS.time.cockatiel() }),
      cockatiel.timeout(TIMEOUT_MS, TimeoutStrategy.Aggressive),
      cockatiel.bulkhead(CONCURRENCY, CONCURRENCY),
    ),
};

/** opossum: one CircuitBreaker per protected function; `fire()` calls it. */
export const opossumPolicies = {
  timeout: (fn) => new CircuitBreaker(fn, { ...OPOSSUM_BREAKER, timeout: TIMEOUT_MS }),
  plain: (fn) => new CircuitBreaker(fn, { ...OPOSSUM_BREAKER, timeout: false }),
  bulkhead: (fn) => new CircuitBreaker(fn, { ...OPOSSUM_BREAKER, timeout: false, capacity: CONCURRENCY }),
  fallback: (fn) => new CircuitBreaker(fn, { ...OPOSSUM_BREAKER, timeout: false }).fallback(() => 0),
  pipeline: (fn) =>
    new CircuitBreaker(fn, { ...OPOSSUM_BREAKER, timeout: TIMEOUT_MS, capacity: CONCURRENCY }).fallback(() => 0),
};
