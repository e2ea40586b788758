import type { Context } from './context.js';
import { InvalidOptionError } from './errors/invalid-option-error.js';
import { PipelineChain, type Continuation } from './pipeline-chain.js';
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

/** The policy {@link pipeline} builds; `firebreak()` extends it with its stages and its own name. */
export class PipelinePolicy extends PolicyBase implements Pipeline {
  /** The chain of continuations, made by the first call: stage 0 on a continuation into stage 1, and so on. */
  #chain: Continuation | undefined;
  /** The same, its last stage taking `ctx.operation` as the caller's own function. */
  #ownChain: Continuation | undefined;

  constructor(
    readonly policies: readonly Policy<unknown>[],
    name = policies.map((policy) => policy.name).join(' > ') || 'pipeline',
  ) {
    super(name);
  }

  invoke<T>(ctx: Context, fn: Operation<T>): Promise<T> {
    if (ctx.operation !== fn) return this.#invokeFrom(0, ctx, fn, false);
    return (this.#chain ??= new PipelineChain(this.policies, false).entry(0))(ctx) as Promise<T>;
  }

  override [INVOKE_OWN]<T>(ctx: Context, fn: Operation<T>): Promise<T> {
    if (ctx.operation !== fn) return this.#invokeFrom(0, ctx, fn, true);
    return (this.#ownChain ??= new PipelineChain(this.policies, true).entry(0))(ctx) as Promise<T>;
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
