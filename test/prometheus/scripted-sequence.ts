import type { Registry } from 'prom-client';
import { expect } from 'vitest';
import { circuitBreaker, constant, firebreak, keyed, manualClock, pipeline, storeFleet, ThrottledError, timeout, type CallContext, type FleetStore, type KeyedPolicy, type ManualClock, type Policy } from '../../src/index.js';
import { instrument } from '../../src/prometheus/index.js';
import { deferred } from '../helpers/async.js';
import { Scrape } from './read-metrics.js';

/** Hangs until the call's signal aborts (a timeout), then rejects with its reason. */
function hangUntilAborted(ctx: CallContext): Promise<never> {
  return new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason as Error)));
}

const down = (): Promise<never> => Promise.reject(new Error('down'));

/** A fleet store that is always down. */
const downStore: FleetStore = { syncBreaker: down, syncBudget: down, syncLimiter: down, isolate: down, release: down };

/** The Prometheus metrics of {@link runScriptedSequence}, scraped at its three moments. */
export async function scriptedSequence(registry: Registry): Promise<{ full: Scrape; open: Scrape; atTheEnd: Scrape }> {
  const scrapes = await runScriptedSequence(
    (policy) => instrument(policy, { registry }),
    () => Scrape.of(registry),
    (policy) => instrument(policy, { registry }),
    searchSequence,
  );
  // Then a fleet whose store is down: one failed sync, and the fleet runs on local state.
  const fleet = storeFleet({ name: 'auth', store: downStore });
  instrument(fleet, { registry });
  circuitBreaker({ name: 'auth', fleet });
  await new Promise((resolve) => setImmediate(resolve));
  await fleet.close();
  return { ...scrapes, atTheEnd: await Scrape.of(registry) };
}

/**
 * One dependency behind every stage, driven through a scripted sequence: fill the bulkhead,
 * time out and retry, exhaust the retry budget, open the circuit, fall back, and recover.
 * `attach` instruments the policy; `read` reads the metrics when the bulkhead is full, when the
 * circuit is open, and at the end; with `attachKeyed`, a keyed policy overflows at the end; `more`
 * runs last, on the same clock (the Prometheus sequence adds {@link searchSequence}).
 */
export async function runScriptedSequence<S>(
  attach: (policy: Policy<unknown>) => void,
  read: () => Promise<S>,
  attachKeyed?: (policy: KeyedPolicy<Policy<unknown>>) => void,
  more?: (attach: (policy: Policy<unknown>) => void, clock: ManualClock) => Promise<void>,
): Promise<{ full: S; open: S; atTheEnd: S }> {
  const clock = manualClock();
  const auth = firebreak('auth', {
    fallback: 'cached',
    retry: { maxAttempts: 2, backoff: constant(0), budget: { ratio: 0, minPerSecond: 0.1, window: 10_000 }, clock },
    circuitBreaker: { window: { type: 'consecutive', failures: 2 }, openFor: 1_000, slowCallDuration: 50, clock },
    bulkhead: { concurrency: 1, queue: 1, queueTimeout: 100, clock },
    attemptTimeout: { duration: 200, clock },
  });
  attach(auth);

  // 1. A plain success.
  expect(await auth.execute(() => 'fresh')).toBe('fresh');

  // 2. Fill the bulkhead: one call runs (60 ms: slow), one waits, one is turned away (fallback).
  const slot = deferred<string>();
  const running = auth.execute(() => slot.promise);
  const waiting = auth.execute(() => 'waited');
  expect(await auth.execute(() => 'turned away')).toBe('cached');
  const full = await read();
  await clock.advanceAsync(60);
  slot.resolve('ran');
  expect(await running).toBe('ran');
  expect(await waiting).toBe('waited');

  // 3. Time out: the first attempt times out, the retry (the budget's one reserve retry) succeeds.
  const timedOut = auth.execute((ctx) => (ctx.attempt === 1 ? hangUntilAborted(ctx) : 'second attempt'));
  await clock.advanceAsync(200);
  expect(await timedOut).toBe('second attempt');

  // 4. Exhaust the budget: a failure is not retried; 5. a second one in a row opens the circuit.
  expect(await auth.execute(down)).toBe('cached');
  expect(await auth.execute(down)).toBe('cached');
  expect(auth.circuitBreaker?.state).toBe('open');

  // 6. The open circuit turns a call away; the fallback serves it.
  expect(await auth.execute(() => 'not called')).toBe('cached');
  const open = await read();

  // 7. After openFor, a probe succeeds and closes the circuit.
  await clock.advanceAsync(1_000);
  expect(await auth.execute(() => 'probe')).toBe('probe');

  // 8. A keyed policy whose one kept key holds an isolated breaker: a call for a new key overflows.
  if (attachKeyed) {
    const perTenant = keyed(() => circuitBreaker({ name: 'tenant', clock }), { name: 'tenants', maxKeys: 1, clock });
    attachKeyed(perTenant);
    perTenant.get('a').isolate();
    expect(await perTenant.execute('b', () => 'overflow')).toBe('overflow');
  }
  await more?.(attach, clock);
  return { full, open, atTheEnd: await read() };
}


/**
 * `search` behind a hedge (20 ms), a rate limiter (2 per second, burst 2, waits up to 500 ms) and
 * a throttle (k = 1, rejecting whenever its probability is above 0): a hedge that wins, a call
 * that waits 480 ms for its turn while its hedge is rate-limited, and a failure whose hedge the
 * throttle turns away.
 */
async function searchSequence(attach: (policy: Policy<unknown>) => void, clock: ManualClock): Promise<void> {
  const search = firebreak('search', {
    hedge: { delay: 20, clock },
    rateLimit: { rate: 2, burst: 2, maxWait: 500, clock },
    throttle: { k: 1, window: 10_000, clock, random: () => 0 },
  });
  attach(search);
  const start = clock.now();

  // 1. The first attempt hangs; the hedge at 20 ms answers; the first is aborted.
  const hedged = search.execute((ctx) => (ctx.attempt === 1 ? hangUntilAborted(ctx) : 'hedged'));
  await clock.advanceAsync(20);
  expect(await hedged).toBe('hedged');

  // 2. The limiter is empty until 1 s: this call waits 480 ms; its hedge would wait 980 ms and is rejected.
  const waited = search.execute(() => 'waited');
  await clock.advanceAsync(480);
  expect(await waited).toBe('waited');

  // 3. Later, a failure: the throttle now rejects (k = 1: 3 requests, 2 accepts), so the hedge it starts at once is throttled.
  await clock.advanceAsync(start + 2_000 - clock.now());
  await expect(search.execute(down)).rejects.toThrow(ThrottledError);
}

/**
 * Drops the keys of a keyed policy (maxKeys 2, idleTtl 1 s on `clock`) holding 'a' and 'b': one
 * for room, one by `delete`, one idle; then removes its instrumentation. After each step, checks
 * the keys that `keysIn` finds in the metrics.
 */
export async function dropKeys(perTenant: KeyedPolicy<Policy<unknown>>, clock: ManualClock, handle: { remove(): void }, keysIn: () => Promise<string[]>): Promise<void> {
  perTenant.get('c');
  expect(await keysIn()).toEqual(['b', 'c']);
  perTenant.delete('b');
  expect(await keysIn()).toEqual(['c']);
  clock.advance(1_000);
  perTenant.get('d');
  expect(await keysIn()).toEqual(['d']);
  handle.remove();
  expect(await keysIn()).toEqual([]);
}

/** A keyed policy named 'origins' of at most 100 keys, each a breaker and a timeout named by the key; and the breakers built. */
export function perOriginBreakers(): { perOrigin: KeyedPolicy<Policy<unknown>>; breakers: Map<string, ReturnType<typeof circuitBreaker>> } {
  const breakers = new Map<string, ReturnType<typeof circuitBreaker>>();
  const perOrigin = keyed(
    (origin) => {
      const breaker = circuitBreaker({ name: origin });
      breakers.set(origin, breaker);
      return pipeline(breaker, timeout({ name: origin, duration: 100 }));
    },
    { name: 'origins', maxKeys: 100 },
  );
  return { perOrigin, breakers };
}
