import type { Attributes, BatchObservableResult, Histogram, MeterProvider, Observable } from '@opentelemetry/api';
import { CIRCUIT_STATES } from '../prometheus/metric-definitions.js';
import type { Attachment } from '../prometheus/attachment.js';
import type { BudgetSource, BulkheadSource, CircuitSource, FleetSource, HedgeSource, KeyedSource, ThrottleSource } from '../prometheus/sources.js';
import { CIRCUIT_STATE, INSTRUMENTS, type InstrumentKey } from './definitions.js';
import { ErrorTypes } from './error-type.js';

type KeyOf<K> = { [P in InstrumentKey]: (typeof INSTRUMENTS)[P]['kind'] extends K ? P : never }[InstrumentKey];
type CounterKey = KeyOf<'counter'>;
type HistogramKey = KeyOf<'histogram'>;
type ObservableKey = KeyOf<'observable' | 'gauge'>;

/**
 * One counter series counted as a plain number on the call path and reported by its
 * asynchronous counter at collection, so that an event costs an increment, not an SDK lookup.
 * Shared by every policy of the same attributes; kept for the life of the provider, since a
 * counter's total never goes back (bounded by the policy names instrumented), but for the series
 * of a key of a keyed policy: dropped with the last policy of that key counting into it.
 */
export class Tally {
  count = 0;
  /** The keyed bindings counting into it. */
  users = 0;

  constructor(readonly attributes: Attributes) {}
}

/**
 * The instruments of one meter provider, shared by every policy instrumented into it, and what
 * the observable ones read when the provider collects.
 */
export class Meters {
  /** Policies instrumented into this provider: each is recorded once. */
  readonly bound = new WeakSet<object>();
  /** Read by `firebreak.circuit.state` at collection. */
  readonly breakers = new Map<CircuitSource, Attributes>();
  /** Read by the bulkhead instruments at collection. */
  readonly bulkheads = new Map<BulkheadSource, Attributes>();
  /** Read by `firebreak.retry_budget.available` at collection, with how many bindings use each. */
  readonly budgets = new Map<BudgetSource, { users: number; readonly attributes: Attributes }>();
  /** Read by `firebreak.hedge.delay` at collection. */
  readonly hedges = new Map<HedgeSource, Attributes>();
  /** Read by `firebreak.throttle.rejection_probability` at collection. */
  readonly throttles = new Map<ThrottleSource, Attributes>();
  /** Read by `firebreak.keyed.overflows` at collection. */
  readonly keyed = new Map<KeyedSource, Attributes>();
  /** Read by `firebreak.fleet.connected` at collection. */
  readonly fleets = new Map<FleetSource, Attributes>();
  readonly errorTypes = new ErrorTypes();
  readonly #tallies = {} as Record<CounterKey, Map<string, Tally>>;
  readonly histograms = {} as Record<HistogramKey, Histogram>;
  readonly #observables = {} as Record<ObservableKey | CounterKey, Observable>;

  constructor(provider: MeterProvider) {
    const meter = provider.getMeter('firebreak');
    for (const key of Object.keys(INSTRUMENTS) as InstrumentKey[]) {
      const definition: (typeof INSTRUMENTS)[InstrumentKey] = INSTRUMENTS[key];
      const options = { unit: definition.unit, description: definition.description };
      if (definition.kind === 'counter') {
        this.#tallies[key as CounterKey] = new Map();
        this.#observables[key as CounterKey] = meter.createObservableCounter(definition.name, options);
      } else if (definition.kind === 'histogram') {
        const advice = { explicitBucketBoundaries: [...definition.buckets] };
        this.histograms[key as HistogramKey] = meter.createHistogram(definition.name, { ...options, advice });
      } else if (definition.kind === 'gauge') this.#observables[key as ObservableKey] = meter.createObservableGauge(definition.name, options);
      else this.#observables[key as ObservableKey] = meter.createObservableUpDownCounter(definition.name, options);
    }
    meter.addBatchObservableCallback((result) => this.#observe(result), Object.values(this.#observables));
  }

  /**
   * The tally of counter `key` for `attributes`, made on first use; one of a key of a keyed
   * policy (an attachment with extra attributes) is dropped when the last attachment using it detaches.
   */
  tally(key: CounterKey, attributes: Attributes, attachment: Attachment): Tally {
    const tallies = this.#tallies[key];
    const id = JSON.stringify(attributes);
    let tally = tallies.get(id);
    if (tally === undefined) {
      tally = new Tally(attributes);
      tallies.set(id, tally);
    }
    if (Object.keys(attachment.extra).length > 0) {
      const used = tally;
      used.users++;
      attachment.add(() => {
        if (--used.users === 0) tallies.delete(id);
      });
    }
    return tally;
  }

  #observe(result: BatchObservableResult): void {
    const o = this.#observables;
    // First: reading a keyed policy's stats may drop idle keys, whose bindings leave the maps below.
    for (const [keyed, attributes] of this.keyed) result.observe(o.keyedOverflows, keyed.stats.overflows, attributes);
    for (const key of Object.keys(this.#tallies) as CounterKey[]) {
      for (const tally of this.#tallies[key].values()) result.observe(o[key], tally.count, tally.attributes);
    }
    for (const [breaker, attributes] of this.breakers) {
      const current = breaker.state;
      for (const state of CIRCUIT_STATES) result.observe(o.circuitState, state === current ? 1 : 0, { ...attributes, [CIRCUIT_STATE]: state });
    }
    for (const [bulkhead, attributes] of this.bulkheads) {
      const { active, queued } = bulkhead.stats;
      result.observe(o.bulkheadActive, active, attributes);
      result.observe(o.bulkheadQueued, queued, attributes);
      result.observe(o.bulkheadConcurrency, bulkhead.concurrency, attributes);
      const { limit } = bulkhead.stats;
      if (limit !== undefined) result.observe(o.concurrencyLimit, limit, attributes);
    }
    for (const [budget, { attributes }] of this.budgets) result.observe(o.retryBudgetAvailable, budget.stats.available, attributes);
    for (const [hedge, attributes] of this.hedges) {
      const { delay } = hedge.stats;
      if (delay !== Infinity) result.observe(o.hedgeDelay, delay / 1000, attributes);
    }
    for (const [throttle, attributes] of this.throttles) result.observe(o.throttleProbability, throttle.stats.probability, attributes);
    for (const [fleet, attributes] of this.fleets) result.observe(o.fleetConnected, fleet.connected ? 1 : 0, attributes);
  }
}

const byProvider = new WeakMap<MeterProvider, Meters>();

/** The firebreak instruments of `provider`: made on its first instrumentation, reused after. */
export function metersFor(provider: MeterProvider): Meters {
  let meters = byProvider.get(provider);
  if (meters === undefined) {
    meters = new Meters(provider);
    byProvider.set(provider, meters);
  }
  return meters;
}
