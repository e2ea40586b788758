import type { Clock, TimerHandle } from '../clock.js';
import { entryNow } from '../entry-clock.js';

/** A call waiting for its deadline: linked into a {@link DeadlineQueue} until it settles. */
export abstract class Deadline {
  prev: Deadline | undefined = undefined;
  next: Deadline | undefined = undefined;
  queued = false;

  constructor(
    /** Clock time at which the call times out. */
    readonly at: number,
  ) {}

  /** Called once, when the deadline passes before the call settled. */
  abstract expire(): void;
}

/**
 * The pending deadlines of one timeout policy, in deadline order, watched by a single guard
 * timer instead of one timer per call.
 *
 * Calls through one policy mostly share a duration, so deadlines arrive in order and adding or
 * removing one is O(1); a deadline cut short by an outer one walks back from the tail. The timer
 * is armed for the earliest deadline; when it fires it expires what is due and re-arms for the
 * next. Calls that settle do not clear it: it lapses at the next firing once the queue is empty,
 * so an idle policy holds no timer after one `duration`, and the timer is unref'd meanwhile.
 */
export class DeadlineQueue {
  #head: Deadline | undefined;
  #tail: Deadline | undefined;
  #timer: TimerHandle | undefined;
  #timerAt = Infinity;

  constructor(readonly clock: Clock) {}

  add(deadline: Deadline): void {
    deadline.queued = true;
    let after = this.#tail;
    while (after && after.at > deadline.at) after = after.prev;
    if (after) {
      deadline.prev = after;
      deadline.next = after.next;
      if (after.next) after.next.prev = deadline;
      else this.#tail = deadline;
      after.next = deadline;
    } else {
      deadline.next = this.#head;
      if (this.#head) this.#head.prev = deadline;
      else this.#tail = deadline;
      this.#head = deadline;
    }
    if (deadline.at < this.#timerAt) this.#arm(deadline.at);
  }

  remove(deadline: Deadline): void {
    if (!deadline.queued) return;
    deadline.queued = false;
    if (deadline.prev) deadline.prev.next = deadline.next;
    else this.#head = deadline.next;
    if (deadline.next) deadline.next.prev = deadline.prev;
    else this.#tail = deadline.prev;
    deadline.prev = deadline.next = undefined;
  }

  #arm(at: number): void {
    if (this.#timer !== undefined) this.clock.clearTimeout(this.#timer);
    this.#timerAt = at;
    this.#timer = this.clock.setTimeout(this.#fire, at - entryNow(this.clock), true);
  }

  readonly #fire = (): void => {
    this.#timer = undefined;
    this.#timerAt = Infinity;
    const now = this.clock.now();
    for (let due = this.#head; due && due.at <= now; due = this.#head) {
      this.remove(due);
      due.expire();
    }
    if (this.#head) this.#arm(this.#head.at);
  };
}
