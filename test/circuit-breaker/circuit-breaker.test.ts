import { describe, expect, it } from 'vitest';
import {
  BulkheadRejectedError,
  circuitBreaker,
  CircuitOpenError,
  FirebreakError,
  manualClock,
  type CircuitBreakerOptions,
  type ManualClock,
  type Outcome,
  type TimerHandle,
} from '../../src/index.js';
import { deferred, fail, flush, rejectionOf, succeed } from './helpers.js';

/** Runs a call that takes `ms` on `clock` and ends the way `end` says. */
async function callTaking(
  breaker: { execute: (fn: () => Promise<string>) => Promise<string> },
  clock: ManualClock,
  ms: number,
  end: 'ok' | 'fail' = 'ok',
): Promise<void> {
  const work = deferred();
  const call = breaker.execute(() => work.promise);
  clock.advance(ms);
  if (end === 'ok') work.resolve('ok');
  else work.reject(new Error('down'));
  await call.catch(() => undefined);
}

function consecutive(clock: ManualClock, options: Omit<CircuitBreakerOptions, 'clock' | 'window'> = {}) {
  return circuitBreaker({ name: 'auth', clock, window: { type: 'consecutive', failures: 1 }, openFor: 1_000, ...options });
}

describe('circuitBreaker: closed', () => {
  it('passes values and errors through unchanged', async () => {
    const breaker = circuitBreaker({ clock: manualClock() });
    await expect(breaker.execute(() => 42)).resolves.toBe(42);
    const error = new Error('mine');
    await expect(breaker.execute(() => Promise.reject(error))).rejects.toBe(error);
    await expect(breaker.execute(() => { throw 'a string'; })).rejects.toBe('a string');
    expect(breaker.state).toBe('closed');
    expect(breaker.name).toBe('circuitBreaker');
  });

  it('consecutive window: opens on `failures` failures in a row; a success empties the run', async () => {
    const breaker = circuitBreaker({ clock: manualClock(), window: { type: 'consecutive', failures: 3 } });
    await breaker.execute(fail).catch(() => undefined);
    await breaker.execute(fail).catch(() => undefined);
    expect(breaker.stats).toMatchObject({ calls: 2, failures: 2, failureRate: 1 });
    await breaker.execute(succeed);
    expect(breaker.stats).toMatchObject({ calls: 0, failures: 0, failureRate: 0 });
    await breaker.execute(fail).catch(() => undefined);
    await breaker.execute(fail).catch(() => undefined);
    expect(breaker.state).toBe('closed');
    await breaker.execute(fail).catch(() => undefined);
    expect(breaker.state).toBe('open');
  });

  it('count window: opens once failureRate >= threshold, and not before minimumCalls', async () => {
    const breaker = circuitBreaker({ clock: manualClock(), window: { type: 'count', size: 10 }, failureRateThreshold: 0.5, minimumCalls: 4 });
    await breaker.execute(fail).catch(() => undefined);
    await breaker.execute(fail).catch(() => undefined);
    await breaker.execute(fail).catch(() => undefined);
    expect(breaker.state).toBe('closed');
    await breaker.execute(succeed);
    expect(breaker.stats).toMatchObject({ calls: 4, failures: 3, failureRate: 0.75 });
    expect(breaker.state).toBe('open');
  });

  it('count window: a rate exactly at the threshold opens', async () => {
    const breaker = circuitBreaker({ clock: manualClock(), window: { type: 'count', size: 4 }, failureRateThreshold: 0.5, minimumCalls: 4 });
    await breaker.execute(succeed);
    await breaker.execute(succeed);
    await breaker.execute(fail).catch(() => undefined);
    expect(breaker.state).toBe('closed');
    await breaker.execute(fail).catch(() => undefined);
    expect(breaker.state).toBe('open');
  });

  it('count window: only the last `size` calls count', async () => {
    const breaker = circuitBreaker({ clock: manualClock(), window: { type: 'count', size: 3 }, failureRateThreshold: 1, minimumCalls: 3 });
    await breaker.execute(fail).catch(() => undefined);
    await breaker.execute(fail).catch(() => undefined);
    await breaker.execute(succeed);
    await breaker.execute(fail).catch(() => undefined);
    await breaker.execute(fail).catch(() => undefined);
    expect(breaker.stats).toMatchObject({ calls: 3, failures: 2 });
    expect(breaker.state).toBe('closed');
    await breaker.execute(fail).catch(() => undefined);
    expect(breaker.state).toBe('open');
  });

  it('time window: judges the calls of the last `duration` ms', async () => {
    const clock = manualClock();
    const breaker = circuitBreaker({ clock, window: { type: 'time', duration: 1_000, buckets: 4 }, failureRateThreshold: 0.5, minimumCalls: 3 });
    await breaker.execute(fail).catch(() => undefined);
    await breaker.execute(fail).catch(() => undefined);
    clock.advance(1_000);
    await breaker.execute(fail).catch(() => undefined);
    expect(breaker.stats).toMatchObject({ calls: 1, failures: 1 });
    await breaker.execute(fail).catch(() => undefined);
    await breaker.execute(succeed);
    expect(breaker.state).toBe('open');
  });

  it('slow calls: a call is slow when duration >= slowCallDuration, and slowCallRateThreshold opens the circuit', async () => {
    const clock = manualClock();
    const breaker = circuitBreaker({
      clock,
      window: { type: 'count', size: 10 },
      slowCallDuration: 100,
      slowCallRateThreshold: 0.5,
      minimumCalls: 4,
    });
    const seen: { duration: number; slow: boolean }[] = [];
    breaker.onSuccess((event) => seen.push(event));
    await callTaking(breaker, clock, 99);
    await callTaking(breaker, clock, 100);
    await callTaking(breaker, clock, 10);
    expect(seen).toEqual([
      { duration: 99, slow: false },
      { duration: 100, slow: true },
      { duration: 10, slow: false },
    ]);
    expect(breaker.state).toBe('closed');
    await callTaking(breaker, clock, 250);
    expect(breaker.stats).toMatchObject({ calls: 4, failures: 0, slowCalls: 2, slowCallRate: 0.5 });
    expect(breaker.state).toBe('open');
  });

  it('shouldHandle: a result can be a failure (an HTTP 503), and the caller still gets it', async () => {
    const breaker = circuitBreaker<{ status: number }>({
      clock: manualClock(),
      window: { type: 'consecutive', failures: 2 },
      shouldHandle: (outcome) => !outcome.ok || outcome.value.status >= 500,
    });
    const outcomes: Outcome<unknown>[] = [];
    breaker.onFailure(({ outcome }) => outcomes.push(outcome));
    await expect(breaker.execute(() => ({ status: 503 }))).resolves.toEqual({ status: 503 });
    await expect(breaker.execute(() => ({ status: 503 }))).resolves.toEqual({ status: 503 });
    expect(outcomes).toEqual([
      { ok: true, value: { status: 503 } },
      { ok: true, value: { status: 503 } },
    ]);
    expect(breaker.state).toBe('open');
  });

  it('shouldHandle: an error it does not handle counts as a success', async () => {
    class NotFound extends Error {}
    const breaker = circuitBreaker({
      clock: manualClock(),
      window: { type: 'consecutive', failures: 2 },
      shouldHandle: (outcome) => !outcome.ok && !(outcome.error instanceof NotFound),
    });
    let successes = 0;
    breaker.onSuccess(() => successes++);
    await breaker.execute(fail).catch(() => undefined);
    await expect(breaker.execute(() => Promise.reject(new NotFound()))).rejects.toBeInstanceOf(NotFound);
    await breaker.execute(fail).catch(() => undefined);
    expect(successes).toBe(1);
    expect(breaker.state).toBe('closed');
  });

  it('shouldHandle that throws: the call rejects with its error and counts as a failure', async () => {
    const bug = new Error('bug in shouldHandle');
    const breaker = circuitBreaker({
      clock: manualClock(),
      window: { type: 'consecutive', failures: 1 },
      shouldHandle: () => {
        throw bug;
      },
    });
    await expect(breaker.execute(succeed)).rejects.toBe(bug);
    expect(breaker.state).toBe('open');
  });

  it('fast-fails of sibling policies (circuit open, bulkhead full or queue timeout) are never failures', async () => {
    const clock = manualClock();
    const breaker = circuitBreaker({ clock, window: { type: 'consecutive', failures: 1 } });
    let recorded = 0;
    breaker.onFailure(() => recorded++);
    breaker.onSuccess(() => recorded++);
    const fastFails = [
      new BulkheadRejectedError('auth', 'full'),
      new BulkheadRejectedError('auth', 'queue-timeout'),
      new CircuitOpenError('inner', 5_000),
    ];
    for (const error of fastFails) await expect(breaker.execute(() => Promise.reject(error))).rejects.toBe(error);
    expect(breaker.state).toBe('closed');
    expect(breaker.stats.calls).toBe(0);
    expect(recorded).toBe(0);
  });

  it("a caller's abort is not recorded at all", async () => {
    const breaker = circuitBreaker({ clock: manualClock(), window: { type: 'consecutive', failures: 1 } });
    const controller = new AbortController();
    const work = deferred();
    const call = breaker.execute(() => work.promise, { signal: controller.signal });
    const reason = new Error('caller left');
    controller.abort(reason);
    work.reject(reason);
    await expect(call).rejects.toBe(reason);
    await flush();
    expect(breaker.state).toBe('closed');
    expect(breaker.stats.calls).toBe(0);
  });
});

describe('circuitBreaker: open', () => {
  it('rejects at once with a CircuitOpenError: code, name, retryAfter = the open time left', async () => {
    const clock = manualClock();
    const breaker = consecutive(clock);
    const rejected: unknown[] = [];
    breaker.onRejected((event) => rejected.push(event));
    await breaker.execute(fail).catch(() => undefined);
    clock.advance(300);
    let called = false;
    const error = await rejectionOf(
      breaker.execute(() => {
        called = true;
        return 'no';
      }),
    );
    expect(called).toBe(false);
    expect(error).toBeInstanceOf(CircuitOpenError);
    expect(error).toBeInstanceOf(FirebreakError);
    expect(error).toMatchObject({ name: 'CircuitOpenError', code: 'ERR_CIRCUIT_OPEN', retryAfter: 700, state: 'open', policy: 'auth' });
    expect((error as Error).message).toBe('auth: circuit open, retry after 700 ms');
    expect(CircuitOpenError.code).toBe('ERR_CIRCUIT_OPEN');
    expect(rejected).toEqual([{ state: 'open', retryAfter: 700 }]);
  });

  it('state is correct when read, without any timer: open turns half-open when its time is up', async () => {
    const clock = manualClock();
    const breaker = consecutive(clock);
    const halfOpened: unknown[] = [];
    breaker.onHalfOpen((event) => halfOpened.push(event));
    await breaker.execute(fail).catch(() => undefined);
    expect(breaker.state).toBe('open');
    expect(clock.pendingTimers).toBe(0);
    clock.advance(999);
    expect(breaker.state).toBe('open');
    clock.advance(1);
    expect(halfOpened).toEqual([]);
    expect(breaker.state).toBe('half-open');
    expect(halfOpened).toEqual([{}]);
  });

  it('openFor backoff: grows with each re-open (1, 2, 3, ...) and starts again at 1 after a close', async () => {
    const clock = manualClock();
    const asked: number[] = [];
    const breaker = consecutive(clock, {
      openFor: (opens) => {
        asked.push(opens);
        return 100 * opens;
      },
    });
    const retryAfters: number[] = [];
    breaker.onOpen(({ retryAfter }) => retryAfters.push(retryAfter));
    asked.length = 0;
    await breaker.execute(fail).catch(() => undefined);
    clock.advance(100);
    await breaker.execute(fail).catch(() => undefined);
    clock.advance(200);
    await breaker.execute(fail).catch(() => undefined);
    await expect(breaker.execute(succeed)).rejects.toMatchObject({ retryAfter: 300 });
    clock.advance(300);
    await breaker.execute(succeed);
    expect(breaker.state).toBe('closed');
    await breaker.execute(fail).catch(() => undefined);
    expect(asked).toEqual([1, 2, 3, 1]);
    expect(retryAfters).toEqual([100, 200, 300, 100]);
  });

  it('openFor backoff: a later result that is not a number >= 0 counts as the first open time; results are capped', async () => {
    const clock = manualClock();
    const breaker = consecutive(clock, { openFor: (opens) => (opens === 1 ? 50 : opens === 2 ? NaN : Infinity) });
    await breaker.execute(fail).catch(() => undefined);
    clock.advance(50);
    await breaker.execute(fail).catch(() => undefined);
    await expect(breaker.execute(succeed)).rejects.toMatchObject({ retryAfter: 50 });
    clock.advance(50);
    await breaker.execute(fail).catch(() => undefined);
    await expect(breaker.execute(succeed)).rejects.toMatchObject({ retryAfter: 2_147_483_647 });
  });
});

describe('circuitBreaker: half-open', () => {
  it('closes once maxCalls probes have succeeded, with an empty window', async () => {
    const clock = manualClock();
    const breaker = circuitBreaker({ clock, window: { type: 'count', size: 5 }, minimumCalls: 1, openFor: 100, halfOpen: { maxCalls: 2 } });
    await breaker.execute(fail).catch(() => undefined);
    clock.advance(100);
    await breaker.execute(succeed);
    expect(breaker.state).toBe('half-open');
    await breaker.execute(succeed);
    expect(breaker.state).toBe('closed');
    expect(breaker.stats).toEqual({ calls: 0, failures: 0, slowCalls: 0, failureRate: 0, slowCallRate: 0 });
  });

  it('re-opens on any failed probe', async () => {
    const clock = manualClock();
    const breaker = consecutive(clock, { halfOpen: { maxCalls: 3 } });
    await breaker.execute(fail).catch(() => undefined);
    clock.advance(1_000);
    await breaker.execute(succeed);
    await breaker.execute(fail).catch(() => undefined);
    expect(breaker.state).toBe('open');
  });

  it('re-opens once slow probes reach slowCallRateThreshold of maxCalls', async () => {
    const clock = manualClock();
    const breaker = circuitBreaker({
      clock,
      window: { type: 'count', size: 2 },
      minimumCalls: 1,
      openFor: 100,
      slowCallDuration: 50,
      slowCallRateThreshold: 0.5,
      halfOpen: { maxCalls: 2 },
    });
    await breaker.execute(fail).catch(() => undefined);
    clock.advance(100);
    await callTaking(breaker, clock, 60);
    expect(breaker.state).toBe('open');
  });

  it('a fast-fail or a caller abort of a probe frees its permit without deciding anything', async () => {
    const clock = manualClock();
    const breaker = consecutive(clock);
    await breaker.execute(fail).catch(() => undefined);
    clock.advance(1_000);
    await breaker.execute(() => Promise.reject(new BulkheadRejectedError('auth', 'full'))).catch(() => undefined);
    expect(breaker.state).toBe('half-open');
    const controller = new AbortController();
    const reason = new Error('gone');
    const aborted = breaker.execute(() => Promise.reject(reason), { signal: controller.signal });
    controller.abort(reason);
    await aborted.catch(() => undefined);
    await flush();
    expect(breaker.state).toBe('half-open');
    await expect(breaker.execute(succeed)).resolves.toBe('ok');
    expect(breaker.state).toBe('closed');
  });

  it('starts its probeTimeout timer unref’d and clears it when the probe settles', async () => {
    const clock = manualClock();
    const unrefs: (boolean | undefined)[] = [];
    const spying = {
      ...clock,
      setTimeout: (callback: () => void, ms: number, unref?: boolean): TimerHandle => {
        unrefs.push(unref);
        return clock.setTimeout(callback, ms, unref);
      },
    };
    const breaker = circuitBreaker({ clock: spying, window: { type: 'consecutive', failures: 1 }, openFor: 10, halfOpen: { probeTimeout: 500 } });
    await breaker.execute(fail).catch(() => undefined);
    expect(unrefs).toEqual([]);
    clock.advance(10);
    const probe = deferred();
    const call = breaker.execute(() => probe.promise);
    expect(unrefs).toEqual([true]);
    expect(clock.pendingTimers).toBe(1);
    probe.resolve('ok');
    await call;
    expect(clock.pendingTimers).toBe(0);
  });

  it('clears the probe timers of a half-open period it leaves', async () => {
    const clock = manualClock();
    const breaker = consecutive(clock, { halfOpen: { maxCalls: 2, probeTimeout: 500 } });
    await breaker.execute(fail).catch(() => undefined);
    clock.advance(1_000);
    const hung = deferred();
    void breaker.execute(() => hung.promise);
    expect(clock.pendingTimers).toBe(1);
    await breaker.execute(fail).catch(() => undefined);
    expect(breaker.state).toBe('open');
    expect(clock.pendingTimers).toBe(0);
    hung.resolve('late');
  });
});

describe('circuitBreaker: isolate and reset', () => {
  it('isolate() rejects every call with retryAfter Infinity until released', async () => {
    const breaker = circuitBreaker({ name: 'auth', clock: manualClock() });
    const handle = breaker.isolate();
    expect(breaker.state).toBe('isolated');
    const error = await rejectionOf(breaker.execute(succeed));
    expect(error).toMatchObject({ code: 'ERR_CIRCUIT_OPEN', state: 'isolated', retryAfter: Infinity, message: 'auth: circuit isolated' });
    handle.release();
    expect(breaker.state).toBe('closed');
    await expect(breaker.execute(succeed)).resolves.toBe('ok');
  });

  it('isolations are reference counted; releasing a handle twice counts once', () => {
    const breaker = circuitBreaker({ clock: manualClock() });
    const first = breaker.isolate();
    const second = breaker.isolate();
    first.release();
    first.release();
    expect(breaker.state).toBe('isolated');
    second.release();
    expect(breaker.state).toBe('closed');
  });

  it('the release of the last isolation closes the circuit with an empty window and a fresh open count', async () => {
    const clock = manualClock();
    const asked: number[] = [];
    const breaker = circuitBreaker({
      clock,
      window: { type: 'count', size: 4 },
      minimumCalls: 2,
      openFor: (opens) => {
        asked.push(opens);
        return 100;
      },
    });
    asked.length = 0;
    await breaker.execute(fail).catch(() => undefined);
    await breaker.execute(fail).catch(() => undefined);
    expect(breaker.state).toBe('open');
    const handle = breaker.isolate();
    expect(breaker.state).toBe('isolated');
    clock.advance(1_000);
    expect(breaker.state).toBe('isolated');
    handle.release();
    expect(breaker.state).toBe('closed');
    expect(breaker.stats.calls).toBe(0);
    await breaker.execute(fail).catch(() => undefined);
    await breaker.execute(fail).catch(() => undefined);
    expect(asked).toEqual([1, 1]);
  });

  it('reset() closes with an empty window, ends every isolation, and sets aside results of earlier calls', async () => {
    const clock = manualClock();
    const breaker = circuitBreaker({ clock, window: { type: 'consecutive', failures: 2 } });
    const changes: string[] = [];
    breaker.onStateChange(({ from, to }) => changes.push(`${from}->${to}`));
    const early = deferred();
    const earlyCall = breaker.execute(() => early.promise);
    await breaker.execute(fail).catch(() => undefined);
    const handle = breaker.isolate();
    breaker.reset();
    expect(breaker.state).toBe('closed');
    expect(breaker.stats.calls).toBe(0);
    early.reject(new Error('from before the reset'));
    await earlyCall.catch(() => undefined);
    expect(breaker.stats.calls).toBe(0);
    const later = breaker.isolate();
    handle.release();
    expect(breaker.state).toBe('isolated');
    later.release();
    expect(breaker.state).toBe('closed');
    expect(changes).toEqual(['closed->isolated', 'isolated->closed', 'closed->isolated', 'isolated->closed']);
  });
});

describe('circuitBreaker: events and stats', () => {
  it('emits onStateChange then the event of the state entered, in order', async () => {
    const clock = manualClock();
    const breaker = consecutive(clock);
    const log: string[] = [];
    breaker.onStateChange(({ from, to }) => log.push(`change ${from}->${to}`));
    breaker.onOpen(({ retryAfter, opens }) => log.push(`open ${retryAfter} #${opens}`));
    breaker.onHalfOpen(() => log.push('half-open'));
    breaker.onClose(() => log.push('close'));
    breaker.onFailure(({ duration, slow }) => log.push(`failure ${duration} ${slow}`));
    breaker.onSuccess(({ duration, slow }) => log.push(`success ${duration} ${slow}`));
    breaker.onRejected(({ state }) => log.push(`rejected ${state}`));
    await callTaking(breaker, clock, 7, 'fail');
    await breaker.execute(succeed).catch(() => undefined);
    clock.advance(1_000);
    await breaker.execute(succeed);
    expect(log).toEqual([
      'failure 7 false',
      'change closed->open',
      'open 1000 #1',
      'rejected open',
      'change open->half-open',
      'half-open',
      'success 0 false',
      'change half-open->closed',
      'close',
    ]);
  });

  it('onFailure carries the duration on the breaker clock, slow, and the outcome', async () => {
    const clock = manualClock();
    const breaker = circuitBreaker({ clock, slowCallDuration: 30 });
    const events: unknown[] = [];
    breaker.onFailure((event) => events.push(event));
    const work = deferred();
    const call = breaker.execute(() => work.promise);
    clock.advance(30);
    const error = new Error('down');
    work.reject(error);
    await call.catch(() => undefined);
    expect(events).toEqual([{ duration: 30, slow: true, outcome: { ok: false, error } }]);
  });

  it('a listener that unsubscribes stops receiving events', async () => {
    const breaker = circuitBreaker({ clock: manualClock() });
    let seen = 0;
    const stop = breaker.onSuccess(() => seen++);
    await breaker.execute(succeed);
    stop();
    await breaker.execute(succeed);
    expect(seen).toBe(1);
  });

  it('stats: window counts and rates, 0 for an empty window', async () => {
    const clock = manualClock();
    const breaker = circuitBreaker({ clock, window: { type: 'count', size: 10 }, slowCallDuration: 10, minimumCalls: 10 });
    expect(breaker.stats).toEqual({ calls: 0, failures: 0, slowCalls: 0, failureRate: 0, slowCallRate: 0 });
    await breaker.execute(fail).catch(() => undefined);
    await callTaking(breaker, clock, 10);
    await breaker.execute(succeed);
    await breaker.execute(succeed);
    expect(breaker.stats).toEqual({ calls: 4, failures: 1, slowCalls: 1, failureRate: 0.25, slowCallRate: 0.25 });
  });
});

describe('circuitBreaker: toJSON and initialState', () => {
  it('round-trips every state through JSON, with the open count', async () => {
    const clock = manualClock();
    const breaker = consecutive(clock, { openFor: (opens) => 100 * opens });
    expect(breaker.toJSON()).toEqual({ state: 'closed', opens: 0 });
    await breaker.execute(fail).catch(() => undefined);
    clock.advance(100);
    await breaker.execute(fail).catch(() => undefined);
    const open = JSON.parse(JSON.stringify(breaker)) as ReturnType<typeof breaker.toJSON>;
    expect(open).toEqual({ state: 'open', opens: 2, openUntil: clock.wallNow() + 200, openFor: 200 });
    clock.advance(200);
    expect(breaker.toJSON()).toEqual({ state: 'half-open', opens: 2 });

    const asked: number[] = [];
    const restored = consecutive(clock, {
      initialState: breaker.toJSON(),
      openFor: (opens) => {
        asked.push(opens);
        return 100 * opens;
      },
    });
    asked.length = 0;
    expect(restored.state).toBe('half-open');
    await restored.execute(fail).catch(() => undefined);
    expect(asked).toEqual([3]);

    const isolated = consecutive(clock, { initialState: { state: 'isolated', opens: 0 } });
    expect(isolated.state).toBe('isolated');
    isolated.isolate().release();
    expect(isolated.state).toBe('closed');
  });

  it('a restored open circuit whose time has passed reads half-open', () => {
    const clock = manualClock();
    const breaker = consecutive(clock, { initialState: { state: 'open', opens: 1, openUntil: clock.wallNow() - 1 } });
    expect(breaker.state).toBe('half-open');
  });
});
