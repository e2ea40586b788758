import type { AlgorithmInput } from './limit.js';

/** How far one window moves the limit towards its target. */
const SMOOTHING = 0.5;
/** The gradient's bounds: at most a halving or a doubling of the target per window (Envoy). */
const MIN_GRADIENT = 0.5;
const MAX_GRADIENT = 2;

/**
 * Gradient2, after Netflix's concurrency-limits and Envoy's adaptive concurrency filter: the
 * gradient is `tolerance × minRtt / rtt`, clamped to [0.5, 2]; the target is
 * `limit × gradient`, plus a queue headroom of √limit only while the gradient is at least 1 (so
 * the limit cannot creep up under modest overload, Netflix PR #134); the limit moves half way to
 * the target. A window with a drop has gradient 0.5.
 */
export function gradient2({ limit, rtt, minRtt, dropped, tolerance }: AlgorithmInput): number {
  const raw = dropped || Number.isNaN(rtt) ? MIN_GRADIENT : (tolerance * minRtt) / rtt;
  const gradient = Math.min(MAX_GRADIENT, Math.max(MIN_GRADIENT, raw));
  const target = limit * gradient + (gradient >= 1 ? Math.sqrt(limit) : 0);
  return limit + SMOOTHING * (target - limit);
}
