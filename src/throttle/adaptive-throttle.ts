import { ADMIT, HOLD, PASS_ERROR, PASS_VALUE, type AdmissionStage } from '../admission-stage.js';
import type { Clock } from '../clock.js';
import type { Context } from '../context.js';
import { heard, tell, Topic } from '../diagnostics.js';
import { isFastFail } from '../errors/fast-fail.js';
import { throttledError } from '../errors/throttled-error.js';
import { EventList, type Subscribe, type Unsubscribe } from '../events.js';
import { OptionReader } from '../options.js';
import { callSafely, PolicyBase, type ObservablePolicy, type Operation, type ShouldHandle } from '../policy.js';
import { handleAllErrors } from '../should-handle.js';
import { rejectionProbability } from './decide.js';
import { ThrottleWindow } from './throttle-window.js';

/**
 * Options of {@link adaptiveThrottle}.
 *
 * @example
 * ```ts
 * import { adaptiveThrottle, type AdaptiveThrottleOptions } from 'firebreak';
 * const options: AdaptiveThrottleOptions = { name: 'search', k: 2, window: 60_000, maxRejection: 0.9 };
 * const throttle = adaptiveThrottle(options);
 * ```
 */
export interface AdaptiveThrottleOptions<T = unknown> {
  /** Name for errors, events and metrics. @default 'adaptive-throttle' */
  readonly name?: string;
  /**
   * How many requests per accept the dependency is sent before the throttle rejects any: 2 lets
   * through twice what the dependency accepts (the SRE book's advice); lower is more aggressive.
   * A number >= 1. @default 2
   */
  readonly k?: number;
  /** How long, in milliseconds, requests and accepts are counted. @default 120_000 */
  readonly window?: number;
  /**
   * The highest share of calls rejected, so that some calls always reach the dependency and
   * notice its recovery. In [0, 1]. @default 0.9
   */
  readonly maxRejection?: number;
  /**
   * Which outcomes the dependency did not handle well (the rest are accepts). A caller's abort is
   * neither, and firebreak's fast-fail rejections from stages inside (the dependency was not asked)
   * are not counted at all. @default every error
   */
  readonly shouldHandle?: ShouldHandle<T>;
  /** Source of time. @default systemClock */
  readonly clock?: Clock;
  /** Source of numbers in [0, 1) for the rejection draw: a seeded one makes drills reproducible. @default Math.random */
  readonly random?: () => number;
}

/**
 * Emitted when the throttle turns a call away.
 *
 * @example
 * ```ts
 * import { adaptiveThrottle, type ThrottledEvent } from 'firebreak';
 * adaptiveThrottle().onRejected((event: ThrottledEvent) => console.log(`rejecting ${event.probability * 100} %`));
 * ```
 */
export interface ThrottledEvent {
  /** The rejection probability the call was drawn against. */
  readonly probability: number;
}

/**
 * What an adaptive throttle has counted over its window, and how it rejects now.
 *
 * @example
 * ```ts
 * import { adaptiveThrottle, type AdaptiveThrottleStats } from 'firebreak';
 * const stats: AdaptiveThrottleStats = adaptiveThrottle().stats;
 * console.log(stats.requests, stats.accepts, stats.probability); // 0 0 0
 * ```
 */
export interface AdaptiveThrottleStats {
  /** Calls offered in the window, the throttle's own rejections included. */
  readonly requests: number;
  /** Calls the dependency handled well in the window. */
  readonly accepts: number;
  /** Calls the dependency did not handle well in the window. */
  readonly failures: number;
  /** The probability with which the next call is rejected. */
  readonly probability: number;
}

/**
 * An adaptive throttle: see {@link adaptiveThrottle}.
 *
 * @example
 * ```ts
 * import { adaptiveThrottle, type AdaptiveThrottlePolicy } from 'firebreak';
 * const throttle: AdaptiveThrottlePolicy = adaptiveThrottle({ k: 1.5 });
 * console.log(throttle.k, throttle.window, throttle.maxRejection); // 1.5 120000 0.9
 * ```
 */
export interface AdaptiveThrottlePolicy extends ObservablePolicy {
  readonly k: number;
  readonly window: number;
  readonly maxRejection: number;
  /** The counts of the window and the rejection probability, read now. */
  readonly stats: AdaptiveThrottleStats;
  /** Subscribes to rejections. */
  readonly onRejected: Subscribe<ThrottledEvent>;
}

const THROTTLES = new Topic('throttle');

class AdaptiveThrottle extends PolicyBase implements AdaptiveThrottlePolicy, AdmissionStage {
  #rejected: EventList<ThrottledEvent> | undefined;
  readonly #counts: ThrottleWindow;
  readonly #judgesResults: boolean;

  constructor(
    name: string,
    readonly k: number,
    readonly window: number,
    readonly maxRejection: number,
    readonly shouldHandle: ShouldHandle,
    readonly clock: Clock,
    readonly random: () => number,
  ) {
    super(name);
    this.#counts = new ThrottleWindow(window, clock);
    this.#judgesResults = shouldHandle !== handleAllErrors;
  }

  onRejected(listener: (event: ThrottledEvent) => void): Unsubscribe {
    return (this.#rejected ??= new EventList()).subscribe(listener);
  }

  get stats(): AdaptiveThrottleStats {
    const counts = this.#counts;
    counts.advance();
    return { requests: counts.requests, accepts: counts.accepts, failures: counts.failures, probability: rejectionProbability(counts, this.k, this.maxRejection) };
  }

  invoke<T>(ctx: Context, fn: Operation<T>): Promise<T> {
    try {
      this[ADMIT]();
    } catch (error) {
      return Promise.reject(error);
    }
    return callSafely(fn, ctx).then(
      (value) => this[PASS_VALUE](undefined, ctx, value),
      (error: unknown) => this[PASS_ERROR](undefined, ctx, error),
    );
  }

  /** Rejects a share of calls, drawn at random, while the dependency accepts too few; admits the others. */
  [ADMIT](): unknown {
    const counts = this.#counts;
    counts.advance();
    const probability = rejectionProbability(counts, this.k, this.maxRejection);
    if (probability > 0 && this.random() < probability) {
      counts.recordRejection();
      if (heard(this.#rejected, THROTTLES)) tell(this.#rejected, THROTTLES, this, 'rejected', { probability });
      throw throttledError(this.name, probability);
    }
    return true;
  }

  [PASS_VALUE]<T>(_ticket: unknown, _ctx: Context, value: T): T {
    this.#counts.recordOutcome(!(this.#judgesResults && this.#judge({ ok: true, value })));
    return value;
  }

  [PASS_ERROR](_ticket: unknown, ctx: Context, error: unknown): never {
    if (!ctx.isCallerAbort(error) && !isFastFail(error)) this.#counts.recordOutcome(!this.#judge({ ok: false, error }));
    throw error;
  }

  /** Abandoned work is not this policy's to count: the call's outcome was recorded. */
  [HOLD](): void {}

  /** Runs `shouldHandle`; a judge that throws counts the outcome as a failure. */
  #judge(outcome: Parameters<ShouldHandle>[0]): boolean {
    try {
      return this.shouldHandle(outcome);
    } catch {
      return true;
    }
  }
}

/**
 * Client-side adaptive throttling (Google SRE book, "Handling Overload"): rejects calls locally,
 * before they reach a dependency that is turning calls away, with probability
 * `max(0, (requests − k × accepts) / (requests + 1))`, capped at `maxRejection`. `requests`
 * counts every call offered over the last `window` ms, the throttle's own rejections included;
 * `accepts` the ones the dependency handled well. While the dependency accepts everything,
 * nothing is rejected; when it accepts a share `a` of what it gets, the load sent to it settles
 * near `k ×` its accepts, never below `(1 − maxRejection) ×` the offered load.
 *
 * Use it in front of a dependency that sheds load (429, 503) so that a sick backend sees less
 * traffic at once, before any breaker has opened, and gets it back smoothly as it recovers. The
 * rejection is a {@link ThrottledError}, a fast-fail: not retried by default, never a breaker
 * failure. A caller's abort counts as neither a request nor an accept. Rejection stops at most one
 * `window` after the dependency recovers: once the window holds no failure, nothing is rejected.
 *
 * @param options - {@link AdaptiveThrottleOptions}.
 * @throws InvalidOptionError for a `k` below 1, a `window` under 1 ms, a `maxRejection` outside
 * [0, 1], a `random` that is not a function, or an unknown option.
 * @example
 * ```ts
 * import { adaptiveThrottle, httpShouldHandle } from 'firebreak';
 * const throttle = adaptiveThrottle({ name: 'search', shouldHandle: httpShouldHandle });
 * const response = await throttle.execute((ctx) => fetch('http://127.0.0.1:8080/search', { signal: ctx.signal }));
 * ```
 */
export function adaptiveThrottle<T = unknown>(options?: AdaptiveThrottleOptions<T>): AdaptiveThrottlePolicy {
  const read = new OptionReader('adaptiveThrottle', options, ['name', 'k', 'window', 'maxRejection', 'shouldHandle', 'clock', 'random']);
  return new AdaptiveThrottle(
    read.string('name', 'adaptive-throttle'),
    read.number('k', 2, 1),
    read.duration('window', 120_000, { min: 1 }),
    read.probability('maxRejection', 0.9),
    read.optionalFunction<ShouldHandle>('shouldHandle') ?? handleAllErrors,
    read.clock(),
    read.optionalFunction<() => number>('random') ?? Math.random,
  );
}
