import { context, trace, type Attributes, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { AggregationTemporality, DataPointType, MeterProvider, MetricReader, type MetricData } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';

/** A metric reader the test collects from on demand. */
class TestReader extends MetricReader {
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/** One data point: its attributes and its value (a histogram's count and sum). */
export interface Point {
  readonly attributes: Attributes;
  readonly value: number;
  readonly count?: number;
  readonly sum?: number;
}

/** The metrics of one collection, by instrument name. */
export class Collection {
  constructor(readonly metrics: ReadonlyMap<string, MetricData>) {}

  /** The metric named `name`; fails the test when it is missing. */
  metric(name: string): MetricData {
    const metric = this.metrics.get(name);
    if (metric === undefined) throw new Error(`no metric ${name}; have ${[...this.metrics.keys()].join(', ')}`);
    return metric;
  }

  /** Every data point of `name`. */
  points(name: string): Point[] {
    const metric = this.metric(name);
    if (metric.dataPointType === DataPointType.HISTOGRAM) {
      return metric.dataPoints.map((p) => ({ attributes: p.attributes, value: p.value.count, count: p.value.count, sum: p.value.sum ?? 0 }));
    }
    return metric.dataPoints.map((p) => ({ attributes: p.attributes, value: p.value as number }));
  }

  /** The value of the point of `name` whose attributes are exactly `attributes` (undefined if none). */
  value(name: string, attributes: Attributes): number | undefined {
    const key = JSON.stringify(sorted(attributes));
    return this.points(name).find((p) => JSON.stringify(sorted(p.attributes)) === key)?.value;
  }
}

function sorted(attributes: Attributes): [string, unknown][] {
  return Object.entries(attributes).sort(([a], [b]) => a.localeCompare(b));
}

/**
 * A real OpenTelemetry metrics SDK with a reader collected on demand: cumulative (the SDK repeats
 * the last value of a series no longer observed) or delta (a series no longer observed is absent).
 */
export class Metrics {
  readonly reader: TestReader;
  readonly provider: MeterProvider;

  constructor(temporality = AggregationTemporality.CUMULATIVE) {
    this.reader = new TestReader({ aggregationTemporalitySelector: () => temporality });
    this.provider = new MeterProvider({ readers: [this.reader] });
  }

  async collect(): Promise<Collection> {
    const { resourceMetrics, errors } = await this.reader.collect();
    if (errors.length > 0) throw new AggregateError(errors);
    const metrics = new Map<string, MetricData>();
    for (const scope of resourceMetrics.scopeMetrics) for (const metric of scope.metrics) metrics.set(metric.descriptor.name, metric);
    return new Collection(metrics);
  }
}

/**
 * A real OpenTelemetry trace SDK with an in-memory exporter, and the async-hooks context manager
 * installed globally (what `trace.getActiveSpan()` reads) until `close()`.
 */
export class Traces {
  readonly exporter = new InMemorySpanExporter();
  readonly provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(this.exporter)] });
  readonly tracer: Tracer = this.provider.getTracer('test');
  readonly #manager = new AsyncLocalStorageContextManager().enable();

  constructor() {
    context.setGlobalContextManager(this.#manager);
  }

  /** Runs `fn` inside a new active span, ended when `fn` settles. */
  async inSpan<T>(name: string, fn: () => Promise<T>): Promise<T> {
    return this.tracer.startActiveSpan(name, async (span) => {
      try {
        return await fn();
      } finally {
        span.end();
      }
    });
  }

  /** The ended span named `name`. */
  span(name: string): ReadableSpan {
    const span = this.exporter.getFinishedSpans().find((s) => s.name === name);
    if (span === undefined) throw new Error(`no span ${name}`);
    return span;
  }

  close(): void {
    this.#manager.disable();
    context.disable();
    trace.disable();
  }
}
