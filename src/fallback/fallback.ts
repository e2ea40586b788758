import type { Context } from '../context.js';
import { heard, tell, Topic } from '../diagnostics.js';
import { InvalidOptionError } from '../errors/invalid-option-error.js';
import { EventList, type Subscribe, type Unsubscribe } from '../events.js';
import { OptionReader } from '../options.js';
import { ADMIT, HOLD, PASS_ERROR, PASS_VALUE, type AdmissionStage } from '../admission-stage.js';
import { callSafely, INVOKE_OWN, PolicyBase, type CallContext, type Operation, type ObservablePolicy, type Outcome, type ShouldHandle } from '../policy.js';
import { handleAllErrors, isHandledError } from '../should-handle.js';

/**
 * What the fallback function gets besides the error: the call's context and the outcome it
 * replaces (a handled result shows as `{ ok: true, value }`).
 *
 * @example
 * ```ts
 * import { fallback, type FallbackContext } from 'firebreak';
 * const serveStale = fallback((_error: unknown, ctx: FallbackContext) => (ctx.outcome.ok ? 'stale' : 'down'));
 * ```
 */
export interface FallbackContext extends CallContext {
  readonly outcome: Outcome<unknown>;
}

/**
 * Makes the replacement value. `error` is the rejection reason, or the handled result itself
 * when `shouldHandle` judged a result a failure.
 *
 * @example
 * ```ts
 * import type { FallbackFunction } from 'firebreak';
 * const fromCache: FallbackFunction<string> = (error) => `cached (${String(error)})`;
 * ```
 */
export type FallbackFunction<R> = (error: unknown, ctx: FallbackContext) => R | PromiseLike<R>;

/**
 * Options of {@link fallback}.
 *
 * @example
 * ```ts
 * import { fallback, type FallbackOptions } from 'firebreak';
 * const options: FallbackOptions = { name: 'profile', shouldHandle: (outcome) => !outcome.ok };
 * const withDefault = fallback({ name: 'guest' }, options);
 * ```
 */
export interface FallbackOptions<T = unknown> {
  /** Name for events and metrics. @default 'fallback' */
  readonly name?: string;
  /** Which outcomes to replace. @default every error except a caller abort */
  readonly shouldHandle?: ShouldHandle<T>;
}

/**
 * Emitted each time the fallback serves a replacement.
 *
 * @example
 * ```ts
 * import { fallback, type FallbackEvent } from 'firebreak';
 * fallback(0).onFallback((event: FallbackEvent) => console.log('replaced', event.outcome));
 * ```
 */
export interface FallbackEvent {
  /** The outcome that was replaced. */
  readonly outcome: Outcome<unknown>;
}

/**
 * A fallback policy: see {@link fallback}.
 *
 * @example
 * ```ts
 * import { fallback, type FallbackPolicy } from 'firebreak';
 * const policy: FallbackPolicy<number> = fallback(0);
 * ```
 */
export interface FallbackPolicy<R = unknown> extends ObservablePolicy<R> {
  /** Subscribes to served fallbacks. */
  readonly onFallback: Subscribe<FallbackEvent>;
}

const FALLBACKS = new Topic('fallback');

class Fallback<R> extends PolicyBase implements FallbackPolicy<R>, AdmissionStage {
  #served: EventList<FallbackEvent> | undefined;

  /** The replacement value, or the function that makes it: kept as given (no closure per policy). */
  readonly #fallback: R | FallbackFunction<R>;

  constructor(
    name: string,
    fallback: R | FallbackFunction<R>,
    readonly shouldHandle: ShouldHandle,
  ) {
    super(name);
    this.#fallback = fallback;
  }

  onFallback(listener: (event: FallbackEvent) => void): Unsubscribe {
    return (this.#served ??= new EventList()).subscribe(listener);
  }

  /**
   * `invoke` itself: PolicyBase's sends it on to `invoke` through a call site every kind of
   * policy shares, slow once a process runs many kinds; this one only ever sees a fallback.
   */
  override [INVOKE_OWN]<T>(ctx: Context, fn: Operation<T>): Promise<T> {
    return this.invoke(ctx, fn);
  }

  invoke<T>(ctx: Context, fn: Operation<T>): Promise<T> {
    const work = callSafely(fn, ctx);
    const onError = (error: unknown): T => this[PASS_ERROR](undefined, ctx, error) as T;
    if (this.shouldHandle === handleAllErrors) return work.then(undefined, onError);
    return work.then((value) => this[PASS_VALUE](undefined, ctx, value) as T, onError);
  }

  /** A fallback takes every call in: it acts only once the call has ended. */
  [ADMIT](): unknown {
    return true;
  }

  [PASS_VALUE](_ticket: unknown, ctx: Context, value: unknown): unknown {
    if (this.shouldHandle === handleAllErrors) return value;
    const outcome: Outcome<unknown> = { ok: true, value };
    return this.shouldHandle(outcome) ? Fallback.#serve(this, ctx, outcome) : value;
  }

  [PASS_ERROR](_ticket: unknown, ctx: Context, error: unknown): unknown {
    if (!isHandledError(ctx, error, this.shouldHandle)) throw error;
    return Fallback.#serve(this, ctx, { ok: false, error });
  }

  /** Abandoned work is not this policy's to count. */
  [HOLD](): void {}

  /** Static, as a private instance method would cost every policy a slot (its class brand). */
  static #serve<R, T>(policy: Fallback<R>, ctx: Context, outcome: Outcome<unknown>): Promise<T> {
    if (heard(policy.#served, FALLBACKS)) tell(policy.#served, FALLBACKS, policy, 'fallback', { outcome });
    const replaced = outcome.ok ? outcome.value : outcome.error;
    const fallbackCtx: FallbackContext = {
      get signal() {
        return ctx.signal;
      },
      attempt: ctx.attempt,
      deadline: ctx.deadline,
      outcome,
    };
    const given = policy.#fallback;
    const made = callSafely<R>(() => (typeof given === 'function' ? (given as FallbackFunction<R>).call(policy, replaced, fallbackCtx) : given), ctx);
    return made.then<T>(undefined, (error: unknown) => {
      linkReplacedFailure(error, replaced);
      throw error;
    });
  }
}

/**
 * Ties a failing fallback's error to the failure it was replacing: always as `replacedFailure`,
 * and as `cause` where the error has none of its own (a fetch error already has one).
 */
function linkReplacedFailure(error: unknown, replaced: unknown): void {
  if (!(error instanceof Error) || error === replaced) return;
  try {
    Object.defineProperty(error, 'replacedFailure', { value: replaced, configurable: true, writable: true });
    if (error.cause === undefined) Object.defineProperty(error, 'cause', { value: replaced, configurable: true, writable: true });
  } catch {
    // a frozen error keeps what it has
  }
}

/**
 * The failure a fallback was replacing when it failed itself: `fallback()` sets it on the
 * fallback's error (besides `cause`, which a fetch error already uses for its own).
 *
 * @example
 * ```ts
 * import { fallback, replacedFailure } from 'firebreak';
 * const fromReplica = fallback(() => fetch('http://127.0.0.1:8081/user'));
 * try {
 *   await fromReplica.execute(() => fetch('http://127.0.0.1:8080/user'));
 * } catch (error) {
 *   console.log('replica failed:', error, 'primary failed:', replacedFailure(error));
 * }
 * ```
 */
export function replacedFailure(error: unknown): unknown {
  return error instanceof Error ? (error as Error & { replacedFailure?: unknown }).replacedFailure : undefined;
}

/**
 * The one-argument form of {@link fallback}, the same shape as `firebreak()`'s `fallback` stage:
 * the value or function, with its options beside it.
 *
 * @example
 * ```ts
 * import { fallback, type FallbackSpec } from 'firebreak';
 * const spec: FallbackSpec<string> = { fallback: () => 'cached', shouldHandle: (outcome) => !outcome.ok };
 * const cached = fallback(spec);
 * ```
 */
export interface FallbackSpec<R, T = unknown> extends FallbackOptions<T> {
  /** The replacement value, or the {@link FallbackFunction} that makes it. */
  readonly fallback: R | FallbackFunction<R>;
}

/**
 * Serves a degraded answer instead of an error: a fixed value, or a function of the error.
 * It replaces every handled failure, including circuit-open, bulkhead and timeout rejections;
 * a caller's abort is never replaced. A fallback function that fails rejects with its own
 * error; the failure it was replacing is its `replacedFailure` (read it with
 * {@link replacedFailure}), and its `cause` too unless the error has a cause of its own.
 *
 * Two shapes: `fallback(valueOrFunction, options?)`, or one {@link FallbackSpec}
 * `fallback({ fallback, shouldHandle?, name? })` as in `firebreak()`. An object with a `fallback`
 * key is always read as the second shape: to serve such a value, wrap it (`{ fallback: value }`).
 *
 * @param valueOrFunction - the replacement value, or a {@link FallbackFunction} that makes it,
 * or a {@link FallbackSpec}.
 * @param options - {@link FallbackOptions}; not with a {@link FallbackSpec}.
 * @throws InvalidOptionError for a bad option, or options given beside a {@link FallbackSpec}.
 * @example
 * ```ts
 * import { fallback, pipeline, timeout } from 'firebreak';
 * const profile = pipeline(fallback({ name: 'guest' }), timeout(300));
 * const user = await profile.execute(async (ctx) => {
 *   const response = await fetch('http://127.0.0.1:8080/me', { signal: ctx.signal });
 *   return (await response.json()) as { name: string };
 * });
 * ```
 */
export function fallback<R, T = unknown>(spec: FallbackSpec<R, T>): FallbackPolicy<R>;
export function fallback<R, T = unknown>(valueOrFunction: R | FallbackFunction<R>, options?: FallbackOptions<T>): FallbackPolicy<R>;
export function fallback<R, T = unknown>(valueOrFunction: R | FallbackFunction<R> | FallbackSpec<R, T>, options?: FallbackOptions<T>): FallbackPolicy<R> {
  if (isSpec<R, T>(valueOrFunction)) {
    if (options !== undefined) throw new InvalidOptionError('fallback', 'options', 'absent when the first argument is { fallback, ... } (put them beside `fallback`)', options);
    const { fallback: value, ...rest } = valueOrFunction;
    return makeFallback(value, rest);
  }
  return makeFallback(valueOrFunction, options);
}

function makeFallback<R>(valueOrFunction: R | FallbackFunction<R>, options: unknown): FallbackPolicy<R> {
  const read = new OptionReader('fallback', options, ['name', 'shouldHandle']);
  return new Fallback(
    read.string('name', 'fallback'),
    valueOrFunction,
    read.optionalFunction<ShouldHandle>('shouldHandle') ?? handleAllErrors,
  );
}

function isSpec<R, T>(value: unknown): value is FallbackSpec<R, T> {
  return typeof value === 'object' && value !== null && Object.hasOwn(value, 'fallback');
}
