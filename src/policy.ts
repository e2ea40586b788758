import { stopWaiting, whenAborted } from './abort-listeners.js';
import type { Priority } from './adaptive/priority.js';
import { systemClock } from './clock.js';
import { Context } from './context.js';
import { CALLS, heard, tell } from './diagnostics.js';
import { beginEntry, endEntry, entryNow } from './entry-clock.js';
import { EventList, type Subscribe, type Unsubscribe } from './events.js';

/**
 * What the called function gets: the signal to pass on to I/O, the attempt number and the
 * deadline of the whole call.
 *
 * @example
 * ```ts
 * import { timeout } from 'firebreak';
 * await timeout(1_000).execute((ctx) => fetch('http://127.0.0.1:8080/health', { signal: ctx.signal }));
 * ```
 */
export interface CallContext {
  /** Aborts on the caller's abort, on a timeout, or on a lost hedge. Created when first read. */
  readonly signal: AbortSignal;
  /** 1 for the first attempt, 2 for the first retry, and so on. */
  readonly attempt: number;
  /** Clock time (ms) by which the whole call must end; `Infinity` if none. */
  readonly deadline: number;
  /** The priority given to `execute(fn, { priority })`; `undefined` when none was given. */
  readonly priority?: Priority | undefined;
}

/**
 * How a call ended: a value or an error. Policies judge outcomes with `shouldHandle`.
 *
 * @example
 * ```ts
 * import type { Outcome } from 'firebreak';
 * const isServerError = (outcome: Outcome<Response>) => !outcome.ok || outcome.value.status >= 500;
 * ```
 */
export type Outcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown };

/**
 * Decides which outcomes count as failures. Default: every error except a caller abort; results
 * are never failures.
 *
 * @example
 * ```ts
 * import { fallback, type ShouldHandle } from 'firebreak';
 * const on503: ShouldHandle<Response> = (outcome) => !outcome.ok || outcome.value.status === 503;
 * const served = fallback(new Response('cached'), { shouldHandle: on503 });
 * ```
 */
export type ShouldHandle<T = unknown> = {
  /*
   * Declared as a method so that its parameter is bivariant: a judge written for
   * `Outcome<Response>` fits an option typed for any outcome, and an inline judge still gets a
   * contextual type.
   */
  judge(outcome: Outcome<T>): boolean;
}['judge'];

/**
 * The function a policy protects. It may return a value, a promise or any thenable, and may throw.
 *
 * @example
 * ```ts
 * import type { Operation } from 'firebreak';
 * const getUser: Operation<Response> = (ctx) => fetch('http://127.0.0.1:8080/user', { signal: ctx.signal });
 * ```
 */
export type Operation<T> = (ctx: CallContext) => T | PromiseLike<T>;

/**
 * Options of a single call.
 *
 * @example
 * ```ts
 * import { timeout, type ExecuteOptions } from 'firebreak';
 * const options: ExecuteOptions = { signal: AbortSignal.timeout(5_000) };
 * await timeout(1_000).execute(() => 1, options);
 * ```
 */
export interface ExecuteOptions {
  /** The caller's signal: its abort rejects the call with `signal.reason` at once. */
  readonly signal?: AbortSignal | undefined;
  /** How much this call matters, seen by every stage as `ctx.priority` (adaptive bulkheads shed by it). */
  readonly priority?: Priority | undefined;
  /**
   * False when running the function twice would be unsafe (a POST without an idempotency key, a
   * request body that can be read only once): stages that repeat or duplicate attempts (retry,
   * hedge) then make only the first. @default true
   */
  readonly repeatable?: boolean | undefined;
}

/**
 * A resilience policy: something that runs a function on your behalf. `R` is what the policy may
 * return instead of the function's own value (a fallback's value); `never` for most policies.
 *
 * @example
 * ```ts
 * import { pipeline, timeout, fallback, type Policy } from 'firebreak';
 * const policy: Policy<string> = pipeline(fallback('cached'), timeout(500));
 * const body = await policy.execute((ctx) => fetch('http://127.0.0.1:8080/', { signal: ctx.signal }).then((r) => r.text()));
 * ```
 */
/** A type-only key: the alternative value a policy may return, for {@link Alternative}. */
declare const alternativeValue: unique symbol;

export interface Policy<R = never> {
  /** The name used in errors, events and metric labels. */
  readonly name: string;
  /**
   * Runs `fn` under this policy. The promise settles exactly once, also when `fn` throws
   * synchronously, returns a non-promise or a thenable, or throws a non-Error value.
   */
  execute<T>(fn: Operation<T>, options?: ExecuteOptions): Promise<T | R>;
  /** Type-only: never present at run time; lets {@link Alternative} read `R`. */
  readonly [alternativeValue]?: () => R;
}

/**
 * What a policy, or any of several policies, may return instead of the function's value.
 *
 * @example
 * ```ts
 * import { fallback, type Alternative } from 'firebreak';
 * const withZero = fallback(0);
 * type Zero = Alternative<typeof withZero>; // number
 * ```
 */
export type Alternative<P> = P extends { readonly [alternativeValue]?: () => infer R } ? R : never;

/**
 * A policy built by firebreak: besides `execute`, it reports each call made through it.
 *
 * @example
 * ```ts
 * import { timeout, type ObservablePolicy } from 'firebreak';
 * const guard: ObservablePolicy = timeout(500);
 * guard.onCall(({ ok, duration }) => console.log(ok ? 'ok' : 'failed', `${duration} ms`));
 * ```
 */
export interface ObservablePolicy<R = never> extends Policy<R> {
  /**
   * Subscribes to every call made through this policy's own `execute` (not to calls that reach
   * it from a policy around it): whether it succeeded, and how long it took.
   */
  readonly onCall: Subscribe<CallEvent>;
}

/** Runs `fn`, turning a synchronous throw or a thenable into a promise. */
export function callSafely<T>(fn: Operation<T>, ctx: CallContext): Promise<T> {
  try {
    return Promise.resolve(fn(ctx));
  } catch (error) {
    return Promise.reject(error);
  }
}

/**
 * The key of {@link PolicyBase}'s `invoke` for a function that is the caller's own (what
 * `execute` was given): it runs no inner stage, so it can never report abandoned work
 * (`Context.abandon`), and a policy that keeps a slot for such work (a bulkhead) can skip
 * preparing for it. A symbol key: not part of the public surface.
 */
export const INVOKE_OWN = Symbol('invokeOwn');

/**
 * The base of firebreak's policies: `execute` makes the call's context, and each policy
 * implements `invoke`, which runs `fn` inside a context handed down by the policy around it.
 */
export abstract class PolicyBase implements ObservablePolicy {
  #calls: EventList<CallEvent> | undefined;

  constructor(readonly name: string) {}

  /** Runs `fn` in the context `ctx`; must return a promise and never throw. */
  abstract invoke<T>(ctx: Context, fn: Operation<T>): Promise<T>;

  /** {@link invoke} for the caller's own function; the same unless a policy can do less for it. */
  [INVOKE_OWN]<T>(ctx: Context, fn: Operation<T>): Promise<T> {
    return this.invoke(ctx, fn);
  }

  onCall(listener: (event: CallEvent) => void): Unsubscribe {
    return (this.#calls ??= new EventList()).subscribe(listener);
  }

  execute<T>(fn: Operation<T>, options?: ExecuteOptions): Promise<T> {
    beginEntry();
    try {
      const calls = this.#calls;
      if (heard(calls, CALLS)) {
        const started = entryNow(systemClock);
        return observeCall(this, PolicyBase.#run(this, fn, options), calls, started);
      }
      return PolicyBase.#run(this, fn, options);
    } finally {
      endEntry();
    }
  }

  /** Static: a private instance method would cost every policy a slot (its class brand). */
  static #run<T>(policy: PolicyBase, fn: Operation<T>, options?: ExecuteOptions): Promise<T> {
    const signal = options?.signal;
    const repeatable = options?.repeatable !== false;
    if (signal === undefined) return policy[INVOKE_OWN](Context.root(undefined, options?.priority, repeatable, fn), fn);
    if (signal.aborted) return Promise.reject(signal.reason);
    return raceCallerAbort(policy[INVOKE_OWN](Context.root(signal, options?.priority, repeatable, fn), fn), signal);
  }
}

/**
 * Runs `policy` on `fn` inside `ctx`. A policy that is not one of firebreak's own only gets
 * `execute`: it receives the call's signal and priority (and `repeatable: false` when so), and `fn` keeps
 * running in `ctx`.
 */
export function invokePolicy<T>(policy: Policy<unknown>, ctx: Context, fn: Operation<T>): Promise<T> {
  if (policy instanceof PolicyBase) return policy.invoke(ctx, fn);
  const options = { signal: ctx.scope.canAbort ? ctx.signal : undefined, priority: ctx.priority };
  return policy.execute(() => fn(ctx), ctx.repeatable ? options : { ...options, repeatable: false }) as Promise<T>;
}

/**
 * A call made through a policy's `execute`, as its `onCall` listeners see it.
 *
 * @example
 * ```ts
 * import { timeout, type CallEvent } from 'firebreak';
 * timeout(500).onCall((event: CallEvent) => console.log(event.ok, event.duration));
 * ```
 */
export interface CallEvent {
  /** Whether the call resolved (with a fallback's value too) rather than rejected. */
  readonly ok: boolean;
  /** How long the call took, in milliseconds. */
  readonly duration: number;
  /** The error the call rejected with (absent when it resolved). */
  readonly error?: unknown;
}

function observeCall<T>(policy: PolicyBase, work: Promise<T>, calls: EventList<CallEvent> | undefined, started: number): Promise<T> {
  return work.then(
    (value) => {
      tell(calls, CALLS, policy, 'call', { ok: true, duration: systemClock.now() - started });
      return value;
    },
    (error: unknown) => {
      tell(calls, CALLS, policy, 'call', { ok: false, duration: systemClock.now() - started, error });
      throw error;
    },
  );
}

function raceCallerAbort<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const wait = whenAborted(signal, () => reject(signal.reason));
    work.then(
      (value) => {
        stopWaiting(wait);
        resolve(value);
      },
      (error: unknown) => {
        stopWaiting(wait);
        reject(error);
      },
    );
  });
}
