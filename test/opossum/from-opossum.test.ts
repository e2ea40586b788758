import CircuitBreaker from 'opossum';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  BulkheadRejectedError,
  CircuitOpenError,
  constant,
  InvalidOptionError,
  pipeline,
  retry,
  TimeoutError,
  type CallContext,
  type CircuitStateChangeEvent,
} from '../../src/index.js';
import { fromOpossum } from '../../src/opossum/index.js';

const down = (): Promise<never> => Promise.reject(new Error('down'));
const hang = (): Promise<never> => new Promise(() => {});

/** A breaker that opens on the first failure (opossum counts and judges after each call). */
function fragile(options: CircuitBreaker.Options = {}): CircuitBreaker<[string], string> {
  return new CircuitBreaker((id: string) => Promise.resolve(`own action ${id}`), { name: 'users', errorThresholdPercentage: 1, resetTimeout: 1_000, timeout: false, ...options });
}

beforeEach(() => {
  vi.useFakeTimers({ now: 1_700_000_000_000 });
});

afterEach(() => {
  vi.useRealTimers();
});

describe('fromOpossum', () => {
  it('runs the function given to execute under the breaker, and leaves the breaker its own action', async () => {
    const breaker = fragile();
    const users = fromOpossum(breaker);
    let seen: CallContext | undefined;
    expect(await users.execute((ctx) => ((seen = ctx), 'from execute'))).toBe('from execute');
    expect(seen?.attempt).toBe(1);
    expect(seen?.signal).toBeInstanceOf(AbortSignal);
    expect(await breaker.fire('42')).toBe('own action 42');
    expect(breaker.stats.fires).toBe(2);
    expect(breaker.stats.successes).toBe(2);
    expect(users.name).toBe('users');
    expect(fromOpossum(breaker, { name: 'users-v2' }).name).toBe('users-v2');
  });

  it('keeps the breaker\'s own action for a call the function makes to the breaker itself', async () => {
    const breaker = fragile();
    const users = fromOpossum(breaker);
    expect(await users.execute(() => breaker.fire('inner'))).toBe('own action inner');
    expect(await breaker.fire('after')).toBe('own action after');
  });

  it('passes the function\'s errors as they are, and opossum records them as failures', async () => {
    const breaker = fragile({ errorThresholdPercentage: 100 });
    const users = fromOpossum(breaker);
    const error = new Error('down');
    await expect(users.execute(() => Promise.reject(error))).rejects.toBe(error);
    await expect(users.execute(() => { throw 'not an error'; })).rejects.toBe('not an error');
    expect(breaker.stats.failures).toBe(2);
    expect(breaker.closed).toBe(true);
  });

  it('turns an open circuit\'s rejection into a CircuitOpenError with the open time left, without calling the function', async () => {
    const breaker = fragile();
    const users = fromOpossum(breaker);
    await expect(users.execute(down)).rejects.toThrow('down');
    expect(users.state).toBe('open');
    vi.advanceTimersByTime(400);
    const fn = vi.fn(() => 'called');
    const rejection = await users.execute(fn).catch((error: unknown) => error);
    expect(rejection).toBeInstanceOf(CircuitOpenError);
    expect(rejection).toMatchObject({ code: 'ERR_CIRCUIT_OPEN', policy: 'users', state: 'open', retryAfter: 600 });
    expect(fn).not.toHaveBeenCalled();
  });

  it('counts retryAfter from the opening, not from when the breaker was built (opossum\'s lastTimerAt)', async () => {
    const breaker = fragile();
    const users = fromOpossum(breaker);
    vi.advanceTimersByTime(5_000);
    await expect(users.execute(down)).rejects.toThrow('down');
    vi.advanceTimersByTime(250);
    await expect(users.execute(() => 'x')).rejects.toMatchObject({ retryAfter: 750 });
  });

  it('reports all of resetTimeout when the breaker was already open when the adapter was made', async () => {
    const breaker = fragile();
    breaker.open();
    expect(breaker.opened).toBe(true);
    await expect(fromOpossum(breaker).execute(() => 'x')).rejects.toMatchObject({ retryAfter: 1_000 });
  });

  it('lets one probe through in half-open, rejecting the others with retryAfter 0, and closes on its success', async () => {
    const breaker = fragile();
    const users = fromOpossum(breaker);
    await expect(users.execute(down)).rejects.toThrow('down');
    vi.advanceTimersByTime(1_000);
    expect(users.state).toBe('half-open');
    let release!: (value: string) => void;
    const probe = users.execute(() => new Promise<string>((resolve) => (release = resolve)));
    await expect(users.execute(() => 'second')).rejects.toMatchObject({ state: 'half-open', retryAfter: 0 });
    release('probed');
    expect(await probe).toBe('probed');
    expect(users.state).toBe('closed');
  });

  it('turns a shut-down breaker\'s rejection into an isolated CircuitOpenError', async () => {
    const breaker = fragile();
    const users = fromOpossum(breaker);
    breaker.shutdown();
    expect(users.state).toBe('isolated');
    await expect(users.execute(() => 'x')).rejects.toMatchObject({ code: 'ERR_CIRCUIT_OPEN', state: 'isolated', retryAfter: Infinity });
  });

  it('turns opossum\'s timeout into a TimeoutError and aborts ctx.signal with it', async () => {
    const breaker = fragile({ timeout: 50, errorThresholdPercentage: 100 });
    const users = fromOpossum(breaker);
    let signal: AbortSignal | undefined;
    const call = users.execute((ctx) => ((signal = ctx.signal), hang()));
    const rejection = call.catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(50);
    const error = await rejection;
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ policy: 'users', duration: 50, cause: { code: 'ETIMEDOUT' } });
    expect(signal?.aborted).toBe(true);
    expect(signal?.reason).toBe(error);
  });

  it('passes on an ETIMEDOUT error of the function itself', async () => {
    const breaker = fragile({ errorThresholdPercentage: 100 });
    const users = fromOpossum(breaker);
    const network = Object.assign(new Error('connect ETIMEDOUT 10.0.0.1:443'), { code: 'ETIMEDOUT' });
    await expect(users.execute(() => Promise.reject(network))).rejects.toBe(network);
  });

  it('turns a full capacity into a BulkheadRejectedError', async () => {
    const breaker = fragile({ capacity: 1, errorThresholdPercentage: 100 });
    const users = fromOpossum(breaker);
    let release!: (value: string) => void;
    const first = users.execute(() => new Promise<string>((resolve) => (release = resolve)));
    const rejection = await users.execute(() => 'second').catch((error: unknown) => error);
    expect(rejection).toBeInstanceOf(BulkheadRejectedError);
    expect(rejection).toMatchObject({ policy: 'users', reason: 'full' });
    release('first');
    expect(await first).toBe('first');
  });

  it('does not record a caller\'s abort as a failure', async () => {
    const breaker = fragile();
    const users = fromOpossum(breaker);
    const controller = new AbortController();
    const reason = new Error('caller gave up');
    const call = users.execute(
      (ctx) => new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason as Error))),
      { signal: controller.signal },
    );
    controller.abort(reason);
    await expect(call).rejects.toBe(reason);
    await vi.advanceTimersByTimeAsync(0);
    expect(breaker.stats.failures).toBe(0);
    expect(users.state).toBe('closed');
  });

  it('serves an opossum fallback set on the breaker, which gets the error', async () => {
    const breaker = fragile({ errorThresholdPercentage: 100 });
    breaker.fallback((error: Error) => `fallback for ${error.message}`);
    const users = fromOpossum<string>(breaker);
    expect(await users.execute(down)).toBe('fallback for down');
  });

  it('reports state changes, successes, failures and rejections in firebreak\'s shapes', async () => {
    const breaker = fragile();
    const users = fromOpossum(breaker);
    const changes: CircuitStateChangeEvent[] = [];
    const log: string[] = [];
    users.onStateChange((event) => changes.push(event));
    users.onSuccess((event) => log.push(`success ${event.slow}`));
    users.onFailure((event) => log.push(`failure ${String((event.outcome as { error: Error }).error.message)}`));
    users.onRejected((event) => log.push(`rejected ${event.state} ${event.retryAfter}`));
    await users.execute(() => 'ok');
    await expect(users.execute(down)).rejects.toThrow();
    await expect(users.execute(() => 'x')).rejects.toThrow(CircuitOpenError);
    vi.advanceTimersByTime(1_000);
    await users.execute(() => 'probe');
    breaker.shutdown();
    expect(log).toEqual(['success false', 'failure down', 'rejected open 1000', 'success false']);
    expect(changes).toEqual([
      { from: 'closed', to: 'open' },
      { from: 'open', to: 'half-open' },
      { from: 'half-open', to: 'closed' },
      { from: 'closed', to: 'isolated' },
    ]);
  });

  it('listens to the breaker\'s events only while someone subscribes (besides one listener per breaker for its openings)', () => {
    const breaker = fragile();
    const before = breaker.listenerCount('open');
    const users = fromOpossum(breaker);
    fromOpossum(breaker, { name: 'again' });
    expect(breaker.listenerCount('open')).toBe(before + 1);
    expect(breaker.listenerCount('success')).toBe(2);
    const first = users.onStateChange(() => {});
    const second = users.onTimeout(() => {});
    expect(breaker.listenerCount('open')).toBe(before + 2);
    expect(breaker.listenerCount('success')).toBe(3);
    first();
    first();
    expect(breaker.listenerCount('open')).toBe(before + 2);
    second();
    expect(breaker.listenerCount('open')).toBe(before + 1);
    expect(breaker.listenerCount('success')).toBe(2);
  });

  it('refuses what is not an opossum breaker, and breakers that cache or coalesce', () => {
    expect(() => fromOpossum({} as never)).toThrow('fromOpossum: `breaker` must be an opossum CircuitBreaker, got an object');
    expect(() => fromOpossum(fragile({ cache: true }))).toThrow(InvalidOptionError);
    expect(() => fromOpossum(fragile({ coalesce: true } as CircuitBreaker.Options))).toThrow(/`breaker.options.coalesce` must be off/);
    expect(() => fromOpossum(fragile(), { name: '' })).toThrow(InvalidOptionError);
    expect(() => fromOpossum(fragile(), { colour: 'red' } as never)).toThrow(InvalidOptionError);
  });
});

describe('retry → fromOpossum(breaker)', () => {
  it('retries the function\'s failures, but not the open circuit\'s rejections', async () => {
    const breaker = fragile({ errorThresholdPercentage: 50, volumeThreshold: 2 });
    const users = pipeline(retry({ name: 'users', maxAttempts: 3, backoff: constant(0) }), fromOpossum(breaker));
    const fn = vi.fn(down);
    const error = await users.execute(fn).catch((e: unknown) => e);
    expect(fn).toHaveBeenCalledTimes(2);
    expect(error).toBeInstanceOf(CircuitOpenError);
    expect(breaker.opened).toBe(true);

    const next = vi.fn(() => 'not called');
    await expect(users.execute(next)).rejects.toBeInstanceOf(CircuitOpenError);
    expect(next).not.toHaveBeenCalled();
  });

  it('recovers from a transient failure on the next attempt', async () => {
    const breaker = fragile({ errorThresholdPercentage: 100 });
    const users = pipeline(retry({ maxAttempts: 3, backoff: constant(0) }), fromOpossum(breaker));
    let failures = 1;
    const attempts: number[] = [];
    const result = await users.execute((ctx) => {
      attempts.push(ctx.attempt);
      return failures-- > 0 ? Promise.reject(new Error('transient')) : 'ok';
    });
    expect(result).toBe('ok');
    expect(attempts).toEqual([1, 2]);
    expect(breaker.stats).toMatchObject({ failures: 1, successes: 1 });
  });
});

describe('fromOpossum names', () => {
  it("names a breaker opossum gave a random UUID 'opossum' (metrics would get a new label value on every start), and keeps every real name", () => {
    const anonymous = new CircuitBreaker(() => Promise.resolve(1));
    expect(anonymous.name).toMatch(/^[0-9a-f]{8}-/);
    expect(fromOpossum(anonymous).name).toBe('opossum');
    expect(fromOpossum(anonymous, { name: 'auth' }).name).toBe('auth');
    expect(fromOpossum(new CircuitBreaker(() => Promise.resolve(1), { name: 'users' })).name).toBe('users');
    expect(fromOpossum(new CircuitBreaker(function fetchUser() { return Promise.resolve(1); })).name).toBe('fetchUser');
  });
});
