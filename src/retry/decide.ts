import type { Outcome } from '../policy.js';
import { clampDelay, type Backoff } from './backoff.js';
import { retryAfterMs, type HasHeaders } from './http.js';

/**
 * Why a retry policy stopped retrying:
 * - `'attempts'`: `maxAttempts` were made.
 * - `'budget'`: the retry budget refused the retry.
 * - `'deadline'`: the next attempt could not start before the call's deadline, or an outer
 *   policy (a total timeout) aborted the call.
 * - `'not-handled'`: after at least one retry, an attempt failed with an error that
 *   `shouldHandle` does not retry (a circuit that opened meanwhile, a 404). An error not retried
 *   on the first attempt is no give-up: the retry took no part in that call.
 *
 * Use it to tell, in an `onGiveUp` listener, a dependency that stayed down from a budget that ran out.
 *
 * @example
 * ```ts
 * import { retry, type GiveUpReason } from 'firebreak';
 * const budgetExhausted = (reason: GiveUpReason) => reason === 'budget';
 * retry().onGiveUp(({ reason }) => {
 *   if (budgetExhausted(reason)) console.warn('retry budget exhausted');
 * });
 * ```
 */
export type GiveUpReason = 'attempts' | 'budget' | 'deadline' | 'not-handled';

/** What the decision needs to know about a failed attempt. */
export interface RetryState {
  /** The number of the attempt that just failed (1 for the first). */
  readonly attempt: number;
  readonly maxAttempts: number;
  readonly outcome: Outcome<unknown>;
  /** The delay the backoff returned for the previous retry of this call (0 before the first). */
  readonly previous: number;
  /** Clock time now, and the call's deadline on the same clock (`Infinity` if none). */
  readonly now: number;
  readonly deadline: number;
  /** Wall-clock time now, to read a `Retry-After` HTTP date. */
  readonly wallNow: number;
  readonly backoff: Backoff;
  /** Asked last, only when everything else allows the retry, so that a refused retry costs nothing. */
  readonly budget: { tryWithdraw(): boolean } | undefined;
}

/** Retry after `delay` ms (`backoff` is what the backoff asked for), or give up for `reason`. */
export type RetryDecision =
  | { readonly retry: true; readonly delay: number; readonly backoff: number }
  | { readonly retry: false; readonly reason: GiveUpReason };

/**
 * Decides whether a handled failure is retried, and after how long: the delay is the backoff's,
 * raised to the outcome's `retryAfter` when there is one. Pure but for the budget withdrawal,
 * which happens only when the retry is granted on every other count.
 */
export function decideRetry(state: RetryState): RetryDecision {
  if (state.attempt >= state.maxAttempts) return { retry: false, reason: 'attempts' };
  const backoff = clampDelay(state.backoff(state.attempt, state.outcome, state.previous));
  const delay = Math.max(backoff, clampDelay(retryAfterOf(state.outcome, state.wallNow)));
  if (state.now + delay >= state.deadline) return { retry: false, reason: 'deadline' };
  if (state.budget && !state.budget.tryWithdraw()) return { retry: false, reason: 'budget' };
  return { retry: true, delay, backoff };
}

/**
 * The minimum wait an outcome asks for, in ms (0 for none): a numeric `retryAfter` on the error or
 * the result, or the `Retry-After` header of a result that has headers (a fetch `Response`).
 */
export function retryAfterOf(outcome: Outcome<unknown>, wallNow: number): number {
  const subject = outcome.ok ? outcome.value : outcome.error;
  if (typeof subject !== 'object' || subject === null) return 0;
  const { retryAfter, headers } = subject as { retryAfter?: unknown; headers?: { get?: unknown } };
  if (typeof retryAfter === 'number') return retryAfter;
  if (outcome.ok && typeof headers?.get === 'function') return retryAfterMs(subject as HasHeaders, wallNow) ?? 0;
  return 0;
}
