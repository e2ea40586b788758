import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { describe, expect, it, vi } from 'vitest';
import { adaptiveThrottle, hedge, manualClock } from '../../src/index.js';
import { runScriptedSequence } from '../prometheus/scripted-sequence.js';

/*
 * Every event object a policy builds is handed to `tell` (its only way out to listeners and
 * channels), and built only in the argument list of that call: counting the calls counts the
 * event objects allocated.
 */
const tell = vi.hoisted(() => ({ calls: 0 }));
vi.mock('../../src/diagnostics.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/diagnostics.js')>();
  return {
    ...original,
    tell: (...args: Parameters<typeof original.tell>) => {
      tell.calls++;
      original.tell(...args);
    },
  };
});

const { CHANNEL_NAMES } = await import('../../src/diagnostics.js');
const run = (): Promise<unknown> => runScriptedSequence(() => undefined, () => Promise.resolve());

describe('diagnostics_channel costs nothing unsubscribed', () => {
  it('builds no event object when neither a listener nor a channel subscriber is there, and one per message when there is', async () => {
    tell.calls = 0;
    await run();
    expect(tell.calls).toBe(0);

    let messages = 0;
    const listener = (): void => void messages++;
    for (const name of CHANNEL_NAMES) subscribe(name, listener);
    try {
      await run();
    } finally {
      for (const name of CHANNEL_NAMES) unsubscribe(name, listener);
    }
    expect(messages).toBeGreaterThan(30);
    expect(tell.calls).toBe(messages);

    tell.calls = 0;
    await run();
    expect(tell.calls).toBe(0);
  });

  it('builds no hedge or throttle event unheard, and one per message on firebreak:hedge and firebreak:throttle', async () => {
    const hedgeAndThrottle = async (): Promise<void> => {
      const clock = manualClock();
      const hedged = hedge({ delay: 100, grace: 0, clock });
      const won = hedged.execute((ctx) => (ctx.attempt === 1 ? new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason as Error))) : 'won'));
      await clock.advanceAsync(100);
      await won;
      await hedged.execute((ctx) => (ctx.attempt === 1 ? Promise.reject(new Error('down')) : 'after a failure'));
      const throttle = adaptiveThrottle({ k: 1, clock, random: () => 0 });
      await throttle.execute(() => Promise.reject(new Error('503'))).catch(() => undefined);
      await throttle.execute(() => 'not called').catch(() => undefined);
    };
    tell.calls = 0;
    await hedgeAndThrottle();
    expect(tell.calls).toBe(0);

    let messages = 0;
    const listener = (): void => void messages++;
    for (const name of ['firebreak:hedge', 'firebreak:throttle']) subscribe(name, listener);
    try {
      await hedgeAndThrottle();
    } finally {
      for (const name of ['firebreak:hedge', 'firebreak:throttle']) unsubscribe(name, listener);
    }
    expect([messages, tell.calls]).toEqual([5, 5]);
  });
});
