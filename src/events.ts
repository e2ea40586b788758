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

  /** Adds `listener`; what a policy's `on…` method does. */
  subscribe(listener: (event: E) => void): Unsubscribe {
    this.#listeners = [...this.#listeners, listener];
    this.active = true;
    return () => {
      this.#listeners = this.#listeners.filter((l) => l !== listener);
      this.active = this.#listeners.length > 0;
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
