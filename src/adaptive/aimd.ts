import type { AlgorithmInput } from './limit.js';

/** What a congested window multiplies the limit by. */
const BACKOFF = 0.9;

/**
 * AIMD, after Netflix's concurrency-limits: additive increase (one call per window), multiplicative
 * decrease (× 0.9) on a drop or on an RTT past `tolerance × minRtt`.
 */
export function aimd({ limit, rtt, minRtt, dropped, tolerance }: AlgorithmInput): number {
  if (dropped || Number.isNaN(rtt) || rtt > tolerance * minRtt) return limit * BACKOFF;
  return limit + 1;
}
