import type { EventList } from './events.js';

/**
 * What firebreak publishes on its `node:diagnostics_channel` channels (`firebreak:call`,
 * `firebreak:circuit-breaker`, `firebreak:bulkhead`, ...): one message per event, published
 * only while the channel has a subscriber. `event` is the object the policy's own `on…`
 * listeners receive.
 *
 * @example
 * ```ts
 * import { subscribe } from 'node:diagnostics_channel';
 * import type { DiagnosticsMessage } from 'firebreak';
 * subscribe('firebreak:circuit-breaker', (message) => {
 *   const { type, name, event } = message as DiagnosticsMessage;
 *   if (type === 'stateChange') console.log(name, event);
 * });
 * ```
 */
export interface DiagnosticsMessage<E = unknown> {
  /** The event's kind: the name of its `on…` method without `on`, first letter lowered (`stateChange`). */
  readonly type: string;
  /** The name of the policy that emitted it. */
  readonly name: string;
  /** The policy that emitted it. */
  readonly policy: object;
  /** The event, as the policy's `on…` listeners receive it. */
  readonly event: E;
}

interface Channel {
  readonly hasSubscribers: boolean;
  publish(message: unknown): void;
}

interface Builtins {
  getBuiltinModule?: (id: string) => unknown;
}

/*
 * Node's built-in modules, reached without an import so that the core stays free of Node-only
 * imports (Node >= 20.16, Bun and Deno have `process.getBuiltinModule`; elsewhere the channels
 * are silent).
 */
const builtins = (globalThis as { process?: Builtins }).process;
const channels = builtins?.getBuiltinModule?.('node:diagnostics_channel') as { channel(name: string): Channel } | undefined;
const asyncHooks = builtins?.getBuiltinModule?.('node:async_hooks') as
  | { AsyncResource: new (type: string, options: { requireManualDestroy: boolean }) => CallerScope }
  | undefined;

/** Every channel name firebreak publishes on, for documentation and tests. */
export const CHANNEL_NAMES: string[] = [];

/** The diagnostics channel of one kind of policy: `firebreak:<kind>`. */
export class Topic {
  readonly channel: Channel | undefined;

  constructor(kind: string) {
    const name = `firebreak:${kind}`;
    if (!CHANNEL_NAMES.includes(name)) CHANNEL_NAMES.push(name);
    // Held here for the life of the process: a subscriber by name finds this very channel.
    this.channel = channels?.channel(name);
  }
}

/** The channel of calls made through any policy's `execute`. */
export const CALLS = new Topic('call');

/**
 * Whether an event has anyone to receive it: the policy's own listeners or a channel subscriber.
 * Check it before building the event, so that an event nobody hears costs no allocation.
 */
export function heard(list: { readonly active: boolean } | undefined, topic: Topic): boolean {
  return list?.active === true || topic.channel?.hasSubscribers === true;
}

/** Hands `event` to the policy's listeners, then to the subscribers of `topic`'s channel. */
export function tell<E>(list: EventList<E> | undefined, topic: Topic, policy: { readonly name: string }, type: string, event: E): void {
  if (list?.active) list.emit(event);
  const channel = topic.channel;
  if (channel?.hasSubscribers) channel.publish({ type, name: policy.name, policy, event } satisfies DiagnosticsMessage<E>);
}

/** The async context of a call, captured to report an event of that call later from a timer. */
export interface CallerScope {
  runInAsyncScope(fn: () => void): void;
  /** Ends the scope for async_hooks' destroy hooks; call it once, when the call is over. */
  emitDestroy(): void;
}

/**
 * Captures the caller's async context, so that an event reported later from a timer is seen in
 * the context of the call it concerns (on the call's active trace span, say). An
 * `AsyncResource` made directly (`AsyncResource.bind` costs tens of microseconds a call), with no
 * destroy tracking by the garbage collector: its owner calls `emitDestroy()` when the call ends.
 */
export function callerScope(): CallerScope | undefined {
  return asyncHooks === undefined ? undefined : new asyncHooks.AsyncResource('firebreak', { requireManualDestroy: true });
}
