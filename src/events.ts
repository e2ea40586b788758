/** A function that stops a subscription. Calling it twice is harmless. */
export type Unsubscribe = () => void;

/**
 * Subscribes a listener to one kind of event of a policy and returns the function that
 * unsubscribes it.
 *
 * @example
 * ```ts
 * import { fallback } from 'firebreak';
 * const withDefault = fallback(0);
 * const stop = withDefault.onFallback(({ outcome }) => console.log('served the fallback', outcome));
 * stop();
 * ```
 */
export type Subscribe<E> = (listener: (event: E) => void) => Unsubscribe;

/**
 * Set to `true` on a listener that need not run in the async context of the call its event
 * concerns (a counter, say): a policy that captures the caller's context only to report an event
 * later from a timer (a timeout) skips that capture when no other listener needs it. A
 * registered symbol, so that a listener from another copy of the package is recognised; not part
 * of the public surface (firebreak/prometheus marks its counters with it).
 */
export const CONTEXT_FREE: unique symbol = Symbol.for('firebreak.listener.contextFree') as never;

function needsContext(listener: object): boolean {
  return (listener as { [CONTEXT_FREE]?: unknown })[CONTEXT_FREE] !== true;
}

/**
 * A list of listeners for one kind of event. Policies create one on the first subscription
 * (an unobserved policy holds none) and expose it through an `on…` method. Emitting with no
 * listener does no work (callers check {@link EventList.active} before building the event), and
 * a listener that throws never breaks the call that emitted: its error is reported once per
 * listener as a process warning.
 */
export class EventList<E> {
  #listeners: ((event: E) => void)[] = [];
  /** True while at least one listener is subscribed: build the event only then. */
  active = false;
  /** True while a listener may need the caller's async context: one not marked {@link CONTEXT_FREE}. */
  scoped = false;

  /** Adds `listener`; what a policy's `on…` method does. */
  subscribe(listener: (event: E) => void): Unsubscribe {
    this.#listeners = [...this.#listeners, listener];
    this.active = true;
    this.scoped ||= needsContext(listener);
    return () => {
      this.#listeners = this.#listeners.filter((l) => l !== listener);
      this.active = this.#listeners.length > 0;
      this.scoped = this.#listeners.some(needsContext);
    };
  }

  /** Calls every listener with `event`, isolating their errors. */
  emit(event: E): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (error) {
        reportListenerError(listener, error);
      }
    }
  }
}

const reported = new WeakSet<object>();

function reportListenerError(listener: object, error: unknown): void {
  if (reported.has(listener)) return;
  reported.add(listener);
  const message = `firebreak: an event listener threw and was ignored: ${error instanceof Error ? error.stack ?? error.message : String(error)}`;
  const emitWarning = (globalThis as { process?: { emitWarning?: (message: string, type: string) => void } }).process?.emitWarning;
  if (emitWarning) emitWarning(message, 'FirebreakListenerWarning');
  else console.warn(message);
}
