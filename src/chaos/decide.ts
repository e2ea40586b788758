import type { CallContext } from '../policy.js';

/**
 * Whether a chaos policy injects into a call: the `enabled` flag is read first (a function is
 * called with the call's context), then one draw of `random` is compared with `rate`. A disabled
 * policy never calls `random`, so a seeded sequence is only consumed by calls that could inject.
 */
export function shouldInject(enabled: ChaosEnabled, rate: number, random: () => number, ctx: CallContext): boolean {
  if (enabled === false || (enabled !== true && !enabled(ctx))) return false;
  return random() < rate;
}

/**
 * Whether a chaos policy is on: a boolean, or a function asked on every call (a feature flag).
 *
 * @example
 * ```ts
 * import { chaos, type ChaosEnabled } from 'firebreak';
 * let drill = false;
 * const enabled: ChaosEnabled = () => drill;
 * const policy = chaos.fault({ rate: 0.1, error: new Error('injected'), enabled });
 * drill = true; // from now on 10 % of calls fail
 * ```
 */
export type ChaosEnabled = boolean | ((ctx: CallContext) => boolean);
