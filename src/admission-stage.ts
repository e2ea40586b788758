import type { Context } from './context.js';
import type { Operation } from './policy.js';

/*
 * Stages whose work around a call is synchronous — a circuit breaker (closed), a bulkhead with a
 * free slot — only decide when the call enters and count when it ends. Alone, each waits for the
 * call with a `then` of its own. In a pipeline, a run of them in front of the last stage, a
 * timeout, is settled by that timeout's call in one step: no promise, no closure and no
 * context of their own per call (see `PipelinePolicy` and `timeout`).
 */

/** Returned by {@link AdmissionStage.admit} for a call that must take the stage's own `invoke`. */
export const NOT_NOW: unique symbol = Symbol('notNow');

/** The methods of a stage that can admit a call synchronously, under symbol keys. */
export const ADMIT: unique symbol = Symbol('admit');
export const PASS_VALUE: unique symbol = Symbol('passValue');
export const PASS_ERROR: unique symbol = Symbol('passError');
export const HOLD: unique symbol = Symbol('hold');

/** A stage that can admit a call at once and be told of its end without a `then` of its own. */
export interface AdmissionStage {
  /**
   * Takes the call in now and returns its ticket, or {@link NOT_NOW} (having done nothing) when
   * the call must go through the stage's `invoke`: it queues, probes, is rejected or is timed.
   */
  [ADMIT](ctx: Context): unknown;
  /** The call admitted with `ticket` resolved with `value`: returns the value, or throws what it is judged to be. */
  [PASS_VALUE](ticket: unknown, ctx: Context, value: unknown): unknown;
  /** The call admitted with `ticket` rejected with `error`: throws it (or what it is judged to be). */
  [PASS_ERROR](ticket: unknown, ctx: Context, error: unknown): unknown;
  /** Work of the call admitted with `ticket` was abandoned by a stage inside while it still runs. */
  [HOLD](ticket: unknown, work: PromiseLike<unknown>): void;
}

/** The method of a stage that can end the calls admitted by the stages in front of it (a timeout). */
export const INVOKE_ADMITTED: unique symbol = Symbol('invokeAdmitted');

/** A last stage that settles the stages in front of it: see {@link INVOKE_ADMITTED}. */
export interface SettlesAdmitted {
  /** Runs `fn` as `invoke` does, and ends it through `stages`, which admitted it with `tickets`. */
  [INVOKE_ADMITTED]<T>(ctx: Context, fn: Operation<T>, stages: readonly AdmissionStage[], tickets: unknown[]): Promise<T>;
}

/** Whether `policy` implements {@link SettlesAdmitted}. */
export function settlesAdmitted(policy: unknown): policy is SettlesAdmitted {
  return typeof policy === 'object' && policy !== null && INVOKE_ADMITTED in policy;
}

/** Whether `policy` implements {@link AdmissionStage}. */
export function isAdmissionStage<P>(policy: P): policy is P & AdmissionStage {
  return typeof policy === 'object' && policy !== null && ADMIT in policy;
}

/** A run of admission stages, outermost first, and the tickets of one call through them. */
export interface AdmittedCall {
  readonly stages: readonly AdmissionStage[];
  readonly tickets: unknown[];
  readonly ctx: Context;
}

/**
 * Ends a call admitted by every stage of `call`, innermost first, from the outcome of what ran
 * inside them (`ok`: a value, else an error): each stage may turn a value into a failure.
 * Returns the last value, or throws the last error.
 */
export function passThrough(call: AdmittedCall, ok: boolean, outcome: unknown): unknown {
  const { stages, tickets, ctx } = call;
  for (let index = stages.length - 1; index >= 0; index--) {
    const stage = stages[index] as AdmissionStage;
    try {
      outcome = ok ? stage[PASS_VALUE](tickets[index], ctx, outcome) : stage[PASS_ERROR](tickets[index], ctx, outcome);
      ok = true;
    } catch (error) {
      outcome = error;
      ok = false;
    }
  }
  if (!ok) throw outcome;
  return outcome;
}

/** `work`, ended through the stages of `call` that admitted it. */
export function settledThrough<T>(call: AdmittedCall, work: Promise<T>): Promise<T> {
  return work.then(
    (value) => passThrough(call, true, value) as T,
    (error: unknown) => passThrough(call, false, error) as T,
  );
}

/** Tells every stage of `call` that `work` was abandoned inside it while it still runs. */
export function holdAbandoned(call: AdmittedCall, work: PromiseLike<unknown>): void {
  for (let index = call.stages.length - 1; index >= 0; index--) (call.stages[index] as AdmissionStage)[HOLD](call.tickets[index], work);
}

/** No stage in front: a timeout alone. */
export const NONE_ADMITTED: readonly AdmissionStage[] = [];
export const NO_TICKETS: unknown[] = [];
