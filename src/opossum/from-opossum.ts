import type { Context } from '../context.js';
import { BulkheadRejectedError } from '../errors/bulkhead-rejected-error.js';
import { CircuitOpenError } from '../errors/circuit-open-error.js';
import { InvalidOptionError } from '../errors/invalid-option-error.js';
import { TimeoutError } from '../errors/timeout-error.js';
import type { Subscribe } from '../events.js';
import { OptionReader } from '../options.js';
import { callSafely, PolicyBase, type ObservablePolicy, type Operation } from '../policy.js';
import type { CircuitFailureEvent, CircuitRejectedEvent, CircuitStateChangeEvent, CircuitSuccessEvent } from '../circuit-breaker/events.js';
import type { CircuitState } from '../circuit-breaker/state-machine.js';
import type { TimeoutEvent } from '../timeout/timeout.js';
import { BreakerEvents, retryAfterOf, stateOf } from './breaker-events.js';
import { opossumErrorCode, type OpossumBreaker, type OpossumInternals } from './opossum-breaker.js';

/**
 * Options of {@link fromOpossum}.
 *
 * @example
 * ```ts
 * import type { FromOpossumOptions } from 'firebreak/opossum';
 * const options: FromOpossumOptions = { name: 'auth' };
 * ```
 */
export interface FromOpossumOptions {
  /**
   * Name for errors, events and metrics. @default the breaker's own `name`, or `'opossum'` when
   * opossum made that up (a random UUID for a breaker without a name and of an anonymous action,
   * which would give metrics a new label value on every start)
   */
  readonly name?: string;
}

/**
 * An opossum breaker as a firebreak policy: see {@link fromOpossum}. Its state and events have
 * the shapes of firebreak's own circuit breaker (opossum has no slow-call rule: `slow` is always
 * false), and its timeouts those of firebreak's timeout. `R` is what an opossum fallback set on
 * the breaker may return instead of the function's value.
 *
 * @example
 * ```ts
 * import CircuitBreaker from 'opossum';
 * import { fromOpossum, type OpossumPolicy } from 'firebreak/opossum';
 * const auth: OpossumPolicy = fromOpossum(new CircuitBreaker(async () => 'ok', { name: 'auth' }));
 * console.log(auth.state); // 'closed'
 * ```
 */
export interface OpossumPolicy<R = never> extends ObservablePolicy<R> {
  /** The opossum breaker this policy runs calls through. */
  readonly breaker: OpossumBreaker;
  /** The breaker's state now: `'isolated'` once it was shut down. */
  readonly state: CircuitState;
  /** Subscribes to the breaker's changes of state. */
  readonly onStateChange: Subscribe<CircuitStateChangeEvent>;
  /** Subscribes to calls the breaker turned away. */
  readonly onRejected: Subscribe<CircuitRejectedEvent>;
  /** Subscribes to calls the breaker recorded as successes. */
  readonly onSuccess: Subscribe<CircuitSuccessEvent>;
  /** Subscribes to calls the breaker recorded as failures (its timeouts and full capacity included). */
  readonly onFailure: Subscribe<CircuitFailureEvent>;
  /** Subscribes to calls that ran past the breaker's own `timeout` (`duration`: that timeout). */
  readonly onTimeout: Subscribe<TimeoutEvent>;
}

/** Stands for a caller's abort on its way through opossum, which records it as a success. */
class CallerAborted {
  constructor(readonly reason: unknown) {}
}

const isCallerAborted = (value: unknown): boolean => value instanceof CallerAborted;

class OpossumAdapter extends PolicyBase implements OpossumPolicy {
  readonly #events: BreakerEvents;
  readonly onStateChange: Subscribe<CircuitStateChangeEvent>;
  readonly onRejected: Subscribe<CircuitRejectedEvent>;
  readonly onSuccess: Subscribe<CircuitSuccessEvent>;
  readonly onFailure: Subscribe<CircuitFailureEvent>;
  readonly onTimeout: Subscribe<TimeoutEvent>;

  constructor(
    name: string,
    readonly breaker: OpossumBreaker & OpossumInternals,
  ) {
    super(name);
    const events = (this.#events = new BreakerEvents(breaker, isCallerAborted));
    this.onStateChange = events.subscribe(events.stateChanges);
    this.onRejected = events.subscribe(events.rejections);
    this.onSuccess = events.subscribe(events.successes);
    this.onFailure = events.subscribe(events.failures);
    this.onTimeout = events.subscribe(events.timeouts);
  }

  get state(): CircuitState {
    return stateOf(this.breaker);
  }

  /**
   * Runs `fn` as the breaker's action for this one call: opossum applies its action synchronously
   * inside `call`, so the breaker's own action is back in place before anything else can run.
   */
  invoke<T>(ctx: Context, fn: Operation<T>): Promise<T> {
    const breaker = this.breaker;
    const inner = ctx.withScope(ctx.deadline);
    const own = breaker.action;
    let work: Promise<T> | undefined;
    breaker.action = () => {
      breaker.action = own;
      work = callSafely(fn, inner);
      return work.then(undefined, (error: unknown) => (inner.isCallerAbort(error) ? new CallerAborted(error) : Promise.reject(error)));
    };
    let settled: Promise<unknown>;
    try {
      settled = breaker.call(undefined);
    } finally {
      breaker.action = own;
    }
    return settled.then(
      (value) => {
        inner.scope.dispose();
        if (value instanceof CallerAborted) throw value.reason;
        return value as T;
      },
      (error: unknown) => {
        inner.scope.dispose();
        throw this.#translate(error, ctx, inner, work);
      },
    );
  }

  /** opossum's own rejections become firebreak's errors; the function's errors pass as they are. */
  #translate(error: unknown, ctx: Context, inner: Context, work: Promise<unknown> | undefined): unknown {
    switch (opossumErrorCode(this.breaker, error)) {
      case 'EOPENBREAKER':
        return new CircuitOpenError(this.name, retryAfterOf(this.breaker, this.#events.opening), stateOf(this.breaker) === 'half-open' ? 'half-open' : 'open');
      case 'ESHUTDOWN':
        this.#events.rejected();
        return new CircuitOpenError(this.name, Infinity, 'isolated');
      case 'ESEMLOCKED':
        return new BulkheadRejectedError(this.name, 'full');
      case 'ETIMEDOUT': {
        const timeout = this.breaker.options.timeout;
        const timedOut = new TimeoutError(this.name, typeof timeout === 'number' ? timeout : 0, { cause: error });
        inner.scope.abort(timedOut);
        if (work) ctx.abandon(work);
        return timedOut;
      }
      case undefined:
        return error;
    }
  }
}

/**
 * Turns an existing opossum (8 or 9) `CircuitBreaker` into a firebreak policy, so that it can
 * stand in a `pipeline()` (inside a retry, a fallback or a total timeout) and be instrumented
 * with `firebreak/prometheus` under the same metric names as firebreak's own breaker. Use it to
 * adopt firebreak without rewriting the breakers you run today.
 *
 * Each call runs the function given to `execute` in place of the breaker's action, under the
 * breaker's state, statistics, `timeout`, `capacity`, `errorFilter` and events; the breaker keeps
 * its own action for its other callers, and shares its state with them. opossum's rejections
 * become firebreak's fast-fail errors, so a `retry()` around the breaker does not retry them:
 * - an open circuit (or a half-open one whose probe is in flight): `CircuitOpenError`, with
 *   `retryAfter` the open time left (all of `resetTimeout` if the breaker was already open when
 *   this adapter was made);
 * - a shut-down breaker: `CircuitOpenError` with `retryAfter` `Infinity` (state `'isolated'`);
 * - `capacity` reached: `BulkheadRejectedError` with reason `'full'`;
 * - opossum's `timeout`: `TimeoutError` (with opossum's error as `cause`), and `ctx.signal`
 *   aborts with it.
 *
 * A caller's abort is not recorded as a failure (opossum records it as a success). An opossum
 * fallback set on the breaker still serves, and receives the error as its only argument; its
 * `errorFilter` too. A breaker with `cache` or `coalesce` is refused: they key results by the
 * action's arguments, and calls through this policy have none.
 *
 * @param breaker - the opossum breaker.
 * @param options - {@link FromOpossumOptions}.
 * @throws InvalidOptionError when `breaker` is not an opossum breaker or uses `cache` or `coalesce`.
 * @example
 * ```ts
 * import CircuitBreaker from 'opossum';
 * import { pipeline, retry } from 'firebreak';
 * import { fromOpossum } from 'firebreak/opossum';
 * import { instrument } from 'firebreak/prometheus';
 *
 * const breaker = new CircuitBreaker((id: string) => fetch(`http://127.0.0.1:8080/users/${id}`), { name: 'users', timeout: 1_000 });
 * const users = pipeline(retry({ maxAttempts: 3 }), fromOpossum(breaker));
 * instrument(users);
 * const response = await users.execute((ctx) => fetch('http://127.0.0.1:8080/users/42', { signal: ctx.signal }));
 * ```
 */
export function fromOpossum<R = never>(breaker: OpossumBreaker, options?: FromOpossumOptions): OpossumPolicy<R> {
  const read = new OptionReader('fromOpossum', options, ['name']);
  if (!isOpossumBreaker(breaker)) throw new InvalidOptionError('fromOpossum', 'breaker', 'an opossum CircuitBreaker', breaker);
  for (const option of ['cache', 'coalesce'] as const) {
    if (breaker.options[option] === true) {
      throw new InvalidOptionError('fromOpossum', `breaker.options.${option}`, 'off (it keys results by arguments, and calls through firebreak have none)', true);
    }
  }
  return new OpossumAdapter(read.string('name', RANDOM_NAME.test(breaker.name) ? 'opossum' : breaker.name), breaker);
}

/** The name opossum gives a breaker that has none and whose action is anonymous: a random UUID. */
const RANDOM_NAME = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function isOpossumBreaker(value: unknown): value is OpossumBreaker & OpossumInternals {
  if (typeof value !== 'object' || value === null) return false;
  const breaker = value as Partial<Record<keyof (OpossumBreaker & OpossumInternals), unknown>>;
  return (
    typeof breaker.call === 'function' &&
    typeof breaker.action === 'function' &&
    typeof breaker.on === 'function' &&
    typeof breaker.removeListener === 'function' &&
    typeof breaker.options === 'object' &&
    breaker.options !== null &&
    typeof breaker.name === 'string'
  );
}
