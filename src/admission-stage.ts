import type { Context } from './context.js';
import type { Operation } from './policy.js';

/*
 * Stages whose work around a call is synchronous — a retry's first attempt, a closed circuit
 * breaker, a bulkhead with a free slot — only decide when the call enters and act when it ends.
 * Alone, each waits for the call with a `then` of its own. In a pipeline, a run of them in front
 * of the last stage, a timeout, is entered in one step and ended by the timeout's call: no
 * promise, closure or context of their own per call (see `PipelinePolicy` and `timeout`).
 */

/** Returned by {@link AdmissionStage} `[ADMIT]` for a call that must take the stage's own `invoke`. */
export const NOT_NOW: unique symbol = Symbol('notNow');

/** The methods of {@link AdmissionStage}, under symbol keys: not part of the public surface. */
export const ADMIT: unique symbol = Symbol('admit');
export const PASS_VALUE: unique symbol = Symbol('passValue');
export const PASS_ERROR: unique symbol = Symbol('passError');
export const HOLD: unique symbol = Symbol('hold');

/** A stage that can admit a call at once and be told of its end without a `then` of its own. */
export interface AdmissionStage {
  /**
   * Takes the call in now and returns its ticket; throws the error the call is rejected with;
   * or returns {@link NOT_NOW}, having done nothing, when the call must go through the stage's
   * `invoke` (it waits, queues, probes or is timed).
   */
  [ADMIT](ctx: Context): unknown;
  /**
   * The call admitted with `ticket` resolved with `value`: returns the value, a promise of what
   * replaces it (a retry), or throws what it is judged to be. The stage is stage `index` of
   * `group`: `group.inside(index)` enters the stages inside it again.
   */
  [PASS_VALUE](ticket: unknown, ctx: Context, value: unknown, group: AdmissionGroup, index: number): unknown;
  /** The call admitted with `ticket` rejected with `error`: as {@link PASS_VALUE}, for an error. */
  [PASS_ERROR](ticket: unknown, ctx: Context, error: unknown, group: AdmissionGroup, index: number): unknown;
  /** Work of the call admitted with `ticket` was abandoned by a stage inside while it still runs. */
  [HOLD](ticket: unknown, work: PromiseLike<unknown>): void;
}

/** Whether `policy` implements {@link AdmissionStage}. */
export function isAdmissionStage<P>(policy: P): policy is P & AdmissionStage {
  return typeof policy === 'object' && policy !== null && ADMIT in policy;
}

/**
 * A run of admission stages, outermost first, with what runs inside each of them: stages
 * `first` to `first + count - 1` of `policies` (a pipeline's own array, not a copy of it).
 */
export interface AdmissionGroup {
  readonly policies: readonly unknown[];
  readonly first: number;
  readonly count: number;
  /** Enters the stages inside stage `index` (and the settler) again: a retry's next attempt. */
  inside(index: number): Operation<unknown>;
}

/** No stage in front: a timeout alone. */
export const NO_GROUP: AdmissionGroup = {
  policies: [],
  first: 0,
  count: 0,
  inside() {
    throw new Error('a group with no stage has nothing inside a stage');
  },
};
export const NO_TICKETS: unknown[] = [];

/** The method of a stage that can end the calls admitted by the stages in front of it (a timeout). */
export const INVOKE_ADMITTED: unique symbol = Symbol('invokeAdmitted');

/** A last stage that ends the calls of the stages in front of it: see {@link INVOKE_ADMITTED}. */
export interface SettlesAdmitted {
  /** Runs `fn` as `invoke` does, and ends it through `group`, whose stages admitted it with `tickets`. */
  [INVOKE_ADMITTED]<T>(ctx: Context, fn: Operation<T>, group: AdmissionGroup, tickets: unknown[]): Promise<T>;
}

/** Whether `policy` implements {@link SettlesAdmitted}. */
export function settlesAdmitted(policy: unknown): policy is SettlesAdmitted {
  return typeof policy === 'object' && policy !== null && INVOKE_ADMITTED in policy;
}

/** One call admitted by the stages of a group, with their tickets. */
export interface AdmittedCall {
  readonly group: AdmissionGroup;
  readonly tickets: unknown[];
  /** The context the stages admitted the call in. */
  readonly entered: Context;
}

/**
 * Ends a call admitted by every stage of `call`'s group, innermost first, from the outcome of
 * what ran inside them (`ok`: a value, else an error). Returns the last value, or a promise of
 * it once a stage replaced the outcome with one (the stages in front of it then end when it
 * settles), or throws the last error.
 */
export function passOutcome(call: AdmittedCall, ok: boolean, outcome: unknown): unknown {
  const { group, tickets, entered: ctx } = call;
  const { policies, first } = group;
  for (let index = group.count - 1; index >= 0; index--) {
    const stage = policies[first + index] as AdmissionStage;
    try {
      outcome = ok ? stage[PASS_VALUE](tickets[index], ctx, outcome, group, index) : stage[PASS_ERROR](tickets[index], ctx, outcome, group, index);
      ok = true;
    } catch (error) {
      outcome = error;
      ok = false;
    }
    if (ok && index > 0 && outcome instanceof Promise) return settledThrough(frontOf(call, index), outcome);
  }
  if (!ok) throw outcome;
  return outcome;
}

/** `work`, ended through the stages of `call`'s group that admitted it. */
export function settledThrough<T>(call: AdmittedCall, work: Promise<T>): Promise<T> {
  return work.then(
    (value) => passOutcome(call, true, value) as T,
    (error: unknown) => passOutcome(call, false, error) as T,
  );
}

/** The same call, through the first `count` stages of its group only. */
export function frontOf(call: AdmittedCall, count: number): AdmittedCall {
  const { group, tickets, entered } = call;
  const { policies, first } = group;
  return { group: { policies, first, count, inside: (index) => group.inside(index) }, tickets, entered };
}

/** Tells every stage of `call`'s group that `work` was abandoned inside it while it still runs. */
export function holdAbandoned(call: AdmittedCall, work: PromiseLike<unknown>): void {
  const { group, tickets } = call;
  for (let index = group.count - 1; index >= 0; index--) (group.policies[group.first + index] as AdmissionStage)[HOLD](tickets[index], work);
}
