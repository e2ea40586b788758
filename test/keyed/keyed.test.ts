import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import {
  bulkhead,
  circuitBreaker,
  CircuitOpenError,
  firebreak,
  InvalidOptionError,
  keyed,
  manualClock,
  pipeline,
  timeout,
  type KeyedEvictEvent,
} from '../../src/index.js';
import { deferred, flush } from '../helpers/async.js';

describe('keyed', () => {
  it('builds one policy per key on first use and runs calls under it', async () => {
    const built: string[] = [];
    const perKey = keyed((key) => {
      built.push(key);
      return timeout({ name: key, duration: 1_000 });
    });
    expect(perKey.get('a')).toBe(perKey.get('a'));
    expect(await perKey.execute('b', () => 42)).toBe(42);
    expect(await perKey.execute('a', (ctx) => ctx.attempt)).toBe(1);
    expect(built).toEqual(['a', 'b']);
    expect(perKey.size).toBe(2);
    expect([...perKey.keys()]).toEqual(['b', 'a']);
    expect(perKey.delete('a')).toBe(true);
    expect(perKey.delete('a')).toBe(false);
    expect([...perKey.keys()]).toEqual(['b']);
  });

  it('refuses bad options at the factory and a build that returns no policy at the call', async () => {
    const build = (key: string) => timeout({ name: key, duration: 10 });
    expect(() => keyed('nope' as never)).toThrow(InvalidOptionError);
    expect(() => keyed(build, { maxKeys: 0 })).toThrow('keyed: `maxKeys` must be an integer >= 1, got 0');
    expect(() => keyed(build, { idleTtl: -1 })).toThrow(InvalidOptionError);
    expect(() => keyed(build, { size: 3 } as never)).toThrow(InvalidOptionError);
    const broken = keyed(() => null as never);
    await expect(broken.execute('a', () => 1)).rejects.toThrow(TypeError);
    expect(() => broken.get(1 as never)).toThrow(TypeError);
  });

  it('evicts the least recently used key for room, and reports it', () => {
    const events: KeyedEvictEvent[] = [];
    const perKey = keyed((key) => timeout({ name: key, duration: 10 }), { maxKeys: 3 });
    perKey.onEvict((event) => events.push(event));
    for (const key of ['a', 'b', 'c']) perKey.get(key);
    perKey.get('a');
    perKey.get('d');
    expect([...perKey.keys()]).toEqual(['c', 'a', 'd']);
    expect(events.map(({ key, reason }) => [key, reason])).toEqual([['b', 'capacity']]);
    expect(perKey.stats).toMatchObject({ size: 3, capacityEvictions: 1, overflows: 0 });
  });

  it('drops keys idle for idleTtl on its next use, sparing an open breaker', () => {
    const clock = manualClock();
    const events: string[] = [];
    const perKey = keyed((key) => circuitBreaker({ name: key, clock, openFor: 10 * 60_000 }), { idleTtl: 1_000, clock });
    perKey.onEvict(({ key, reason }) => events.push(`${key}:${reason}`));
    perKey.get('quiet');
    perKey.get('open').isolate();
    clock.advance(999);
    perKey.get('busy');
    expect(perKey.size).toBe(3);
    clock.advance(1);
    expect([...perKey.keys()]).toEqual(['open', 'busy']);
    expect(events).toEqual(['quiet:idle']);
  });

  it('never drops a bulkhead with calls running, and counts overflows when every key holds state', async () => {
    const perKey = keyed((key) => pipeline(bulkhead({ name: key, concurrency: 1 }), timeout({ name: key, duration: 60_000 })), { maxKeys: 2 });
    const gate = deferred<void>();
    const running = [perKey.execute('a', () => gate.promise), perKey.execute('b', () => gate.promise)];
    const first = perKey.get('c');
    const second = perKey.get('c');
    expect(first).not.toBe(second);
    expect([...perKey.keys()]).toEqual(['a', 'b']);
    expect(perKey.stats.overflows).toBe(2);
    gate.resolve();
    await Promise.all(running);
    perKey.get('c');
    expect([...perKey.keys()]).toEqual(['b', 'c']);
  });

  it('keeps an open breaker through a flood of new keys', async () => {
    const clock = manualClock();
    const perOrigin = keyed((origin) => firebreak(origin, { circuitBreaker: { clock, minimumCalls: 2, openFor: 60_000 } }), { maxKeys: 100, clock });
    const failing = (): Promise<never> => Promise.reject(new Error('down'));
    for (let i = 0; i < 2; i++) await perOrigin.execute('http://sick', failing).catch(() => undefined);
    expect(perOrigin.get('http://sick').circuitBreaker?.state).toBe('open');
    for (let i = 0; i < 10_000; i++) perOrigin.get(`http://host-${i}`);
    expect(perOrigin.size).toBe(100);
    await expect(perOrigin.execute('http://sick', () => 'called')).rejects.toBeInstanceOf(CircuitOpenError);
    expect(perOrigin.stats.overflows).toBe(0);
  });

  it('drops a half-open breaker when idle, never for room', () => {
    const clock = manualClock();
    const perKey = keyed((key) => circuitBreaker({ name: key, clock, window: { type: 'consecutive', failures: 1 }, openFor: 100 }), { maxKeys: 1, idleTtl: 10_000, clock });
    const breaker = perKey.get('a');
    const isolation = breaker.isolate();
    isolation.release();
    void breaker.execute(() => Promise.reject(new Error('x'))).catch(() => undefined);
    return flush().then(() => {
      clock.advance(100);
      expect(breaker.state).toBe('half-open');
      expect(perKey.get('b')).not.toBe(perKey.get('b'));
      expect([...perKey.keys()]).toEqual(['a']);
      clock.advance(10_000);
      perKey.get('b');
      expect([...perKey.keys()]).toEqual(['b']);
    });
  });

  it('keeps size <= maxKeys and the heap flat over 100,000 distinct keys', () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const perOrigin = keyed((origin) => circuitBreaker({ name: origin }), { maxKeys: 1_000 });
    const heapAfter = (from: number, to: number): number => {
      for (let i = from; i < to; i++) {
        perOrigin.get(`https://host-${i}.example`);
        if (perOrigin.size > 1_000) throw new Error(`size ${perOrigin.size} after ${i + 1} keys`);
      }
      gc();
      return process.memoryUsage().heapUsed;
    };
    const early = heapAfter(0, 20_000);
    const late = heapAfter(20_000, 100_000);
    expect(perOrigin.size).toBe(1_000);
    expect(perOrigin.stats.capacityEvictions).toBe(99_000);
    // A kept breaker with its key takes about 1.3 KB: the 80,000 later keys, if kept, would add
    // some 100 MB; bounded, the heap stays where it was (the whole keyed policy is under 2 MB).
    expect(late - early).toBeLessThan(4 * 1024 * 1024);
  });
});
