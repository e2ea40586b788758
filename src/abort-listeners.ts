/**
 * One 'abort' listener per signal, fanning out to every call that waits on it.
 *
 * A caller often passes one signal to many concurrent calls (a server's shutdown signal). Adding
 * an `EventTarget` listener per call makes each addition and removal cost O(listeners) and warns
 * (`MaxListenersExceededWarning`) past ten. Here a signal gets a single listener while anything
 * waits on it; subscribing and unsubscribing are O(1) on an intrusive list, and the listener is
 * removed when the last subscription goes.
 */

/** A subscription made by {@link whenAborted}; pass it to {@link stopWaiting}. */
export interface AbortWait {
  /** The list it is on; `undefined` once it has stopped or fired. */
  list: AbortFanOut | undefined;
  previous: AbortWait | undefined;
  next: AbortWait | undefined;
  readonly callback: () => void;
}

/** The subscriptions waiting on one signal, and the one listener that serves them. */
class AbortFanOut {
  head: AbortWait | undefined;
  tail: AbortWait | undefined;

  constructor(readonly signal: AbortSignal) {}

  readonly onAbort = (): void => {
    fanOuts.delete(this.signal);
    let wait = this.head;
    this.head = this.tail = undefined;
    while (wait) {
      const next = wait.next;
      wait.list = wait.previous = wait.next = undefined;
      wait.callback();
      wait = next;
    }
  };
}

const fanOuts = new WeakMap<AbortSignal, AbortFanOut>();

/**
 * Calls `callback` once when `signal` aborts, unless {@link stopWaiting} is called first. The
 * signal must not be aborted yet: callers check `signal.aborted` before they wait.
 */
export function whenAborted(signal: AbortSignal, callback: () => void): AbortWait {
  let list = fanOuts.get(signal);
  if (list === undefined) {
    list = new AbortFanOut(signal);
    fanOuts.set(signal, list);
    signal.addEventListener('abort', list.onAbort, { once: true });
  }
  const wait: AbortWait = { list, previous: list.tail, next: undefined, callback };
  if (list.tail) list.tail.next = wait;
  else list.head = wait;
  list.tail = wait;
  return wait;
}

/** Stops a wait made by {@link whenAborted}; harmless after it fired or stopped. */
export function stopWaiting(wait: AbortWait): void {
  const list = wait.list;
  if (list === undefined) return;
  if (wait.previous) wait.previous.next = wait.next;
  else list.head = wait.next;
  if (wait.next) wait.next.previous = wait.previous;
  else list.tail = wait.previous;
  wait.list = wait.previous = wait.next = undefined;
  if (list.head === undefined) {
    fanOuts.delete(list.signal);
    list.signal.removeEventListener('abort', list.onAbort);
  }
}
