import type { Context } from '../context.js';
import { heard, tell, Topic } from '../diagnostics.js';
import { EventList, type Subscribe, type Unsubscribe } from '../events.js';
import { callSafely, PolicyBase, type ObservablePolicy, type Operation } from '../policy.js';
import type { ChaosSettings } from './chaos-options.js';
import { shouldInject, type ChaosEnabled } from './decide.js';

/**
 * Emitted each time a chaos policy injects: which kind, and what it injected.
 *
 * @example
 * ```ts
 * import { chaos, type ChaosEvent } from 'firebreak';
 * const slow = chaos.latency({ rate: 0.1, delay: 500 });
 * slow.onInjected((event: ChaosEvent) => console.log(event.kind === 'latency' ? `slowed by ${event.delay} ms` : event.kind));
 * ```
 */
export type ChaosEvent =
  | { readonly kind: 'fault'; readonly error: unknown }
  | { readonly kind: 'latency'; readonly delay: number }
  | { readonly kind: 'result'; readonly value: unknown };

/**
 * A chaos policy: see `chaos.fault`, `chaos.latency` and `chaos.result`. `R` is the type of an
 * injected result (`never` for faults and latency).
 *
 * @example
 * ```ts
 * import { chaos, type ChaosPolicy } from 'firebreak';
 * const policy: ChaosPolicy = chaos.fault({ rate: 0.01, error: new Error('injected') });
 * console.log(policy.rate); // 0.01
 * ```
 */
export interface ChaosPolicy<R = never> extends ObservablePolicy<R> {
  /** The share of calls injected into while enabled. */
  readonly rate: number;
  /** Whether the policy is on: a boolean, or the function asked on every call. */
  readonly enabled: ChaosEnabled;
  /** Subscribes to injections. */
  readonly onInjected: Subscribe<ChaosEvent>;
}

const CHAOS = new Topic('chaos');

/** The part every chaos policy shares: the decision to inject, then the injection itself. */
export abstract class ChaosPolicyBase extends PolicyBase implements ChaosPolicy {
  #injected: EventList<ChaosEvent> | undefined;
  readonly rate: number;
  readonly enabled: ChaosEnabled;
  readonly #random: () => number;

  constructor(settings: ChaosSettings) {
    super(settings.name);
    this.rate = settings.rate;
    this.enabled = settings.enabled;
    this.#random = settings.random;
  }

  onInjected(listener: (event: ChaosEvent) => void): Unsubscribe {
    return (this.#injected ??= new EventList()).subscribe(listener);
  }

  invoke<T>(ctx: Context, fn: Operation<T>): Promise<T> {
    let injects: boolean;
    try {
      injects = shouldInject(this.enabled, this.rate, this.#random, ctx);
    } catch (error) {
      return Promise.reject(error);
    }
    return injects ? this.inject(ctx, fn) : callSafely(fn, ctx);
  }

  /** Runs the call with the injection; must return a promise and never throw. */
  protected abstract inject<T>(ctx: Context, fn: Operation<T>): Promise<T>;

  /** Tells the listeners, building the event only when there is one. */
  protected report(make: () => ChaosEvent): void {
    if (heard(this.#injected, CHAOS)) tell(this.#injected, CHAOS, this, 'injected', make());
  }
}
