import { metrics, type MeterProvider } from '@opentelemetry/api';
import { InvalidOptionError } from '../errors/invalid-option-error.js';
import { OptionReader } from '../options.js';
import type { Fleet } from '../fleet/fleet.js';
import type { KeyedPolicy } from '../keyed/keyed.js';
import type { Policy } from '../policy.js';
import { attachEntries } from '../prometheus/attach-entries.js';
import { Attachment } from '../prometheus/attachment.js';
import { isBudgetSource, isCallSource, isCompositeSource, isFleetSource, isKeyedSource, type KeyedSource } from '../prometheus/sources.js';
import { walk } from '../prometheus/walk.js';
import { bindMetrics } from './bind-metrics.js';
import { bindSpanEvents } from './bind-spans.js';
import { KEY, POLICY_NAME } from './definitions.js';
import { metersFor, type Meters } from './meters.js';

/**
 * Options of {@link instrument}.
 *
 * @example
 * ```ts
 * import { MeterProvider } from '@opentelemetry/sdk-metrics';
 * import type { InstrumentOptions } from 'firebreak/opentelemetry';
 * const options: InstrumentOptions = { meterProvider: new MeterProvider(), spanEvents: false };
 * ```
 */
export interface InstrumentOptions {
  /** Where the instruments are created. @default the global meter provider (`metrics.getMeterProvider()`) */
  readonly meterProvider?: MeterProvider;
  /**
   * Whether to add span events (retry, hedge, breaker, rate-limit and throttle rejections,
   * fallback, timeout) to the span active where they happen. They need no tracer: they go to
   * whichever span is active and recording.
   * @default true
   */
  readonly spanEvents?: boolean;
}

/**
 * What {@link instrument} returns: the handle that detaches the instruments again.
 *
 * @example
 * ```ts
 * import { firebreak } from 'firebreak';
 * import { instrument, type Instrumentation } from 'firebreak/opentelemetry';
 * const handle: Instrumentation = instrument(firebreak('payments', { attemptTimeout: 300 }));
 * handle.remove();
 * ```
 */
export interface Instrumentation {
  /**
   * Stops recording the policies' events and span events, and drops their observable values
   * (circuit state, bulkhead and budget levels) from the next collection. Calling it twice is
   * harmless.
   */
  remove(): void;
}

/**
 * Records a policy's events as OpenTelemetry metrics and span events: the metrics of
 * `firebreak/prometheus` under OpenTelemetry names (`firebreak.circuit.state`,
 * `firebreak.call.duration` in seconds, ...), with the attributes `firebreak.policy.name`,
 * `firebreak.circuit.state` and a bounded `error.type`; and, on the span active where they
 * happen, an event for each retry, hedged attempt, rejection (breaker, rate limiter, adaptive
 * throttle), served fallback and timeout, so that a trace shows why a call was slow or degraded. Use it once per policy at start-up.
 *
 * `target` is a policy, a `pipeline()` or a `firebreak()` result: the policies inside are found
 * and instrumented, each under its own `name`. A policy instrumented twice into one meter
 * provider is recorded once. Only `@opentelemetry/api` is imported: any SDK (or none) works.
 *
 * A `keyed()` policy is instrumented key by key: each key's policy as it is kept, its points and
 * span events carrying `firebreak.key` too (bounded by `maxKeys`), detached when the key is
 * dropped (idle, for room, or deleted), so that its counters and levels are no longer observed
 * (a cumulative SDK reader still repeats their last values; a delta one drops them);
 * `firebreak.keyed.overflows` counts its overflows. A fleet (`storeFleet()`, `redisFleet()`)
 * reports `firebreak.fleet.store_errors` and `firebreak.fleet.connected`.
 *
 * @param target - the policy, keyed policy or fleet to instrument.
 * @param options - {@link InstrumentOptions}.
 * @returns a handle whose `remove()` detaches the instruments.
 * @throws InvalidOptionError for a bad option or a target that is not a firebreak policy, keyed policy or fleet.
 * @example
 * ```ts
 * import { MeterProvider, PeriodicExportingMetricReader, ConsoleMetricExporter } from '@opentelemetry/sdk-metrics';
 * import { firebreak } from 'firebreak';
 * import { instrument } from 'firebreak/opentelemetry';
 *
 * const meterProvider = new MeterProvider({
 *   readers: [new PeriodicExportingMetricReader({ exporter: new ConsoleMetricExporter() })],
 * });
 * const payments = firebreak('payments', { totalTimeout: 2_000, attemptTimeout: 500, retry: { maxAttempts: 2 } });
 * instrument(payments, { meterProvider });
 * ```
 */
export function instrument(target: Policy<unknown> | KeyedPolicy<Policy<unknown>> | Fleet, options?: InstrumentOptions): Instrumentation {
  const read = new OptionReader('instrument', options, ['meterProvider', 'spanEvents']);
  const provider = readMeterProvider(read);
  const spanEvents = read.boolean('spanEvents', true);
  const keyedTarget = isKeyedSource(target);
  if (!keyedTarget && !isCallSource(target) && !isCompositeSource(target) && !isFleetSource(target)) {
    throw new InvalidOptionError('instrument', 'target', 'a firebreak policy, pipeline, firebreak() result, keyed policy or fleet', target);
  }
  const meters = metersFor(provider);
  const attachment = new Attachment();
  const attach = (policy: unknown, into: Attachment): void =>
    walk(policy, (part) => {
      if (!isBudgetSource(part)) {
        // A budget may be shared: it is counted per user (see bindMetrics), a policy only once.
        if (meters.bound.has(part)) return;
        meters.bound.add(part);
        into.add(() => meters.bound.delete(part));
      }
      bindMetrics(part, meters, into);
      if (spanEvents) bindSpanEvents(part, meters.errorTypes, into);
    });
  if (keyedTarget) {
    if (!meters.bound.has(target)) attachKeyed(target, meters, attachment, attach);
  } else attach(target, attachment);
  return { remove: () => attachment.detach() };
}

/**
 * Instruments each key's policy of a keyed policy as it is kept, its points carrying
 * `firebreak.key`, and releases them when it is dropped; and reports the keyed policy's overflows.
 */
function attachKeyed(keyed: KeyedSource, meters: Meters, attachment: Attachment, attach: (policy: unknown, into: Attachment) => void): void {
  meters.bound.add(keyed);
  attachment.add(() => meters.bound.delete(keyed));
  meters.keyed.set(keyed, { [POLICY_NAME]: keyed.name });
  attachment.add(() => meters.keyed.delete(keyed));
  attachEntries(keyed, KEY, attachment, attach);
}

function readMeterProvider(read: OptionReader): MeterProvider {
  if (!read.has('meterProvider')) return metrics.getMeterProvider();
  const provider = read.raw('meterProvider') as Partial<MeterProvider> | null;
  if (typeof provider !== 'object' || provider === null || typeof provider.getMeter !== 'function') read.fail('meterProvider', 'an OpenTelemetry MeterProvider');
  return provider as MeterProvider;
}
