import type { AlgorithmInput } from './limit.js';

/** `log10(limit)`, at least 1: Vegas's unit step. */
function step(limit: number): number {
  return Math.max(1, Math.log10(limit));
}

/**
 * Vegas, after Netflix's concurrency-limits (TCP Vegas): estimates the calls queued at the
 * dependency as `limit × (1 - tolerance × minRtt / rtt)`; grows by 6 steps while that queue is
 * below one step, by one step while it is below 3, shrinks by one step beyond 6 (a step is
 * `log10(limit)`, at least 1). A window with a drop shrinks it by a step.
 */
export function vegas({ limit, rtt, minRtt, dropped, tolerance }: AlgorithmInput): number {
  const unit = step(limit);
  if (dropped || Number.isNaN(rtt)) return limit - unit;
  const queued = limit * Math.max(0, 1 - (tolerance * minRtt) / rtt);
  if (queued <= unit) return limit + 6 * unit;
  if (queued < 3 * unit) return limit + unit;
  if (queued > 6 * unit) return limit - unit;
  return limit;
}
