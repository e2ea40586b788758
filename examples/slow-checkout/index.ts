/**
 * Guide: a slow third-party API on the checkout path. The shipping-quotes API goes from 30 ms to
 * 1 s per answer while checkout gets 50 requests a second. The same traffic runs twice: checkout
 * calling it with a plain `fetch`, then through a timeout and a bulkhead with a flat-rate fallback.
 *
 * Run it: `npm run guide:slow-checkout` (about 5 s). See README.md beside it.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { firebreak } from '../../src/index.js';
import { startCheckout, startShipping, type CheckoutAnswer, type Quote, type ShippingService } from './services.js';
import { count, percentile, round, ms } from '../shared/figures.js';

const RATE_PER_SECOND = 50;
const SLOW_FROM_MS = 400;
const RUN_MS = 1_600;
const HEALTHY_LATENCY_MS = 30;
const SLOW_LATENCY_MS = 1_000;
const ATTEMPT_TIMEOUT_MS = 200;
const CONCURRENCY = 5;

/** Charged when no quote comes in time: a little more than the usual price, never a lost sale. */
const FLAT_RATE: Quote = { carrier: 'standard', priceCents: 990, flatRate: true };

type Phase = 'healthy' | 'slow';

interface Checkout {
  readonly phase: Phase;
  readonly latencyMs: number;
  readonly answer: CheckoutAnswer | undefined;
}

interface Run {
  readonly checkouts: readonly Checkout[];
  /** The most calls to shipping-quotes open at once, counted by checkout. */
  readonly peakInFlight: number;
  /** The most requests shipping-quotes held at once. */
  readonly shippingPeak: number;
}

const shipping = await startShipping(HEALTHY_LATENCY_MS);
const inFlight = { now: 0, peak: 0 };

/** A call to shipping-quotes, counted while it is open. */
async function fetchQuote(signal?: AbortSignal): Promise<Quote> {
  inFlight.now++;
  inFlight.peak = Math.max(inFlight.peak, inFlight.now);
  try {
    const response = await fetch(`${shipping.url}/quote`, { signal: signal ?? null });
    if (!response.ok) throw new Error(`shipping-quotes: HTTP ${response.status}`);
    return (await response.json()) as Quote;
  } finally {
    inFlight.now--;
  }
}

const quotes = firebreak('shipping-quotes', {
  // Outermost: a quote that does not come (timed out, or turned away by the full bulkhead)
  // becomes the flat rate, so checkout still completes.
  fallback: FLAT_RATE,
  // At most 5 quotes in flight (50/s x 30 ms = 1.5 usually, with room for bursts); the 6th caller
  // gets the flat rate at once instead of queueing.
  bulkhead: { concurrency: CONCURRENCY },
  // Innermost: each quote gets 200 ms; the timeout aborts the fetch, which frees the slot.
  attemptTimeout: ATTEMPT_TIMEOUT_MS,
});
const counts = { timeouts: 0, rejected: 0, flatRate: 0 };
quotes.attemptTimeout?.onTimeout(() => counts.timeouts++);
quotes.bulkhead?.onRejected(() => counts.rejected++);
quotes.fallback?.onFallback(() => counts.flatRate++);

await warmUp(shipping);
const unprotected = await run(() => fetchQuote());
const protectedRun = await run(() => quotes.execute((ctx) => fetchQuote(ctx.signal)));
await shipping.close();
report();

/** One round trip before measuring, so that neither run pays for loading `fetch`. */
async function warmUp(service: ShippingService): Promise<void> {
  await (await fetch(`${service.url}/quote`)).json();
}

/** The same open-loop traffic against a checkout service that gets its quotes from `quote`. */
async function run(quote: () => Promise<Quote>): Promise<Run> {
  const checkout = await startCheckout(quote);
  shipping.latencyMs = HEALTHY_LATENCY_MS;
  shipping.resetPeak();
  inFlight.peak = inFlight.now;
  const started = performance.now();
  const slow = setTimeout(() => (shipping.latencyMs = SLOW_LATENCY_MS), SLOW_FROM_MS);
  const pending: Promise<Checkout>[] = [];
  for (let at = 0; at < RUN_MS; at += 1_000 / RATE_PER_SECOND) {
    const wait = started + at - performance.now();
    if (wait > 0) await sleep(wait);
    pending.push(timedCheckout(checkout.url, at < SLOW_FROM_MS ? 'healthy' : 'slow'));
  }
  const checkouts = await Promise.all(pending);
  clearTimeout(slow);
  await checkout.close();
  return { checkouts, peakInFlight: inFlight.peak, shippingPeak: shipping.peak };
}

async function timedCheckout(url: string, phase: Phase): Promise<Checkout> {
  const start = performance.now();
  let answer: CheckoutAnswer | undefined;
  try {
    const response = await fetch(`${url}/checkout`);
    if (response.ok) answer = (await response.json()) as CheckoutAnswer;
    else await response.body?.cancel();
  } catch {
    answer = undefined;
  }
  return { phase, latencyMs: performance.now() - start, answer };
}

function report(): void {
  console.log(
    `shipping-quotes answers in ${HEALTHY_LATENCY_MS} ms, then in ${SLOW_LATENCY_MS} ms from ${SLOW_FROM_MS} ms on; ` +
      `checkout gets ${RATE_PER_SECOND} requests/s for ${RUN_MS} ms, twice\n`,
  );
  console.log('run          phase    checkouts  p50 ms  p99 ms  flat rate  failed  quotes at once (peak)');
  for (const [name, r] of [['unprotected', unprotected], ['protected', protectedRun]] as const) {
    for (const phase of ['healthy', 'slow'] as const) {
      const inPhase = r.checkouts.filter((c) => c.phase === phase);
      const latencies = inPhase.map((c) => c.latencyMs);
      console.log(
        [
          (phase === 'healthy' ? name : '').padEnd(12),
          phase.padEnd(8),
          String(inPhase.length).padStart(9),
          ms(percentile(latencies, 0.5)).padStart(7),
          ms(percentile(latencies, 0.99)).padStart(7),
          String(count(inPhase, (c) => c.answer?.shipping.flatRate === true)).padStart(10),
          String(count(inPhase, (c) => c.answer === undefined)).padStart(7),
          phase === 'slow' ? ` ${r.peakInFlight} (shipping-quotes saw ${r.shippingPeak})` : '',
        ].join(' ').trimEnd(),
      );
    }
  }

  const slowP99 = (r: Run): number => percentile(r.checkouts.filter((c) => c.phase === 'slow').map((c) => c.latencyMs), 0.99);
  console.log('');
  console.log(`- Unprotected, checkout's p99 follows shipping-quotes to ${ms(slowP99(unprotected))} ms, and up to ${unprotected.peakInFlight} quote calls`);
  console.log('  were open at once: every checkout in the slow phase holds a connection and its memory for a second.');
  console.log(`- Protected (timeout ${ATTEMPT_TIMEOUT_MS} ms, bulkhead ${CONCURRENCY}, flat-rate fallback), checkout's p99 stays at ${ms(slowP99(protectedRun))} ms`);
  console.log(`  and at most ${protectedRun.peakInFlight} quote calls were open at once; ${counts.flatRate} checkouts used the flat rate`);
  console.log(`  (${counts.timeouts} quotes timed out, ${counts.rejected} calls were turned away by the full bulkhead without calling shipping-quotes).`);

  const summary = (r: Run) => ({
    slowP99Ms: round(slowP99(r)),
    peakInFlight: r.peakInFlight,
    shippingPeak: r.shippingPeak,
    checkouts: r.checkouts.length,
    failed: count(r.checkouts, (c) => c.answer === undefined),
    flatRate: count(r.checkouts, (c) => c.answer?.shipping.flatRate === true),
  });
  const result = {
    guide: 'slow-checkout',
    slowLatencyMs: SLOW_LATENCY_MS,
    attemptTimeoutMs: ATTEMPT_TIMEOUT_MS,
    concurrency: CONCURRENCY,
    unprotected: summary(unprotected),
    protected: { ...summary(protectedRun), timeouts: counts.timeouts, rejected: counts.rejected },
  };
  console.log(`\nRESULT ${JSON.stringify(result)}`);
}
