import type { Clock, TimerHandle } from '../clock.js';
import { entryNow } from '../entry-clock.js';

/** What a {@link GuardTimer} wakes: a deadline queue whose first deadline is due. */
export interface Wakeable {
  /** The time this queue asked to be woken at; a wake-up at another time is stale and skipped. */
  readonly wakeAt: number;
  /** Called once `wakeAt` has passed, with the time now. */
  wake(now: number): void;
}

/**
 * One unref'd timer per clock, shared by every deadline queue on it (every `timeout()` policy):
 * a process with 10,000 timeout policies holds one timer, not one per policy.
 *
 * The queues that asked to be woken sit in a binary heap by wake time. A queue asks again when
 * its first deadline moves earlier; the earlier request wins and the later one is skipped when
 * its time comes. The timer is armed for the earliest request, so it lapses by itself once every
 * queue is empty.
 */
export class GuardTimer {
  /** The heap, as two parallel arrays (no object per entry): wake times and their queues. */
  readonly #times: number[] = [];
  readonly #queues: Wakeable[] = [];
  #timer: TimerHandle | undefined;
  #timerAt = Infinity;

  constructor(readonly clock: Clock) {}

  /** Wakes `queue` at clock time `at` (or soon after). */
  request(queue: Wakeable, at: number): void {
    this.#push(at, queue);
    if (at < this.#timerAt) this.#arm(at);
  }

  /** How many requests are pending (stale ones included). */
  get pending(): number {
    return this.#times.length;
  }

  #arm(at: number): void {
    if (this.#timer !== undefined) this.clock.clearTimeout(this.#timer);
    this.#timerAt = at;
    this.#timer = this.clock.setTimeout(this.#fire, at - entryNow(this.clock), true);
  }

  readonly #fire = (): void => {
    this.#timer = undefined;
    // No arming while the due queues are woken (their new requests join the heap): once, after.
    this.#timerAt = -Infinity;
    const now = this.clock.now();
    while (this.#times.length > 0 && (this.#times[0] as number) <= now) {
      const at = this.#times[0] as number;
      const queue = this.#pop();
      if (queue.wakeAt === at) queue.wake(now);
    }
    this.#timerAt = Infinity;
    if (this.#times.length > 0) this.#arm(this.#times[0] as number);
  };

  #push(at: number, queue: Wakeable): void {
    const times = this.#times;
    const queues = this.#queues;
    let index = times.length;
    times.push(at);
    queues.push(queue);
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if ((times[parent] as number) <= at) break;
      times[index] = times[parent] as number;
      queues[index] = queues[parent] as Wakeable;
      index = parent;
    }
    times[index] = at;
    queues[index] = queue;
  }

  #pop(): Wakeable {
    const times = this.#times;
    const queues = this.#queues;
    const top = queues[0] as Wakeable;
    const lastAt = times.pop() as number;
    const lastQueue = queues.pop() as Wakeable;
    const size = times.length;
    if (size === 0) return top;
    let index = 0;
    for (;;) {
      let child = 2 * index + 1;
      if (child >= size) break;
      if (child + 1 < size && (times[child + 1] as number) < (times[child] as number)) child++;
      if ((times[child] as number) >= lastAt) break;
      times[index] = times[child] as number;
      queues[index] = queues[child] as Wakeable;
      index = child;
    }
    times[index] = lastAt;
    queues[index] = lastQueue;
    return top;
  }
}

const guards = new WeakMap<Clock, GuardTimer>();

/** The guard timer of `clock`, made on first use. */
export function guardTimerOf(clock: Clock): GuardTimer {
  let guard = guards.get(clock);
  if (guard === undefined) {
    guard = new GuardTimer(clock);
    guards.set(clock, guard);
  }
  return guard;
}
