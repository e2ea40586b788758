import { stopWaiting, whenAborted } from './abort-listeners.js';
import type { Priority } from './adaptive/priority.js';
import type { CallContext, Operation } from './policy.js';

/**
 * Where a call's `AbortSignal` comes from. The controller behind it is created only when the
 * called function reads `ctx.signal`; until then an abort is only recorded.
 */
export class AbortScope {
  #controller: AbortController | undefined;
  #aborted = false;
  #reason: unknown;
  #unlink: (() => void) | undefined;

  constructor(
    /** The scope this one is nested in (its abort aborts this one too), if it was ever made. */
    readonly parent: AbortScope | undefined,
    /** The caller's own signal; its abort aborts this scope too. */
    readonly callerSignal: AbortSignal | undefined,
    /**
     * True for a scope that can be aborted on its own (a timeout's, a hedged attempt's); false
     * for the outermost scope of a call, whose signal is the caller's own.
     */
    readonly nested = parent !== undefined,
  ) {}

  /** True when this scope, or any scope around it, or the caller, has aborted. */
  get aborted(): boolean {
    return this.#aborted || (this.callerSignal?.aborted ?? false) || (this.parent?.aborted ?? false);
  }

  /** The abort reason when {@link aborted}: the innermost scope's reason wins. */
  get reason(): unknown {
    if (this.#aborted) return this.#reason;
    if (this.parent?.aborted) return this.parent.reason;
    return this.callerSignal?.reason as unknown;
  }

  /** The signal for the called function, created on first read. */
  get signal(): AbortSignal {
    if (this.#controller) return this.#controller.signal;
    if (this.callerSignal && !this.nested) return this.callerSignal;
    const controller = new AbortController();
    this.#controller = controller;
    if (this.aborted) controller.abort(this.reason);
    else if (this.parent?.canAbort) this.#link(this.parent.signal);
    else if (this.callerSignal) this.#link(this.callerSignal);
    return controller.signal;
  }

  /** False for an outermost scope without a caller signal: nothing can ever abort it. */
  get canAbort(): boolean {
    return this.nested || this.callerSignal !== undefined;
  }

  /** Aborts this scope (and, through their links, the scopes nested in it). */
  abort(reason: unknown): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#reason = reason;
    this.#unlink?.();
    this.#controller?.abort(reason);
  }

  /**
   * Told of work abandoned inside this scope while it still runs (see {@link Context.abandon}):
   * nothing for a plain scope; a timed call passes it to the stages that admitted it.
   */
  abandoned(_work: PromiseLike<unknown>): void {}

  /** Stops listening to the parent: call it once the work in this scope has settled. */
  dispose(): void {
    this.#unlink?.();
    this.#unlink = undefined;
  }

  #link(parentSignal: AbortSignal): void {
    const wait = whenAborted(parentSignal, () => this.abort(parentSignal.reason));
    this.#unlink = () => stopWaiting(wait);
  }
}

/**
 * Told about work that a stage stopped waiting for while it still runs (an 'abort' timeout that
 * rejected at its deadline): `work` settles when the abandoned function really settles.
 */
export type AbandonHandler = (work: PromiseLike<unknown>) => void;

/** The context of one attempt of one call, as the called function and inner policies see it. */
export class Context implements CallContext {
  #scope: AbortScope | undefined;

  constructor(
    /** The abort scope; `undefined` for the outermost one, which is made when first needed. */
    scope: AbortScope | undefined,
    readonly attempt: number,
    readonly deadline: number,
    /**
     * Set by a policy that bounds running work (a bulkhead) for the stages inside it; passed on
     * by {@link withAttempt} and {@link withScope}.
     */
    readonly onAbandon: AbandonHandler | undefined,
    /** The caller's signal, carried by every context of the call. */
    readonly callerSignal: AbortSignal | undefined,
    /** The call's priority (`execute(fn, { priority })`), carried by every context of the call. */
    readonly priority: Priority | undefined,
    /**
     * False for a call whose function must not run more than once (`execute(fn, { repeatable:
     * false })`): stages that repeat or duplicate attempts (retry, hedge) make only the first.
     * Required, like `priority`, so that a stage making contexts of its own cannot drop it by
     * leaving it out.
     */
    readonly repeatable: boolean,
    /**
     * The function the innermost stage of a pipeline runs, carried by every context of the call
     * so that a pipeline chains its stages with continuations made once, not a closure per stage
     * per call (see `PipelinePolicy`). Not part of the public surface.
     */
    readonly operation: Operation<unknown> | undefined,
  ) {
    this.#scope = scope;
  }

  /**
   * Where the signal comes from. The outermost scope is a pure function of the caller's signal,
   * so it is made only when a policy or the function needs it: a call through policies that
   * never look at it allocates no scope.
   */
  get scope(): AbortScope {
    return (this.#scope ??= new AbortScope(undefined, this.callerSignal));
  }

  get signal(): AbortSignal {
    return this.scope.signal;
  }

  /** True when `error` is the caller's abort: never a failure of the dependency. */
  isCallerAbort(error: unknown): boolean {
    const signal = this.callerSignal;
    return signal !== undefined && signal.aborted && signal.reason === error;
  }

  /**
   * Reports `work` that a stage stops waiting for although it still runs, so that the policies
   * around it that bound running work keep counting it until it settles.
   */
  abandon(work: PromiseLike<unknown>): void {
    for (let scope = this.#scope; scope !== undefined; scope = scope.parent) scope.abandoned(work);
    this.onAbandon?.(work);
  }

  /** The same call, as attempt number `attempt`. */
  withAttempt(attempt: number): Context {
    return new Context(this.#scope, attempt, this.deadline, this.onAbandon, this.callerSignal, this.priority, this.repeatable, this.operation);
  }

  /** A nested scope that can be aborted on its own, ending at `deadline` at the latest. */
  withScope(deadline: number): Context {
    return this.within(new AbortScope(this.#scope, this.callerSignal, true), deadline);
  }

  /**
   * The scope of this context if it was made: `undefined` for an outermost scope not yet needed.
   * A scope nested in this context's takes it as its parent, and the caller's signal as its own.
   */
  get madeScope(): AbortScope | undefined {
    return this.#scope;
  }

  /** The same call in `scope` (nested in this context's), ending at `deadline` at the latest. */
  within(scope: AbortScope, deadline: number): Context {
    return new Context(scope, this.attempt, Math.min(deadline, this.deadline), this.onAbandon, this.callerSignal, this.priority, this.repeatable, this.operation);
  }

  /**
   * The same call, with `handler` told about work abandoned inside it, before the handlers of the
   * stages around it (a bulkhead inside another keeps the slots of both).
   */
  withOnAbandon(handler: AbandonHandler): Context {
    const outer = this.onAbandon;
    const told: AbandonHandler =
      outer === undefined
        ? handler
        : (work) => {
            handler(work);
            outer(work);
          };
    return new Context(this.#scope, this.attempt, this.deadline, told, this.callerSignal, this.priority, this.repeatable, this.operation);
  }

  /** The same call, with `operation` as the function its pipeline's innermost stage runs. */
  withOperation(operation: Operation<unknown>): Context {
    return new Context(this.#scope, this.attempt, this.deadline, this.onAbandon, this.callerSignal, this.priority, this.repeatable, operation);
  }

  /** The outermost context of a call made with `signal` (and `priority`, `repeatable: false`, and the function it runs). */
  static root(signal: AbortSignal | undefined, priority?: Priority, repeatable = true, operation?: Operation<unknown>): Context {
    return new Context(undefined, 1, Infinity, undefined, signal, priority, repeatable, operation);
  }
}
