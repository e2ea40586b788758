/**
 * The slow payment API, found through a trace: a checkout service calls a fast inventory API and
 * a payment API that has become slow. Checkout is protected by firebreak and instrumented with
 * OpenTelemetry (in-memory exporters); the trace of one checkout is printed, and it points at
 * the payment API. Run: npm run guide:slow-payment
 */
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { firebreak } from '../../src/index.js';
import { instrument } from '../../src/opentelemetry/index.js';
import { dependency, serve } from './services.js';

// --- OpenTelemetry: the SDK with in-memory exporters, and async context for active spans.
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
const spans = new InMemorySpanExporter();
const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
trace.setGlobalTracerProvider(tracerProvider);
const tracer = trace.getTracer('checkout');
const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
const reader = new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: 60_000 });
const meterProvider = new MeterProvider({ readers: [reader] });

// --- The dependencies: inventory answers in 5 ms; payment has become slow (1.5 s).
const PAYMENT_DELAY_MS = 1_500;
const inventory = await dependency(() => 5);
const payment = await dependency(() => PAYMENT_DELAY_MS);

// --- Checkout's protection: each payment attempt may take 300 ms, one retry, then "pending".
const ATTEMPT_TIMEOUT_MS = 300;
const payments = firebreak('payment', {
  attemptTimeout: ATTEMPT_TIMEOUT_MS,
  retry: { maxAttempts: 2 },
  fallback: { status: 'pending' },
});
const inventoryCalls = firebreak('inventory', { attemptTimeout: 300 });
instrument(payments, { meterProvider });
instrument(inventoryCalls, { meterProvider });

/** One outbound call in its own client span, as an HTTP client instrumentation would record it. */
function call(name: string, url: string, signal: AbortSignal): Promise<unknown> {
  return tracer.startActiveSpan(`${name} GET`, { kind: SpanKind.CLIENT, attributes: { 'server.address': name } }, async (span) => {
    try {
      const response = await fetch(url, { signal });
      return (await response.json()) as unknown;
    } catch (error) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).name });
      throw error;
    } finally {
      span.end();
    }
  });
}

const checkout = await serve((_request, response) => {
  void tracer.startActiveSpan('POST /checkout', { kind: SpanKind.SERVER }, async (span) => {
    const stock = await inventoryCalls.execute((ctx) => call('inventory', inventory.url, ctx.signal));
    const paid = await payments.execute((ctx) => call('payment', payment.url, ctx.signal));
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify({ stock, paid }));
    span.end();
  });
});

// --- One customer checks out.
const started = performance.now();
const answer = (await (await fetch(`${checkout.url}/checkout`, { method: 'POST' })).json()) as { paid: unknown };
const checkoutMs = performance.now() - started;

// --- The trace, as a tree with each span's duration and events.
const finished = spans.getFinishedSpans();
const ms = (span: ReadableSpan): number => span.duration[0] * 1_000 + span.duration[1] / 1e6;
const children = (parent: ReadableSpan | undefined): ReadableSpan[] =>
  finished
    .filter((span) => span.parentSpanContext?.spanId === parent?.spanContext().spanId)
    .sort((a, b) => a.startTime[0] - b.startTime[0] || a.startTime[1] - b.startTime[1]);
const print = (span: ReadableSpan, depth: number): void => {
  const status = span.status.code === SpanStatusCode.ERROR ? `  ERROR ${span.status.message ?? ''}` : '';
  console.log(`${'  '.repeat(depth)}${span.name}  ${ms(span).toFixed(0)} ms${status}`);
  for (const event of span.events) {
    const attributes = Object.entries(event.attributes ?? {}).map(([key, value]) => `${key}=${String(value)}`).join(' ');
    console.log(`${'  '.repeat(depth)}  * ${event.name} ${attributes}`);
  }
  for (const child of children(span)) print(child, depth + 1);
};
const root = finished.find((span) => span.name === 'POST /checkout');
if (root === undefined) throw new Error('no checkout span');
console.log(`\nThe trace of one checkout (${checkoutMs.toFixed(0)} ms, payment ${JSON.stringify(answer.paid)}):\n`);
print(root, 0);

// --- What the trace says: the dependency that took the time, and why checkout degraded.
const clientSpans = children(root);
const timeBy = new Map<string, number>();
for (const span of clientSpans) timeBy.set(String(span.attributes['server.address']), (timeBy.get(String(span.attributes['server.address'])) ?? 0) + ms(span));
const [slowestDependency] = [...timeBy].sort((a, b) => b[1] - a[1])[0] ?? ['none'];
console.log(`\nThe slowest dependency in the trace: ${slowestDependency} (${(timeBy.get(slowestDependency) ?? 0).toFixed(0)} ms of ${ms(root).toFixed(0)} ms)`);

// --- The metrics of the same run.
await reader.forceFlush();
const exported = metricExporter.getMetrics().flatMap((resource) => resource.scopeMetrics.flatMap((scope) => scope.metrics));
const sum = (name: string, policy: string): number =>
  exported
    .filter((metric) => metric.descriptor.name === name)
    .flatMap((metric) => metric.dataPoints as { attributes: Record<string, unknown>; value: unknown }[])
    .filter((point) => point.attributes['firebreak.policy.name'] === policy)
    .reduce((total, point) => total + (typeof point.value === 'number' ? point.value : 0), 0);
const paymentTimeouts = sum('firebreak.timeouts', 'payment');
console.log(`firebreak.timeouts{payment} = ${paymentTimeouts}, firebreak.fallbacks{payment} = ${sum('firebreak.fallbacks', 'payment')}`);

await Promise.all([checkout.close(), inventory.close(), payment.close()]);
await Promise.all([tracerProvider.shutdown(), meterProvider.shutdown()]);

console.log(
  `RESULT ${JSON.stringify({
    guide: 'slow-payment',
    slowestDependency,
    paid: answer.paid,
    checkoutMs: Math.round(checkoutMs),
    attemptTimeoutMs: ATTEMPT_TIMEOUT_MS,
    paymentDelayMs: PAYMENT_DELAY_MS,
    paymentAttempts: clientSpans.filter((span) => span.attributes['server.address'] === 'payment').length,
    checkoutSpanEvents: root.events.map((event) => `${event.name}:${String(event.attributes?.['firebreak.policy.name'])}`),
    paymentTimeouts,
  })}`,
);
