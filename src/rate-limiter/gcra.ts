/**
 * The Generic Cell Rate Algorithm (GCRA) as a pure decision over one timestamp of state.
 *
 * A limiter of `rate` calls per `interval` ms with a burst of `burst` calls admits one call every
 * `emission = interval / rate` ms on average, and up to `burst` at once after a quiet spell. Its
 * only state is the theoretical arrival time `tat`: the time at which the limiter would be empty
 * again. A call at `now` is admitted when `max(tat, now) + emission - burst × emission <= now`,
 * and then `tat` becomes `max(tat, now) + emission`; otherwise it is rejected and `tat` is left
 * alone. Over any span of length `T`, at most `burst + T / emission` calls are admitted.
 *
 * With `maxWait`, a call that would be admitted within `maxWait` ms books its place at once (the
 * state moves as for an admission) and waits `delay` ms before it runs.
 *
 * This file is the reference for every engine that runs the same algorithm (the Redis Lua script
 * of a fleet-wide limiter runs exactly these steps on the server's time): keep it free of I/O.
 */

/** The limits of one limiter, in the units of its clock (ms). */
export interface GcraParams {
  /** Milliseconds between two admissions at the sustained rate: `interval / rate`. */
  readonly emission: number;
  /** Calls that may pass at once after a quiet spell (>= 1; need not be an integer). */
  readonly burst: number;
  /** The longest a call may wait for its turn instead of being rejected (0: never waits). */
  readonly maxWait: number;
}

/** What {@link gcra} decided for one call. */
export type GcraDecision =
  | {
      readonly allowed: true;
      /** The new state to store. */
      readonly tat: number;
      /** Milliseconds the call waits before it runs (0 unless `maxWait` allowed a wait). */
      readonly delay: number;
    }
  | {
      readonly allowed: false;
      /** The state, unchanged. */
      readonly tat: number;
      /**
       * Milliseconds from `now` until a call would be admitted without waiting: the smallest
       * `r` such that a call at `now + r` passes (rounded up to the next representable number
       * where floating-point addition would land short of it).
       */
      readonly retryAfter: number;
    };

/**
 * Decides one call at clock time `now` against the state `tat` (`-Infinity` for a limiter that
 * has admitted nothing yet).
 */
export function gcra(tat: number, now: number, params: GcraParams): GcraDecision {
  const { emission, burst, maxWait } = params;
  const base = tat > now ? tat : now;
  const next = base + emission;
  const allowAt = next - burst * emission;
  if (allowAt <= now) return { allowed: true, tat: next, delay: 0 };
  const wait = reachFrom(now, allowAt);
  if (wait <= maxWait) return { allowed: true, tat: next, delay: wait };
  return { allowed: false, tat, retryAfter: wait };
}

/**
 * Calls that could pass at once now (for headers such as `RateLimit-Remaining`): the `k` for
 * which `k` admissions at `now` pass and the next one would not.
 */
export function gcraRemaining(tat: number, now: number, params: Pick<GcraParams, 'emission' | 'burst'>): number {
  const base = tat > now ? tat : now;
  return Math.max(0, Math.floor((now - base) / params.emission + params.burst + 1e-9));
}

/** The smallest `r >= target - from` with `from + r >= target` in floating point. */
function reachFrom(from: number, target: number): number {
  let r = target - from;
  while (from + r < target) r += Math.max(Number.MIN_VALUE, Math.abs(r) * Number.EPSILON);
  return r;
}
