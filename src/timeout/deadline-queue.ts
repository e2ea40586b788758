import type { Clock } from '../clock.js';
import { guardTimerOf, type GuardTimer, type Wakeable } from './guard-timer.js';

/**
 * A call waiting for its deadline: linked into a {@link DeadlineQueue} until it settles. An
 * interface, so that the object of a timed call can be another class too (its abort scope).
 */
export interface Deadline {
  prev: Deadline | undefined;
  next: Deadline | undefined;
  queued: boolean;
  /** Clock time at which the call times out. */
  readonly at: number;
  /** Called once, when the deadline passes before the call settled. */
  expire(): void;
}

/**
 * The pending deadlines of one timeout policy, in deadline order, watched by the clock's shared
 * {@link GuardTimer} instead of one timer per call (or per policy).
 *
 * Calls through one policy mostly share a duration, so deadlines arrive in order and adding or
 * removing one is O(1); a deadline cut short by an outer one walks back from the tail. The queue
 * asks the guard timer to wake it at its earliest deadline; when woken it expires what is due and
 * asks again for the next. Calls that settle do not cancel the request: it lapses at the next
 * wake-up once the queue is empty, so an idle policy is forgotten by the timer after one
 * `duration`.
 */
export class DeadlineQueue implements Wakeable {
  #head: Deadline | undefined;
  #tail: Deadline | undefined;
  readonly #guard: GuardTimer;
  wakeAt = Infinity;

  constructor(clock: Clock) {
    this.#guard = guardTimerOf(clock);
  }

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
    if (deadline.at < this.wakeAt) {
      this.wakeAt = deadline.at;
      this.#guard.request(this, deadline.at);
    }
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

  /** Called by the guard timer at `wakeAt`: expires what is due, then asks for the next deadline. */
  wake(now: number): void {
    this.wakeAt = Infinity;
    for (let due = this.#head; due && due.at <= now; due = this.#head) {
      this.remove(due);
      due.expire();
    }
    const head = this.#head;
    if (head && head.at < this.wakeAt) {
      this.wakeAt = head.at;
      this.#guard.request(this, head.at);
    }
  }
}
