import type { Context } from './context.js';
import { InvalidOptionError } from './errors/invalid-option-error.js';
import { callSafely, invokePolicy, PolicyBase, type Alternative, type ObservablePolicy, type Operation, type Policy } from './policy.js';

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

class PipelinePolicy extends PolicyBase implements Pipeline {
  constructor(readonly policies: readonly Policy<unknown>[]) {
    super(policies.map((policy) => policy.name).join(' > ') || 'pipeline');
  }

  invoke<T>(ctx: Context, fn: Operation<T>): Promise<T> {
    return this.#invokeFrom(0, ctx, fn);
  }

  #invokeFrom<T>(index: number, ctx: Context, fn: Operation<T>): Promise<T> {
    const policy = this.policies[index];
    if (policy === undefined) return invokePolicy(passThrough, ctx, fn);
    if (index === this.policies.length - 1) return invokePolicy(policy, ctx, fn);
    return invokePolicy(policy, ctx, (inner) => this.#invokeFrom(index + 1, inner as Context, fn));
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
