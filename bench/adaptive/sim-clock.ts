/**
 * A simulated clock for the adaptive-concurrency simulation: timers in a binary heap (the
 * manual clock of the library scans every timer, too slow for millions of events), run one due
 * time at a time, with every promise callback they cause run before time moves on.
 */
import type { Clock, TimerHandle } from '../../src/index.js';

interface Timer {
  readonly at: number;
  readonly order: number;
  readonly callback: () => void;
  cancelled: boolean;
}

const before = (a: Timer, b: Timer): boolean => a.at < b.at || (a.at === b.at && a.order < b.order);

/** Lets every pending promise callback run. */
const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class SimClock implements Clock {
  #now = 0;
  #order = 0;
  readonly #heap: Timer[] = [];

  now(): number {
    return this.#now;
  }

  wallNow(): number {
    return 1_700_000_000_000 + this.#now;
  }

  setTimeout(callback: () => void, ms: number): TimerHandle {
    const timer: Timer = { at: this.#now + Math.max(0, ms), order: this.#order++, callback, cancelled: false };
    this.#push(timer);
    return timer;
  }

  clearTimeout(handle: TimerHandle): void {
    (handle as Timer).cancelled = true;
  }

  /** Runs every timer due until `until`, in time order, then sets the time to `until`. */
  async runUntil(until: number): Promise<void> {
    for (;;) {
      const next = this.#heap[0];
      if (next === undefined || next.at > until) break;
      this.#now = next.at;
      while (this.#heap[0] !== undefined && this.#heap[0].at === this.#now) {
        const timer = this.#pop();
        if (!timer.cancelled) timer.callback();
      }
      await flush();
    }
    this.#now = until;
  }

  #push(timer: Timer): void {
    const heap = this.#heap;
    heap.push(timer);
    let index = heap.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!before(timer, heap[parent] as Timer)) break;
      heap[index] = heap[parent] as Timer;
      index = parent;
    }
    heap[index] = timer;
  }

  #pop(): Timer {
    const heap = this.#heap;
    const top = heap[0] as Timer;
    const last = heap.pop() as Timer;
    if (heap.length > 0) {
      let index = 0;
      for (;;) {
        const left = 2 * index + 1;
        if (left >= heap.length) break;
        const right = left + 1;
        const child = right < heap.length && before(heap[right] as Timer, heap[left] as Timer) ? right : left;
        if (!before(heap[child] as Timer, last)) break;
        heap[index] = heap[child] as Timer;
        index = child;
      }
      heap[index] = last;
    }
    return top;
  }
}
