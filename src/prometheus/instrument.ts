import { register } from 'prom-client';
import { InvalidOptionError } from '../errors/invalid-option-error.js';
import { OptionReader } from '../options.js';
import type { Fleet } from '../fleet/fleet.js';
import type { KeyedPolicy } from '../keyed/keyed.js';
import type { Policy } from '../policy.js';
import { attachEntries } from './attach-entries.js';
import { Attachment } from './attachment.js';
import { bindBulkhead } from './bind-bulkhead.js';
import { bindCalls, bindFallbacks, bindTimeouts } from './bind-calls.js';
import { bindCircuitBreaker } from './bind-circuit-breaker.js';
import { bindFleet } from './bind-fleet.js';
import { bindBudget, bindRetry } from './bind-retry.js';
import { bindHedge, bindRateLimit, bindThrottle } from './bind-stages.js';
import { metricsFor, type AnyRegistry, type Metrics } from './metrics.js';
import {
  isBudgetSource,
  isBulkheadSource,
  isCallSource,
  isCircuitSource,
  isCompositeSource,
  isFallbackSource,
  isHedgeSource,
  isRateLimitSource,
  isFleetSource,
  isKeyedSource,
  isRetrySource,
  isThrottleSource,
  isTimeoutSource,
  type KeyedSource,
} from './sources.js';
import { walk } from './walk.js';

/**
 * Options of {@link instrument}.
 *
 * @example
 * ```ts
 * import { Registry } from 'prom-client';
 * import type { InstrumentOptions } from 'firebreak/prometheus';
 * const options: InstrumentOptions = { registry: new Registry(), prefix: 'checkout_' };
 * ```
 */
export interface InstrumentOptions {
  /** The registry to register the metrics in. @default prom-client's default registry (`register`) */
  readonly registry?: AnyRegistry;
  /**
   * Put before every metric name (`checkout_` gives `checkout_firebreak_circuit_state`), for a
   * registry where the plain names are taken. @default ''
   */
  readonly prefix?: string;
}

/**
 * What {@link instrument} returns: the handle that detaches the metrics again.
 *
 * @example
 * ```ts
 * import { firebreak } from 'firebreak';
 * import { instrument, type Instrumentation } from 'firebreak/prometheus';
 * const handle: Instrumentation = instrument(firebreak('auth', { attemptTimeout: 300 }));
 * handle.remove();
 * ```
 */
export interface Instrumentation {
  /**
   * Stops recording the policies' events and takes their series out of the registry (gauges,
   * counters and histograms alike; a series that another instrumented policy still counts into
   * stays), so that the series of a removed policy never outlive it. Calling it twice is harmless.
   */
  remove(): void;
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/**
 * Records a policy's events as Prometheus metrics (the table is in docs/architecture.md): circuit
 * state and calls, bulkhead saturation and rejections, timeouts, retries and retry budgets,
 * fallbacks, hedges (calls, hedged attempts, wins, delay), rate-limit rejections and waits,
 * throttle rejections and probability, and the duration of every call made through `execute`.
 * Use it once per policy at start-up.
 *
 * `target` is a policy, a `pipeline()`, a `firebreak()` result, or a fleet (`redisFleet()`: its
 * store errors and whether it reaches its store). A policy or composite: the policies inside are found
 * (by the events they offer, so an adapter such as `fromOpossum` counts too) and instrumented,
 * each labelled with its own `name`; the only other labels are enumerations (state, result,
 * reason, outcome). The metrics are created once per registry and shared by every policy
 * instrumented into it; a policy instrumented twice into one registry is counted once. The
 * stages of one dependency share its name (as `firebreak()` names them), and policies of kinds
 * without a gauge (timeouts, retries, fallbacks) may share a name and add up; but two circuit
 * breakers, two bulkheads or two retry budgets with one name would share one gauge series, so
 * the second is refused. Gauges
 * are computed when the registry is scraped; counters and histograms count in plain numbers
 * bound to each policy, handed to prom-client at scrape time, so an instrumented call costs a
 * few additions more, not a label lookup.
 *
 * A `keyed()` policy (such as the `policies` of `firebreak/undici`'s interceptor) is instrumented
 * key by key: each key's policy as it is built, its series labelled with `key` as well as
 * `name`, and removed when the key is dropped (idle, for room, or deleted), so that no series
 * outlives its policy; `firebreak_keyed_overflows_total` counts its overflows.
 *
 * @param target - the policy to instrument.
 * @param options - {@link InstrumentOptions}.
 * @returns a handle whose `remove()` detaches the metrics.
 * @throws InvalidOptionError for a bad option, a target that is not a firebreak policy, a
 * metric name already taken in the registry by a metric firebreak did not create, or a breaker,
 * bulkhead or retry budget whose name another one of its kind already shows in the registry
 * (nothing is attached then).
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 * import { register } from 'prom-client';
 * import { firebreak } from 'firebreak';
 * import { instrument } from 'firebreak/prometheus';
 *
 * const auth = firebreak('auth', { totalTimeout: 1_000, attemptTimeout: 300 });
 * instrument(auth);
 * createServer(async (_request, response) => {
 *   response.setHeader('content-type', register.contentType);
 *   response.end(await register.metrics());
 * }).listen(9464, '127.0.0.1');
 * ```
 */
export function instrument(target: Policy<unknown> | KeyedPolicy<Policy<unknown>> | Fleet, options?: InstrumentOptions): Instrumentation {
  const read = new OptionReader('instrument', options, ['registry', 'prefix']);
  const registry = readRegistry(read);
  const prefix = readPrefix(read);
  const keyedTarget = isKeyedSource(target);
  if (!keyedTarget && !isCallSource(target) && !isCompositeSource(target) && !isFleetSource(target)) {
    throw new InvalidOptionError('instrument', 'target', 'a firebreak policy, pipeline, firebreak() result, keyed policy or fleet', target);
  }
  const metrics = metricsFor(registry, prefix);
  const attachment = new Attachment();
  try {
    if (keyedTarget) attachKeyed(target, metrics, attachment);
    else walk(target, (part) => attach(part, metrics, attachment));
  } catch (error) {
    attachment.detach();
    throw error;
  }
  return { remove: () => attachment.detach() };
}

/**
 * Instruments each key's policy of a keyed policy, its series labelled with `key`, as it is kept,
 * and removes them when it is dropped; and counts the keyed policy's overflows.
 */
function attachKeyed(keyed: KeyedSource, metrics: Metrics, attachment: Attachment): void {
  metrics.claim('keyed policy', keyed.name, keyed, attachment);
  const overflows = attachment.tally(metrics.keyedOverflows, keyed.name);
  metrics.keyed.set(keyed, { tally: overflows, seen: keyed.stats.overflows });
  attachment.add(() => metrics.keyed.delete(keyed));
  attachEntries(keyed, 'key', attachment, (policy, entry) => walk(policy, (part) => attach(part, metrics, entry)));
}

function readRegistry(read: OptionReader): AnyRegistry {
  if (!read.has('registry')) return register;
  const registry = read.raw('registry') as Partial<AnyRegistry> | null;
  const ok = typeof registry === 'object' && registry !== null && typeof registry.getSingleMetric === 'function' && typeof registry.registerMetric === 'function';
  if (!ok) read.fail('registry', 'a prom-client Registry');
  return registry as AnyRegistry;
}

function readPrefix(read: OptionReader): string {
  const prefix = read.raw('prefix') ?? '';
  if (typeof prefix !== 'string' || (prefix !== '' && !METRIC_NAME.test(prefix))) {
    read.fail('prefix', 'a string of letters, digits, underscores and colons, not starting with a digit');
  }
  return prefix;
}

/** Instruments one part of the target: a policy not yet bound to these metrics, or a budget. */
function attach(value: object, metrics: Metrics, attachment: Attachment): void {
  if (isBudgetSource(value)) bindBudget(value, metrics, attachment);
  else if (!metrics.bound.has(value)) {
    metrics.bound.add(value);
    attachment.add(() => metrics.bound.delete(value));
    bindPolicy(value, metrics, attachment);
  }
}

/** Binds every kind of metric `policy` reports; an adapter may report several kinds. */
function bindPolicy(policy: object, metrics: Metrics, attachment: Attachment): void {
  if (isCallSource(policy)) bindCalls(policy, metrics, attachment);
  if (isTimeoutSource(policy)) bindTimeouts(policy, metrics, attachment);
  if (isFallbackSource(policy)) bindFallbacks(policy, metrics, attachment);
  if (isCircuitSource(policy)) bindCircuitBreaker(policy, metrics, attachment);
  if (isBulkheadSource(policy)) bindBulkhead(policy, metrics, attachment);
  if (isRetrySource(policy)) bindRetry(policy, metrics, attachment);
  if (isHedgeSource(policy)) bindHedge(policy, metrics, attachment);
  if (isRateLimitSource(policy)) bindRateLimit(policy, metrics, attachment);
  if (isThrottleSource(policy)) bindThrottle(policy, metrics, attachment);
  if (isFleetSource(policy)) bindFleet(policy, metrics, attachment);
}
