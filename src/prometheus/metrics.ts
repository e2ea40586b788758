import { Counter, Gauge, type OpenMetricsContentType, type PrometheusContentType, type Registry } from 'prom-client';
import { InvalidOptionError } from '../errors/invalid-option-error.js';
import type { Attachment } from './attachment.js';
import { LocalHistogram } from './local-histogram.js';
import { CIRCUIT_STATES, DEFINITIONS, type MetricKey } from './metric-definitions.js';
import type { BudgetSource, BulkheadSource, CircuitSource, FleetSource, HedgeSource, KeyedSource, ThrottleSource } from './sources.js';
import { TallyFamily, type Tally } from './tally.js';

/** The labels of one policy's series: its name, and `key` for a key of a keyed policy. */
type Labels = Readonly<Record<string, string>>;

/**
 * A prom-client registry of either exposition format (Prometheus text or OpenMetrics).
 *
 * @example
 * ```ts
 * import { Registry } from 'prom-client';
 * import type { AnyRegistry } from 'firebreak/prometheus';
 * const registry: AnyRegistry = new Registry();
 * ```
 */
export type AnyRegistry = Registry<PrometheusContentType> | Registry<OpenMetricsContentType>;

/**
 * Marks the metrics firebreak created, and holds their {@link Metrics}: a second instrumentation
 * of the same registry (from this copy of the package or another one) reuses them.
 */
const OWNER = Symbol.for('firebreak.prometheus.metrics.v1');

type Owned = { [OWNER]?: Metrics };

/**
 * The metrics of one registry and prefix, shared by every policy instrumented into it, and what
 * their gauges read at scrape time.
 */
export class Metrics {
  /** Policies instrumented into these metrics: each is counted once. */
  readonly bound = new WeakSet<object>();
  /** Read by `firebreak_circuit_state` at scrape time, with the labels of each. */
  readonly breakers = new Map<CircuitSource, Labels>();
  /** Read by the bulkhead gauges at scrape time, with the labels of each. */
  readonly bulkheads = new Map<BulkheadSource, Labels>();
  /** Read by `firebreak_retry_budget_available` at scrape time, with its labels and how many bindings use each. */
  readonly budgets = new Map<BudgetSource, { readonly labels: Labels; users: number }>();
  /** Keyed policies, whose overflows `firebreak_keyed_overflows_total` counts at scrape time. */
  readonly keyed = new Map<KeyedSource, { readonly tally: Tally; seen: number }>();
  /** Read by `firebreak_hedge_delay_seconds` at scrape time, with the labels of each. */
  readonly hedges = new Map<HedgeSource, Labels>();
  /** Read by `firebreak_throttle_rejection_probability` at scrape time, with the labels of each. */
  readonly throttles = new Map<ThrottleSource, Labels>();
  /** Read by `firebreak_fleet_connected` at scrape time. */
  readonly fleets = new Set<FleetSource>();
  /** The policy that shows under each gauge series (`kind` and `name`): one policy each. */
  readonly #owners = new Map<string, object>();

  readonly circuitState: Gauge;
  readonly circuitCalls: TallyFamily<string>;
  readonly circuitSlowCalls: TallyFamily<string>;
  readonly circuitTransitions: TallyFamily<string>;
  readonly bulkheadActive: Gauge;
  readonly bulkheadQueued: Gauge;
  readonly bulkheadConcurrency: Gauge;
  readonly concurrencyLimit: Gauge;
  readonly bulkheadRejections: TallyFamily<string>;
  readonly bulkheadQueueWait: LocalHistogram;
  readonly timeouts: TallyFamily<string>;
  readonly retryCalls: TallyFamily<string>;
  readonly retries: TallyFamily<string>;
  readonly retryBudgetExhausted: TallyFamily<string>;
  readonly retryBudgetAvailable: Gauge;
  readonly fallbacks: TallyFamily<string>;
  readonly hedgeCalls: TallyFamily<string>;
  readonly hedgeCount: TallyFamily<string>;
  readonly hedgeWins: TallyFamily<string>;
  readonly hedgeDelay: Gauge;
  readonly rateLimitRejections: TallyFamily<string>;
  readonly rateLimitWait: LocalHistogram;
  readonly throttleRejections: TallyFamily<string>;
  readonly throttleProbability: Gauge;
  readonly fleetStoreErrors: TallyFamily<string>;
  readonly fleetConnected: Gauge;
  readonly callDuration: LocalHistogram;
  readonly keyedOverflows: TallyFamily<string>;

  constructor(registry: AnyRegistry, prefix: string) {
    const make = new MetricFactory(registry, prefix, this);
    this.circuitState = make.gauge('circuitState', (gauge) => {
      for (const [breaker, labels] of this.breakers) {
        const current = breaker.state;
        for (const state of CIRCUIT_STATES) gauge.set({ ...labels, state }, state === current ? 1 : 0);
      }
    });
    this.circuitCalls = make.counter('circuitCalls');
    this.circuitSlowCalls = make.counter('circuitSlowCalls');
    this.circuitTransitions = make.counter('circuitTransitions');
    this.bulkheadActive = make.gauge('bulkheadActive', (gauge) => {
      for (const [bulkhead, labels] of this.bulkheads) gauge.set(labels, bulkhead.stats.active);
    });
    this.bulkheadQueued = make.gauge('bulkheadQueued', (gauge) => {
      for (const [bulkhead, labels] of this.bulkheads) gauge.set(labels, bulkhead.stats.queued);
    });
    this.bulkheadConcurrency = make.gauge('bulkheadConcurrency', (gauge) => {
      for (const [bulkhead, labels] of this.bulkheads) gauge.set(labels, bulkhead.concurrency);
    });
    this.concurrencyLimit = make.gauge('concurrencyLimit', (gauge) => {
      for (const [bulkhead, labels] of this.bulkheads) if (bulkhead.stats.limit !== undefined) gauge.set(labels, bulkhead.stats.limit);
    });
    this.bulkheadRejections = make.counter('bulkheadRejections');
    this.bulkheadQueueWait = make.histogram('bulkheadQueueWait');
    this.timeouts = make.counter('timeouts');
    this.retryCalls = make.counter('retryCalls');
    this.retries = make.counter('retries');
    this.retryBudgetExhausted = make.counter('retryBudgetExhausted');
    this.retryBudgetAvailable = make.gauge('retryBudgetAvailable', (gauge) => {
      for (const [budget, { labels }] of this.budgets) gauge.set(labels, budget.stats.available);
    });
    this.fallbacks = make.counter('fallbacks');
    this.hedgeCalls = make.counter('hedgeCalls');
    this.hedgeCount = make.counter('hedges');
    this.hedgeWins = make.counter('hedgeWins');
    this.hedgeDelay = make.gauge('hedgeDelay', (gauge) => {
      for (const [hedge, labels] of this.hedges) {
        const delay = hedge.stats.delay;
        if (delay !== Infinity) gauge.set(labels, delay / 1000);
      }
    });
    this.rateLimitRejections = make.counter('rateLimitRejections');
    this.rateLimitWait = make.histogram('rateLimitWait');
    this.throttleRejections = make.counter('throttleRejections');
    this.throttleProbability = make.gauge('throttleProbability', (gauge) => {
      for (const [throttle, labels] of this.throttles) gauge.set(labels, throttle.stats.probability);
    });
    this.fleetStoreErrors = make.counter('fleetStoreErrors');
    this.fleetConnected = make.gauge('fleetConnected', (gauge) => {
      for (const fleet of this.fleets) gauge.set({ name: fleet.name }, fleet.connected ? 1 : 0);
    });
    this.callDuration = make.histogram('callDuration');
    this.keyedOverflows = make.counter('keyedOverflows', () => {
      for (const [source, counted] of this.keyed) {
        const overflows = source.stats.overflows;
        counted.tally.count += overflows - counted.seen;
        counted.seen = overflows;
      }
    });
  }

  /**
   * Makes `policy` the only one of its `kind` shown under `name` until `attachment` detaches.
   * Two breakers (or bulkheads, or budgets) with one name would share one gauge series and one
   * would hide the other, so that is refused.
   *
   * @throws InvalidOptionError when another policy of that kind and name is instrumented here.
   */
  claim(kind: string, name: string, policy: object, attachment: Attachment): void {
    const key = `${kind}\u0000${JSON.stringify(attachment.labels(name))}`;
    const owner = this.#owners.get(key);
    if (owner === policy) return;
    if (owner !== undefined) {
      throw new InvalidOptionError(
        'instrument',
        'target',
        `policies with names of their own: a ${kind} named ${JSON.stringify(name)} is already instrumented in this registry (the stages of one dependency share its name, but two ${kind}s must not)`,
        policy,
      );
    }
    this.#owners.set(key, policy);
    attachment.add(() => this.#owners.delete(key));
  }
}

/** Creates the metrics of one {@link Metrics}, each registered in the registry and marked as firebreak's. */
class MetricFactory {
  constructor(
    readonly registry: AnyRegistry,
    readonly prefix: string,
    readonly owner: Metrics,
  ) {}

  /** A counter counted in tallies, flushed at scrape time (after `count`, when given, has counted). */
  counter(key: MetricKey, count?: () => void): TallyFamily<string> {
    const config = this.#config(key);
    const family: TallyFamily<string> = new TallyFamily(
      this.#own(
        new Counter({
          ...config,
          collect: () => {
            count?.();
            family.flush();
          },
        }),
      ),
      DEFINITIONS[key].labelNames,
    );
    return family;
  }

  /** A gauge whose values are all computed by `fill` at scrape time; series no one fills disappear. */
  gauge(key: MetricKey, fill: (gauge: Gauge) => void): Gauge {
    const gauge: Gauge = this.#own(
      new Gauge({
        ...this.#config(key),
        collect: () => {
          gauge.reset();
          fill(gauge);
        },
      }),
    );
    return gauge;
  }

  histogram(key: 'callDuration' | 'bulkheadQueueWait' | 'rateLimitWait'): LocalHistogram {
    return this.#own(new LocalHistogram({ ...this.#config(key), buckets: [...DEFINITIONS[key].buckets] }));
  }

  #config(key: MetricKey): { name: string; help: string; labelNames: string[]; registers: AnyRegistry[] } {
    const definition = DEFINITIONS[key];
    // Every series may also carry `key`: the key of a keyed policy it belongs to.
    return { name: this.prefix + definition.name, help: definition.help, labelNames: [...definition.labelNames, 'key'], registers: [this.registry] };
  }

  #own<M extends object>(metric: M): M {
    Object.defineProperty(metric, OWNER, { value: this.owner });
    return metric;
  }
}

/**
 * The firebreak metrics of `registry` under `prefix`: found if an instrumentation already made
 * them, made otherwise.
 *
 * @throws InvalidOptionError when one of the names is taken by a metric firebreak did not create:
 * firebreak never touches the user's own metrics.
 */
export function metricsFor(registry: AnyRegistry, prefix: string): Metrics {
  const keys = Object.keys(DEFINITIONS) as MetricKey[];
  let found: Metrics | undefined;
  for (const key of keys) {
    const name = prefix + DEFINITIONS[key].name;
    const existing = registry.getSingleMetric(name) as Owned | undefined;
    if (existing === undefined) continue;
    const owner = existing[OWNER];
    if (owner === undefined || (found !== undefined && owner !== found)) {
      throw new InvalidOptionError('instrument', 'prefix', `a prefix whose metric names are free in the registry (${name} is a metric firebreak did not create)`, prefix);
    }
    found = owner;
  }
  return found ?? new Metrics(registry, prefix);
}
