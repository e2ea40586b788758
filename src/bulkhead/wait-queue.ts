/** An entry that can sit in a {@link WaitQueue}: the queue links entries through these fields. */
export interface Waiter<W extends Waiter<W>> {
  prev: W | undefined;
  next: W | undefined;
  /** True while the entry is in a queue. */
  waiting: boolean;
}

/**
 * A FIFO of waiters, linked through the waiters themselves (no node allocation): O(1) `push`,
 * `shift` and `remove` of any waiter, so a caller that gives up leaves at once.
 */
export class WaitQueue<W extends Waiter<W>> {
  #head: W | undefined;
  #tail: W | undefined;
  /** How many waiters are in the queue. */
  length = 0;

  /** Adds `waiter` at the back. */
  push(waiter: W): void {
    waiter.prev = this.#tail;
    waiter.next = undefined;
    waiter.waiting = true;
    if (this.#tail) this.#tail.next = waiter;
    else this.#head = waiter;
    this.#tail = waiter;
    this.length++;
  }

  /** Takes the waiter at the front, `undefined` when empty. */
  shift(): W | undefined {
    const head = this.#head;
    if (head) this.remove(head);
    return head;
  }

  /** Takes `waiter` out wherever it is; a waiter not in the queue is ignored. */
  remove(waiter: W): void {
    if (!waiter.waiting) return;
    const { prev, next } = waiter;
    if (prev) prev.next = next;
    else this.#head = next;
    if (next) next.prev = prev;
    else this.#tail = prev;
    waiter.prev = undefined;
    waiter.next = undefined;
    waiter.waiting = false;
    this.length--;
  }
}
