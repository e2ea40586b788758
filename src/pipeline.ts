import {
  ADMIT,
  frontOf,
  INVOKE_ADMITTED,
  isAdmissionStage,
  NOT_NOW,
  passOutcome,
  settledThrough,
  settlesAdmitted,
  type AdmissionGroup,
  type AdmissionStage,
  type AdmittedCall,
  type SettlesAdmitted,
} from './admission-stage.js';
import type { Context } from './context.js';
import { InvalidOptionError } from './errors/invalid-option-error.js';
import { callSafely, INVOKE_OWN, invokePolicy, PolicyBase, type Alternative, type ObservablePolicy, type Operation, type Policy } from './policy.js';

/**
 * Policies run one inside the other, the first outermost.
 *
 * @example
 * ```ts
 * import { pipeline, fallback, timeout, type Pipeline } from 'firebreak';
 * const policy: Pipeline<null> = pipeline(fallback(null), timeout(200));
 * console.log(policy.policies.length); // 2
 * ```
 */
export interface Pipeline<R = never> extends ObservablePolicy<R> {
  /** The policies, outermost first. */
  readonly policies: readonly Policy<unknown>[];
}

/** Runs the stages of a pipeline from one of them inwards, on `ctx.operation`. */
type Continuation = (ctx: Context) => Promise<unknown>;

/** The policy {@link pipeline} builds; `firebreak()` extends it with its stages and its own name. */
export class PipelinePolicy extends PolicyBase implements Pipeline {
  /** The whole chain, made once: stage 0 on a continuation into stage 1, and so on. */
  readonly #chain: Continuation;
  /** The same, its last stage taking `ctx.operation` as the caller's own function. */
  readonly #ownChain: Continuation;

  constructor(
    readonly policies: readonly Policy<unknown>[],
    name = policies.map((policy) => policy.name).join(' > ') || 'pipeline',
  ) {
    super(name);
    this.#chain = chainOf(policies, false);
    this.#ownChain = chainOf(policies, true);
  }

  invoke<T>(ctx: Context, fn: Operation<T>): Promise<T> {
    return (ctx.operation === fn ? this.#chain(ctx) : this.#invokeFrom(0, ctx, fn, false)) as Promise<T>;
  }

  override [INVOKE_OWN]<T>(ctx: Context, fn: Operation<T>): Promise<T> {
    return (ctx.operation === fn ? this.#ownChain(ctx) : this.#invokeFrom(0, ctx, fn, true)) as Promise<T>;
  }

  /**
   * The chain for a function that is not the call's own (this pipeline nested in another): a
   * continuation per stage, made for this call. `own`: `fn` is the caller's own function, so the
   * last policy may take it as such.
   */
  #invokeFrom<T>(index: number, ctx: Context, fn: Operation<T>, own: boolean): Promise<T> {
    const policy = this.policies[index];
    if (policy === undefined) return invokePolicy(passThrough, ctx, fn);
    if (index === this.policies.length - 1) return own && policy instanceof PolicyBase ? policy[INVOKE_OWN](ctx, fn) : invokePolicy(policy, ctx, fn);
    return invokePolicy(policy, ctx, (inner) => this.#invokeFrom(index + 1, inner as Context, fn, own));
  }
}

/**
 * The continuations of `policies`, made once per pipeline: each runs its stage on the next
 * continuation, and the last runs the call's function, `ctx.operation`, which every context of a
 * call carries. A call through the chain allocates no closure of its own. A run of admission
 * stages in front of a last stage that settles them (a breaker and a bulkhead in front of a
 * timeout) is entered in one step, see {@link admittedEntry}.
 */
function chainOf(policies: readonly Policy<unknown>[], own: boolean): Continuation {
  const last = policies.at(-1);
  if (last === undefined) return (ctx) => callSafely(ctx.operation as Operation<unknown>, ctx);
  const entries: Continuation[] = [];
  entries[policies.length - 1] =
    own && last instanceof PolicyBase
      ? (ctx) => last[INVOKE_OWN](ctx, ctx.operation as Operation<unknown>)
      : (ctx) => invokePolicy(last, ctx, ctx.operation as Operation<unknown>);
  const runs = admissionRuns(policies);
  for (let index = policies.length - 2; index >= 0; index--) {
    const policy = policies[index] as Policy<unknown>;
    const inner = entries[index + 1] as Operation<unknown>;
    entries[index] = policy instanceof PolicyBase ? (ctx) => policy.invoke(ctx, inner) : (ctx) => invokePolicy(policy, ctx, inner);
    const run = runs.get(index);
    if (run !== undefined) {
      const stages = policies.slice(index, run.at).filter(isAdmissionStage);
      entries[index] = admittedEntry(stages, run.settler, entries.slice(index, run.at + 1), entries[run.at + 1]);
    }
  }
  return entries[0] as Continuation;
}

/**
 * The runs of admission stages in front of a stage that settles them: where each run starts,
 * and where its settler is.
 */
function admissionRuns(policies: readonly Policy<unknown>[]): Map<number, { at: number; settler: SettlesAdmitted }> {
  const runs = new Map<number, { at: number; settler: SettlesAdmitted }>();
  policies.forEach((settler, at) => {
    if (!settlesAdmitted(settler)) return;
    let start = at;
    while (start > 0 && isAdmissionStage(policies[start - 1])) start--;
    if (start < at) runs.set(start, { at, settler });
  });
  return runs;
}

/**
 * Enters `stages` and then `settler` in one step: each stage admits the call with a ticket, and
 * the settler ends the call through them (one promise and no closure for all of them).
 * `ordinary[k]` enters stage `k` the ordinary way (`ordinary[stages.length]` enters the
 * settler): a stage that cannot admit the call at once (it waits, queues or probes) takes it
 * that way, and the stages in front of it end when that settles. The entries of the shorter runs
 * inside serve as what each stage runs again (a retry's next attempt). `after` enters the stages
 * behind the settler; none when it is the last, which then runs the call's function.
 */
function admittedEntry(
  stages: readonly AdmissionStage[],
  settler: SettlesAdmitted,
  ordinary: readonly Continuation[],
  after: Continuation | undefined,
): Continuation {
  let entry = ordinary[stages.length] as Continuation;
  const insides: Continuation[] = [entry];
  for (let start = stages.length - 1; start >= 0; start--) {
    const group = { stages: stages.slice(start), insides: insides.map((inside) => inside as Operation<unknown>) };
    entry = groupEntry(group, settler, ordinary.slice(start), after as Operation<unknown> | undefined);
    insides.unshift(entry);
  }
  return entry;
}

/** The entry of one group: see {@link admittedEntry}. */
function groupEntry(group: AdmissionGroup, settler: SettlesAdmitted, ordinary: readonly Continuation[], after: Operation<unknown> | undefined): Continuation {
  const { stages } = group;
  return (ctx) => {
    const tickets: unknown[] = new Array(stages.length);
    for (let index = 0; index < stages.length; index++) {
      let ticket: unknown;
      try {
        ticket = (stages[index] as AdmissionStage)[ADMIT](ctx);
      } catch (error) {
        return rejectedThrough({ group, tickets, entered: ctx }, index, error);
      }
      if (ticket === NOT_NOW) {
        const rest = (ordinary[index] as Continuation)(ctx);
        return index === 0 ? rest : settledThrough(frontOf({ group, tickets, entered: ctx }, index), rest);
      }
      tickets[index] = ticket;
    }
    return settler[INVOKE_ADMITTED](ctx, after ?? (ctx.operation as Operation<unknown>), group, tickets);
  };
}

/** A call rejected by stage `index` of its group: the stages in front of it end with the error. */
function rejectedThrough(call: AdmittedCall, index: number, error: unknown): Promise<unknown> {
  if (index === 0) return Promise.reject(error);
  try {
    return Promise.resolve(passOutcome(frontOf(call, index), false, error));
  } catch (passed) {
    return Promise.reject(passed);
  }
}

class PassThrough extends PolicyBase {
  invoke<T>(ctx: Context, fn: Operation<T>): Promise<T> {
    return callSafely(fn, ctx);
  }
}

const passThrough = new PassThrough('pass-through');

/**
 * Composes policies into one: the first is the outermost, so `pipeline(a, b)` runs `b` inside `a`.
 * With no policy it runs the function as it is (still settling exactly once).
 *
 * @example
 * ```ts
 * import { pipeline, fallback, timeout } from 'firebreak';
 * const guarded = pipeline(fallback('unavailable'), timeout(1_000));
 * const text = await guarded.execute((ctx) => fetch('http://127.0.0.1:8080/', { signal: ctx.signal }).then((r) => r.text()));
 * ```
 */
export function pipeline<const P extends readonly Policy<unknown>[]>(...policies: P): Pipeline<Alternative<P[number]>> {
  policies.forEach((policy: unknown, index) => {
    if (typeof policy !== 'object' || policy === null || typeof (policy as Partial<Policy>).execute !== 'function') {
      throw new InvalidOptionError('pipeline', `policies[${index}]`, 'a policy (an object with an `execute` method, such as `timeout(1_000)`)', policy);
    }
  });
  return new PipelinePolicy(policies);
}
