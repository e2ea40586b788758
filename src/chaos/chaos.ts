import { fault } from './fault.js';
import { latency } from './latency.js';
import { result } from './result.js';

/**
 * Chaos policies: inject faults, latency or results into a share of calls, behind a flag, to
 * drill what the other policies do when a dependency misbehaves. Each takes `rate` (in [0, 1]),
 * `enabled` (a boolean or a flag function asked on every call) and `random` (inject a seeded
 * source for reproducible drills).
 *
 * - `chaos.fault({ rate, error })`: the call rejects with `error`, the function is not called.
 * - `chaos.latency({ rate, delay })`: the call waits `delay` ms first; the wait respects the signal.
 * - `chaos.result({ rate, value })`: the call returns `value`, the function is not called.
 *
 * @example
 * ```ts
 * import { chaos, pipeline, timeout } from 'firebreak';
 * let drill = false;
 * const policy = pipeline(
 *   timeout(500),
 *   chaos.latency({ rate: 0.3, delay: 800, enabled: () => drill }),
 *   chaos.fault({ rate: 0.1, error: () => new Error('injected'), enabled: () => drill }),
 * );
 * drill = true;
 * await policy.execute(() => 'ok').catch((error) => console.log(error));
 * ```
 */
export const chaos: {
  readonly fault: typeof fault;
  readonly latency: typeof latency;
  readonly result: typeof result;
} = Object.freeze({ fault, latency, result });
