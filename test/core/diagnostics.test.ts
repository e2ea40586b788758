import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { createHook } from 'node:async_hooks';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { CHANNEL_NAMES } from '../../src/diagnostics.js';
import { adaptiveBulkhead, adaptiveThrottle, hedge, keyed, manualClock, timeout, type CallContext, type DiagnosticsMessage, type Policy } from '../../src/index.js';
import { walk } from '../../src/prometheus/walk.js';
import { runScriptedSequence } from '../prometheus/scripted-sequence.js';

/** The `on…` methods whose events are published: all but the three a `stateChange` already tells. */
const DERIVED = new Set(['onOpen', 'onHalfOpen', 'onClose']);

function onMethods(part: object): string[] {
  const names = new Set<string>();
  for (let proto: object | null = part; proto !== null && proto !== Object.prototype; proto = Object.getPrototypeOf(proto) as object | null) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      if (/^on[A-Z]/.test(name) && typeof (part as Record<string, unknown>)[name] === 'function' && !DERIVED.has(name)) names.add(name);
    }
  }
  return [...names];
}

const typeOf = (method: string): string => method.charAt(2).toLowerCase() + method.slice(3);

const subscribed: [string, (message: unknown) => void][] = [];
afterEach(() => {
  for (const [name, listener] of subscribed.splice(0)) unsubscribe(name, listener);
});

describe('diagnostics_channel', () => {
  it('publishes each event once, on the channel of its policy kind, as the same object the on… listeners get', async () => {
    const published: [object, string, unknown][] = [];
    const byChannel = new Map<string, Set<string>>();
    for (const name of CHANNEL_NAMES) {
      const listener = (message: unknown): void => {
        const { policy, type, event, name: policyName } = message as DiagnosticsMessage;
        expect(policyName).toBe((policy as Policy).name);
        published.push([policy, type, event]);
        byChannel.set(name, (byChannel.get(name) ?? new Set()).add(type));
      };
      subscribe(name, listener);
      subscribed.push([name, listener]);
    }
    const heard: [object, string, unknown][] = [];
    await runScriptedSequence(
      (target) =>
        walk(target, (part) => {
          for (const method of onMethods(part)) {
            (part as Record<string, (listener: (event: unknown) => void) => void>)[method]?.((event) => heard.push([part, typeOf(method), event]));
          }
        }),
      () => Promise.resolve(),
    );

    expect(heard.length).toBeGreaterThan(30);
    expect(published).toHaveLength(heard.length);
    for (const [index, [policy, type, event]] of heard.entries()) {
      const [p, t, e] = published[index] ?? [];
      expect([p === policy, t, e === event], `event ${index}`).toEqual([true, type, true]);
    }
    expect(Object.fromEntries([...byChannel].map(([name, types]) => [name, [...types].sort()]))).toEqual({
      'firebreak:call': ['call'],
      'firebreak:circuit-breaker': ['failure', 'rejected', 'stateChange', 'success'],
      'firebreak:bulkhead': ['admitted', 'queued', 'rejected'],
      'firebreak:timeout': ['timeout'],
      'firebreak:retry': ['giveUp', 'retry', 'settled'],
      'firebreak:fallback': ['fallback'],
    });
  });

  it('publishes with no on… listener at all, and the README lists every channel', async () => {
    const messages: DiagnosticsMessage[] = [];
    const listener = (message: unknown): void => void messages.push(message as DiagnosticsMessage);
    subscribe('firebreak:circuit-breaker', listener);
    subscribed.push(['firebreak:circuit-breaker', listener]);
    await runScriptedSequence(() => undefined, () => Promise.resolve());
    const transitions = messages.filter((m) => m.type === 'stateChange').map((m) => m.event);
    expect(transitions).toEqual([
      { from: 'closed', to: 'open' },
      { from: 'open', to: 'half-open' },
      { from: 'half-open', to: 'closed' },
    ]);
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    for (const name of CHANNEL_NAMES) expect(readme, name).toContain(`\`${name}\``);
  });

  it('publishes an adaptive bulkhead on the bulkheads channel', async () => {
    const messages: DiagnosticsMessage[] = [];
    const listener = (message: unknown): void => void messages.push(message as DiagnosticsMessage);
    subscribe('firebreak:bulkhead', listener);
    subscribed.push(['firebreak:bulkhead', listener]);
    const pool = adaptiveBulkhead({ name: 'pool', initial: 1, queue: 0 });
    let release = (): void => {};
    const running = pool.execute(() => new Promise<void>((resolve) => (release = resolve)));
    await expect(pool.execute(() => 'turned away')).rejects.toMatchObject({ code: 'ERR_BULKHEAD_REJECTED' });
    release();
    await running;
    expect(messages.map((m) => [m.policy === pool, m.type, m.event])).toEqual([
      [true, 'admitted', { waited: 0 }],
      [true, 'rejected', { reason: 'full' }],
    ]);
  });

  it('publishes a hedge on firebreak:hedge and an adaptive throttle on firebreak:throttle, each event once, as its on… listeners get it', async () => {
    const clock = manualClock();
    const hedged = hedge({ name: 'search', maxAttempts: 3, delay: 100, grace: 0, clock });
    const throttle = adaptiveThrottle({ name: 'search', k: 1, clock, random: () => 0 });
    const messages: [string, DiagnosticsMessage][] = [];
    for (const channel of ['firebreak:hedge', 'firebreak:throttle']) {
      const listener = (message: unknown): void => void messages.push([channel, message as DiagnosticsMessage]);
      subscribe(channel, listener);
      subscribed.push([channel, listener]);
    }
    const heard: [object, string, unknown][] = [];
    for (const part of [hedged, throttle]) {
      for (const method of onMethods(part)) {
        (part as unknown as Record<string, (listener: (event: unknown) => void) => void>)[method]?.((event) => heard.push([part, typeOf(method), event]));
      }
    }

    // A hedge on delay that wins, then a failure that starts a hedge at once.
    const hang = (ctx: CallContext): Promise<never> => new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason as Error)));
    const won = hedged.execute((ctx) => (ctx.attempt === 1 ? hang(ctx) : 'hedge won'));
    await clock.advanceAsync(100);
    expect(await won).toBe('hedge won');
    expect(await hedged.execute((ctx) => (ctx.attempt === 1 ? Promise.reject(new Error('down')) : 'after a failure'))).toBe('after a failure');
    // One failure through the throttle, then (k = 1, random 0) a rejection.
    await expect(throttle.execute(() => Promise.reject(new Error('503')))).rejects.toThrow('503');
    await expect(throttle.execute(() => 'not called')).rejects.toMatchObject({ code: 'ERR_THROTTLED' });

    expect(messages.map(([channel, m]) => [channel, m.name, m.type, m.event])).toEqual([
      ['firebreak:hedge', 'search', 'hedge', { attempt: 2, reason: 'delay' }],
      ['firebreak:hedge', 'search', 'settled', { ok: true, attempts: 2, winner: 2 }],
      ['firebreak:hedge', 'search', 'hedge', { attempt: 2, reason: 'failure' }],
      ['firebreak:hedge', 'search', 'settled', { ok: true, attempts: 2, winner: 2 }],
      ['firebreak:throttle', 'search', 'rejected', { probability: 0.5 }],
    ]);
    const relevant = heard.filter(([, type]) => type !== 'call');
    expect(relevant).toHaveLength(messages.length);
    for (const [index, [policy, type, event]] of relevant.entries()) {
      const [, message] = messages[index]!;
      expect([message.policy === policy, message.type, message.event === event], `event ${index}`).toEqual([true, type, true]);
    }
  });

  it('publishes a keyed policy\'s evictions on firebreak:keyed', () => {
    const messages: DiagnosticsMessage[] = [];
    const listener = (message: unknown): void => void messages.push(message as DiagnosticsMessage);
    subscribe('firebreak:keyed', listener);
    subscribed.push(['firebreak:keyed', listener]);
    const perOrigin = keyed(() => timeout(1_000), { name: 'origins', maxKeys: 1 });
    const first = perOrigin.get('a');
    perOrigin.get('b');
    expect(messages.map((m) => [m.policy === perOrigin, m.name, m.type, m.event])).toEqual([[true, 'origins', 'evict', { key: 'a', reason: 'capacity', policy: first }]]);
  });
});

describe('the caller scopes a timeout captures for its channel', () => {
  it('are each destroyed when the call ends, whether it settled or timed out (async_hooks destroy hooks see every init matched)', async () => {
    const created = new Set<number>();
    const destroyed = new Set<number>();
    const hook = createHook({
      init: (id, type) => void (type === 'firebreak' && created.add(id)),
      destroy: (id) => void destroyed.add(id),
    }).enable();
    const listener = (): void => undefined;
    subscribe('firebreak:timeout', listener);
    subscribed.push(['firebreak:timeout', listener]);
    try {
      const clock = manualClock();
      const guard = timeout({ duration: 10, clock });
      const settled = await Promise.all([guard.execute(() => 'quick'), guard.execute(() => Promise.reject(new Error('down'))).catch(() => 'failed')]);
      const late = guard.execute(() => new Promise<never>(() => undefined)).catch(() => 'timed out');
      clock.advance(10);
      expect([...settled, await late]).toEqual(['quick', 'failed', 'timed out']);
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setImmediate(resolve));
      expect(created.size).toBe(3);
      expect([...created].filter((id) => !destroyed.has(id))).toEqual([]);
    } finally {
      hook.disable();
    }
  });
});
