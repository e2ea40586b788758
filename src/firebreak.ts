import { adaptiveBulkhead, type AdaptiveBulkheadOptions } from './adaptive/adaptive-bulkhead.js';
import { bulkhead, type BulkheadOptions, type BulkheadPolicy } from './bulkhead/bulkhead.js';
import { circuitBreaker, type CircuitBreakerPolicy } from './circuit-breaker/circuit-breaker.js';
import type { CircuitBreakerOptions } from './circuit-breaker/options.js';
import type { Context } from './context.js';
import { InvalidOptionError } from './errors/invalid-option-error.js';
import { fallback, type FallbackFunction, type FallbackPolicy, type FallbackSpec } from './fallback/fallback.js';
import { OptionReader } from './options.js';
import { pipeline, type Pipeline } from './pipeline.js';
import { invokePolicy, PolicyBase, type Operation, type Policy, type ShouldHandle } from './policy.js';
import { timeout, type TimeoutOptions, type TimeoutPolicy } from './timeout/timeout.js';
import type { RetryBudget } from './retry/budget.js';
import { buildRetryStage, type FirebreakRetryOptions } from './retry/firebreak-stage.js';
import type { RetryPolicy } from './retry/retry.js';
import { rateLimiter, type RateLimiterOptions, type RateLimiterPolicy } from './rate-limiter/rate-limiter.js';

/** Options of a stage inside {@link firebreak}: the policy's own options, less `name`. */
type StageOptions<O> = Omit<O, 'name'>;

/**
 * The fallback stage of {@link firebreak}: a value, a function, or a function with its options.
 * An object with a `fallback` key is read as the last form: to serve a value that itself has a
 * `fallback` key, wrap it, as in `{ fallback: value }`.
 *
 * @example
 * ```ts
 * import type { FirebreakFallback } from 'firebreak';
 * const cached: FirebreakFallback<string> = { fallback: () => 'cached', shouldHandle: (outcome) => !outcome.ok };
 * ```
 */
export type FirebreakFallback<R = unknown> =
  | { readonly fallback: R | FallbackFunction<R>; readonly shouldHandle?: ShouldHandle }
  | FallbackFunction<R>
  | R;

/**
 * Options of {@link firebreak}: one key per stage; an absent key leaves that stage out.
 *
 * @example
 * ```ts
 * import { firebreak, type FirebreakOptions } from 'firebreak';
 * const options: FirebreakOptions = { fallback: { user: 'guest' }, totalTimeout: 2_000, attemptTimeout: 500 };
 * const auth = firebreak('auth', options);
 * ```
 */
export interface FirebreakOptions<R = unknown> {
  /** Outermost: serves a degraded answer for any handled failure of the stages inside. */
  readonly fallback?: FirebreakFallback<R>;
  /** A deadline for the whole call, retries included. */
  readonly totalTimeout?: number | StageOptions<TimeoutOptions>;
  /** Retries inside the total timeout, with a retry budget (its own one unless `budget` is given). */
  readonly retry?: FirebreakRetryOptions;
  /** Caps the rate of attempts sent to the dependency (retries included); over it, a fast-fail. */
  readonly rateLimit?: StageOptions<RateLimiterOptions>;
  /** Stops calling a dependency that keeps failing; inside the retries, so each attempt is judged. */
  readonly circuitBreaker?: StageOptions<CircuitBreakerOptions>;
  /**
   * Bounds the calls running against the dependency at once, with a bounded queue: a static
   * limit, or one learned from latency with `{ adaptive: { ... } }` (see `adaptiveBulkhead`).
   */
  readonly bulkhead?: StageOptions<BulkheadOptions> | { readonly adaptive: StageOptions<AdaptiveBulkheadOptions> };
  /** Innermost: a limit on each attempt. */
  readonly attemptTimeout?: number | StageOptions<TimeoutOptions>;
}

/**
 * The policy {@link firebreak} builds, with each stage exposed for events, state and metrics
 * (`undefined` where the stage was left out).
 *
 * @example
 * ```ts
 * import { firebreak, type Firebreak } from 'firebreak';
 * const auth: Firebreak = firebreak('auth', { attemptTimeout: 300 });
 * auth.attemptTimeout?.onTimeout(() => console.log('auth is slow'));
 * ```
 */
export interface Firebreak<R = never> extends Pipeline<R> {
  readonly fallback: FallbackPolicy | undefined;
  readonly totalTimeout: TimeoutPolicy | undefined;
  readonly retry: RetryPolicy | undefined;
  /** The retry stage's budget. */
  readonly budget: RetryBudget | undefined;
  readonly rateLimit: RateLimiterPolicy | undefined;
  readonly circuitBreaker: CircuitBreakerPolicy | undefined;
  readonly bulkhead: BulkheadPolicy | undefined;
  readonly attemptTimeout: TimeoutPolicy | undefined;
}

type StageKey = keyof FirebreakOptions & keyof Firebreak;

interface StageDefinition {
  readonly key: StageKey;
  /** Builds the stage named `name` from its option. */
  readonly build: (name: string, option: unknown) => Policy<unknown>;
}

/** The stages in pipeline order, outermost first. Adding a stage is adding a line here. */
const STAGES: readonly StageDefinition[] = [
  { key: 'fallback', build: buildFallback },
  { key: 'totalTimeout', build: (name, option) => timeout(named('totalTimeout', name, timeoutOptions(option))) },
  { key: 'retry', build: buildRetryStage },
  { key: 'rateLimit', build: (name, option) => rateLimiter(named('rateLimit', name, option)) },
  { key: 'circuitBreaker', build: (name, option) => circuitBreaker(named('circuitBreaker', name, option)) },
  { key: 'bulkhead', build: buildBulkhead },
  { key: 'attemptTimeout', build: (name, option) => timeout(named('attemptTimeout', name, timeoutOptions(option))) },
];

class FirebreakPolicy extends PolicyBase {
  readonly #pipeline: Pipeline<unknown>;
  readonly policies: readonly Policy<unknown>[];

  constructor(name: string, stages: Map<StageKey, Policy<unknown>>) {
    super(name);
    this.policies = [...stages.values()];
    this.#pipeline = pipeline(...this.policies);
    for (const { key } of STAGES) Object.defineProperty(this, key, { value: stages.get(key), enumerable: true });
    Object.defineProperty(this, 'budget', { value: (stages.get('retry') as RetryPolicy | undefined)?.budget, enumerable: true });
  }

  invoke<T>(ctx: Context, fn: Operation<T>): Promise<T> {
    return invokePolicy(this.#pipeline, ctx, fn);
  }
}

/**
 * The recommended protection for one dependency: its stages in the right order,
 * `fallback → totalTimeout → retry → circuitBreaker → bulkhead → attemptTimeout` (outermost
 * first). Every stage is named `name`, so the metrics of one dependency share one label.
 *
 * @param name - the dependency's name, such as `'auth'`.
 * @param options - {@link FirebreakOptions}: one key per stage.
 * @throws InvalidOptionError for a bad or unknown option of any stage.
 * @example
 * ```ts
 * import { firebreak } from 'firebreak';
 * const auth = firebreak('auth', { fallback: () => new Response('{"user":"guest"}'), totalTimeout: 1_000, attemptTimeout: 300 });
 * const user = await auth.execute((ctx) => fetch('http://127.0.0.1:8080/verify', { signal: ctx.signal }));
 * ```
 */
export function firebreak<R = never>(name: string, options?: FirebreakOptions<R>): Firebreak<R> {
  if (typeof name !== 'string' || name.length === 0) throw new InvalidOptionError('firebreak', 'name', 'a non-empty string', name);
  const read = new OptionReader('firebreak', options, STAGES.map((stage) => stage.key));
  const stages = new Map<StageKey, Policy<unknown>>();
  for (const { key, build } of STAGES) {
    if (read.has(key)) stages.set(key, buildStage(key, () => build(name, read.raw(key))));
  }
  return new FirebreakPolicy(name, stages) as unknown as Firebreak<R>;
}

/** Builds one stage, naming a refused option after its place in firebreak()'s options. */
function buildStage(key: StageKey, build: () => Policy<unknown>): Policy<unknown> {
  try {
    return build();
  } catch (error) {
    if (!(error instanceof InvalidOptionError) || error.factory === 'firebreak') throw error;
    const option = error.option === 'options' ? key : `${key}.${error.option}`;
    throw new InvalidOptionError('firebreak', option, error.expected, error.value, error.problem);
  }
}

function named(key: string, name: string, option: unknown): never {
  if (typeof option !== 'object' || option === null || Array.isArray(option)) {
    throw new InvalidOptionError('firebreak', key, 'an object of options', option);
  }
  if ('name' in option) throw new InvalidOptionError('firebreak', `${key}.name`, 'left out (every stage takes the name given to firebreak)', option.name);
  return { ...option, name } as never;
}

function timeoutOptions(option: unknown): unknown {
  if (typeof option === 'number') return { duration: option };
  if (typeof option !== 'object' || option === null || Array.isArray(option)) {
    throw new InvalidOptionError('timeout', 'options', 'a number of milliseconds (the duration) or an object of options', option);
  }
  return option;
}

function buildBulkhead(name: string, option: unknown): Policy<unknown> {
  if (typeof option === 'object' && option !== null && 'adaptive' in option) {
    const { adaptive, ...rest } = option;
    if (Object.keys(rest).length > 0) {
      throw new InvalidOptionError('firebreak', 'bulkhead', 'either static options or { adaptive: { ... } } alone', option);
    }
    try {
      return adaptiveBulkhead(named('bulkhead.adaptive', name, adaptive));
    } catch (error) {
      if (!(error instanceof InvalidOptionError) || error.factory === 'firebreak') throw error;
      throw new InvalidOptionError(error.factory, error.option === 'options' ? 'adaptive' : `adaptive.${error.option}`, error.expected, error.value);
    }
  }
  return bulkhead(named('bulkhead', name, option));
}

function buildFallback(name: string, option: unknown): Policy<unknown> {
  if (typeof option === 'object' && option !== null && Object.hasOwn(option, 'fallback')) {
    return fallback(named('fallback', name, option) as FallbackSpec<unknown>);
  }
  return fallback(option, { name });
}
