/**
 * The protected run's policies, one `firebreak()` per dependency: what the fix puts between each
 * caller and what it calls. Retries happen at one layer only, next to the dependency that fails
 * (the services' calls to auth), so that retries do not multiply across layers.
 */
import { firebreak, httpShouldHandle, constant, type Fleet, type Outcome } from '../../../src/index.js';
import type { UpstreamResponse } from './http-client.js';

/** A response of 5xx, or any error (timeouts, an open circuit, a full bulkhead): serve the fallback. */
const unavailable = (outcome: Outcome<unknown>): boolean => !outcome.ok || (outcome.value as UpstreamResponse).status >= 500;

/**
 * The breaker of every dependency: it opens when half of the last 20 calls (10 at least) failed,
 * and lets one probe through after a second, given `probeTimeout` ms to answer.
 */
function breaker(probeTimeout: number) {
  return {
    window: { type: 'count', size: 20 },
    minimumCalls: 10,
    failureRateThreshold: 0.5,
    openFor: 1_000,
    halfOpen: { maxCalls: 1, probeTimeout },
    shouldHandle: httpShouldHandle,
  } as const;
}

/**
 * A service's calls to auth: a 250 ms limit per attempt, one retry if the process-wide retry
 * budget allows it (10 % of requests), 600 ms in all; a breaker that opens when half of the last
 * 20 calls failed and probes again after a second; at most 16 calls at once (32 waiting). When
 * auth cannot answer, the call resolves to `null`, and the service looks the token up in its
 * cache of recent validations. With a `fleet`, the breaker and the retry budget are shared with
 * the other replicas of the service (`npm run demo:fleet`).
 */
export function protectAuth(fleet?: Fleet) {
  const shared = fleet === undefined ? {} : { fleet };
  return firebreak('auth', {
    fallback: { fallback: null, shouldHandle: unavailable },
    totalTimeout: 600,
    retry: { maxAttempts: 2, backoff: constant(25), shouldHandle: httpShouldHandle, budget: { ratio: 0.1, minPerSecond: 2, ...shared } },
    circuitBreaker: { ...breaker(500), ...shared },
    bulkhead: { concurrency: 16, queue: 32 },
    attemptTimeout: 250,
  });
}

/**
 * The gateway's calls to one service: 900 ms in all (the user waits a second), a breaker, and a
 * bulkhead of 20 calls (10 waiting) so that one slow service cannot take the whole shared pool.
 */
export function protectUpstream(name: string) {
  return firebreak(name, {
    totalTimeout: 900,
    circuitBreaker: breaker(1_000),
    bulkhead: { concurrency: 20, queue: 10 },
  });
}
