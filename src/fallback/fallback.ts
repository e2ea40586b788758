import type { Context } from '../context.js';
import { heard, tell, Topic } from '../diagnostics.js';
import { EventList, type Subscribe, type Unsubscribe } from '../events.js';
import { OptionReader } from '../options.js';
import { callSafely, PolicyBase, type CallContext, type Operation, type ObservablePolicy, type Outcome, type ShouldHandle } from '../policy.js';
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

class Fallback<R> extends PolicyBase implements FallbackPolicy<R> {
  #served: EventList<FallbackEvent> | undefined;

  constructor(
    name: string,
    readonly makeValue: FallbackFunction<R>,
    readonly shouldHandle: ShouldHandle,
  ) {
    super(name);
  }

  onFallback(listener: (event: FallbackEvent) => void): Unsubscribe {
    return (this.#served ??= new EventList()).subscribe(listener);
  }

  invoke<T>(ctx: Context, fn: Operation<T>): Promise<T> {
    const work = callSafely(fn, ctx);
    const onError = (error: unknown): Promise<T> => {
      if (!isHandledError(ctx, error, this.shouldHandle)) return Promise.reject(error);
      return this.#serve(ctx, { ok: false, error });
    };
    if (this.shouldHandle === handleAllErrors) return work.then(undefined, onError);
    const judge = this.shouldHandle;
    return work.then((value) => {
      const outcome: Outcome<T> = { ok: true, value };
      return judge(outcome) ? this.#serve(ctx, outcome) : value;
    }, onError);
  }

  #serve<T>(ctx: Context, outcome: Outcome<unknown>): Promise<T> {
    if (heard(this.#served, FALLBACKS)) tell(this.#served, FALLBACKS, this, 'fallback', { outcome });
    const replaced = outcome.ok ? outcome.value : outcome.error;
    const fallbackCtx: FallbackContext = {
      get signal() {
        return ctx.signal;
      },
      attempt: ctx.attempt,
      deadline: ctx.deadline,
      outcome,
    };
    const made = callSafely<R>(() => this.makeValue(replaced, fallbackCtx), ctx);
    return made.then<T>(undefined, (error: unknown) => {
      attachCause(error, replaced);
      throw error;
    });
  }
}

function attachCause(error: unknown, cause: unknown): void {
  if (!(error instanceof Error) || error.cause !== undefined || error === cause) return;
  try {
    Object.defineProperty(error, 'cause', { value: cause, configurable: true, writable: true });
  } catch {
    // a frozen error keeps what it has
  }
}

/**
 * Serves a degraded answer instead of an error: a fixed value, or a function of the error.
 * It replaces every handled failure, including circuit-open, bulkhead and timeout rejections;
 * a caller's abort is never replaced. A fallback function that fails rejects with its own
 * error, with the original failure as its `cause`.
 *
 * @param valueOrFunction - the replacement value, or a {@link FallbackFunction} that makes it.
 * @param options - {@link FallbackOptions}.
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
export function fallback<R, T = unknown>(valueOrFunction: R | FallbackFunction<R>, options?: FallbackOptions<T>): FallbackPolicy<R> {
  const read = new OptionReader('fallback', options, ['name', 'shouldHandle']);
  const makeValue: FallbackFunction<R> =
    typeof valueOrFunction === 'function' ? (valueOrFunction as FallbackFunction<R>) : () => valueOrFunction;
  return new Fallback(
    read.string('name', 'fallback'),
    makeValue,
    read.optionalFunction<ShouldHandle>('shouldHandle') ?? handleAllErrors,
  );
}
