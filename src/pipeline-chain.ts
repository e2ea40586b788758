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
import { callSafely, INVOKE_OWN, invokePolicy, PolicyBase, type Operation, type Policy } from './policy.js';

/** Runs the stages of a pipeline from one of them inwards, on `ctx.operation`. */
export type Continuation = (ctx: Context) => Promise<unknown>;

/**
 * The continuations of a pipeline's stages, each made when a call first needs it and kept: a
 * call through the chain allocates no closure of its own, and a pipeline holds only the
 * continuations its calls take. Each runs its stage on the continuation of the stages inside it;
 * the last runs the call's function, `ctx.operation`, which every context of a call carries.
 * Where a run of admission stages stands in front of a stage that settles them (a breaker and a
 * bulkhead in front of a timeout), the run is entered in one step: see {@link FusedRun}.
 */
export class PipelineChain {
  /** The entry of each stage: fused where a run starts, else ordinary. */
  readonly #entries: Continuation[];
  /** The ordinary entry of a stage of a run: for a call its stage cannot admit at once. */
  #ordinary: Continuation[] | undefined;

  constructor(
    readonly policies: readonly Policy<unknown>[],
    /** Whether the call's function is the caller's own (the last stage may take it as such). */
    readonly own: boolean,
  ) {
    this.#entries = new Array<Continuation>(policies.length);
  }

  /** Enters stage `index` and the stages inside it (the whole pipeline for 0). */
  entry(index: number): Continuation {
    return (this.#entries[index] ??= this.#fusedAt(index) ?? this.#ordinaryAt(index));
  }

  /** Enters stage `index` through its own `invoke`, on the entry of the stages inside it (a stage of a fused run that cannot admit a call at once). */
  ordinary(index: number): Continuation {
    return ((this.#ordinary ??= new Array<Continuation>(this.policies.length))[index] ??= this.#ordinaryAt(index));
  }

  #ordinaryAt(index: number): Continuation {
    const policy = this.policies[index];
    if (policy === undefined) return (ctx) => callSafely(ctx.operation as Operation<unknown>, ctx);
    if (index === this.policies.length - 1) {
      return this.own && policy instanceof PolicyBase
        ? (ctx) => policy[INVOKE_OWN](ctx, ctx.operation as Operation<unknown>)
        : (ctx) => invokePolicy(policy, ctx, ctx.operation as Operation<unknown>);
    }
    const inner = this.entry(index + 1) as Operation<unknown>;
    return policy instanceof PolicyBase ? (ctx) => policy.invoke(ctx, inner) : (ctx) => invokePolicy(policy, ctx, inner);
  }

  /** The fused entry of the run of admission stages starting at `index`, if one does and a settler follows it. */
  #fusedAt(index: number): Continuation | undefined {
    let settlerAt = index;
    while (isAdmissionStage(this.policies[settlerAt])) settlerAt++;
    const settler = this.policies[settlerAt];
    if (settlerAt === index || !settlesAdmitted(settler)) return undefined;
    const run = new FusedRun(this, index, settlerAt, settler);
    return run.enter.bind(run);
  }
}

/**
 * A run of admission stages and the stage behind them that settles them, entered in one step:
 * each stage admits the call with a ticket, and the settler ends the call through them (one
 * promise and no closure for all of them). A stage that cannot admit a call at once (it waits,
 * queues or probes) takes it the ordinary way from there, and the stages in front of it end when
 * that settles; a stage that rejects it in admission ends those in front with the error.
 */
class FusedRun implements AdmissionGroup {
  readonly policies: readonly unknown[];
  readonly count: number;
  /** Enters the stages behind the settler; none when it is the last stage, which runs the call's function. */
  readonly #after: Operation<unknown> | undefined;

  constructor(
    readonly chain: PipelineChain,
    readonly first: number,
    settlerAt: number,
    readonly settler: SettlesAdmitted,
  ) {
    this.policies = chain.policies;
    // Every policy of the run is an admission stage: see PipelineChain's #fusedAt.
    this.count = settlerAt - first;
    this.#after = settlerAt === chain.policies.length - 1 ? undefined : (chain.entry(settlerAt + 1) as Operation<unknown>);
  }

  inside(index: number): Operation<unknown> {
    return this.chain.entry(this.first + index + 1) as Operation<unknown>;
  }

  enter(ctx: Context): Promise<unknown> {
    const { policies, first, count } = this;
    const tickets: unknown[] = new Array(count);
    for (let index = 0; index < count; index++) {
      let ticket: unknown;
      try {
        ticket = (policies[first + index] as AdmissionStage)[ADMIT](ctx);
      } catch (error) {
        return rejectedThrough({ group: this, tickets, entered: ctx }, index, error);
      }
      if (ticket === NOT_NOW) {
        const rest = this.chain.ordinary(first + index)(ctx);
        return index === 0 ? rest : settledThrough(frontOf({ group: this, tickets, entered: ctx }, index), rest);
      }
      tickets[index] = ticket;
    }
    return this.settler[INVOKE_ADMITTED](ctx, this.#after ?? (ctx.operation as Operation<unknown>), this, tickets);
  }
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
