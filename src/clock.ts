/** An opaque handle to a timer started by a {@link Clock}. */
export type TimerHandle = object | number;

/**
 * The source of time for every time-dependent policy: a monotonic `now()`, a wall clock for
 * snapshots meant for another process, and timers.
 *
 * Use {@link systemClock} in production (the default everywhere) and {@link manualClock} in tests.
 *
 * @example
 * ```ts
 * import { systemClock } from 'firebreak';
 * const started = systemClock.now();
 * const elapsedMs = systemClock.now() - started;
 * ```
 */
export interface Clock {
  /** Monotonic time in milliseconds. Only differences between two readings mean anything. */
  now(): number;
  /** Wall-clock time in milliseconds since the Unix epoch, for snapshots read by another process. */
  wallNow(): number;
  /**
   * Runs `callback` once after `ms` milliseconds.
   * @param unref - when true, the timer does not keep a Node.js process alive (guard timers).
   */
  setTimeout(callback: () => void, ms: number, unref?: boolean): TimerHandle;
  /** Cancels a timer; a handle that already fired or was cleared is ignored. */
  clearTimeout(handle: TimerHandle): void;
}

/** The longest delay a Node.js timer accepts: 2^31 - 1 ms (about 24.8 days). */
export const MAX_TIMER_DELAY = 2_147_483_647;

/**
 * The real clock: `performance.now()` for time, `Date.now()` for the wall, Node.js timers.
 *
 * @example
 * ```ts
 * import { systemClock, timeout } from 'firebreak';
 * const guard = timeout({ duration: 1_000, clock: systemClock });
 * ```
 */
export const systemClock: Clock = {
  now: () => performance.now(),
  wallNow: () => Date.now(),
  setTimeout(callback, ms, unref = false) {
    const handle = setTimeout(callback, Math.min(Math.max(ms, 0), MAX_TIMER_DELAY));
    if (unref) handle.unref();
    return handle;
  },
  clearTimeout(handle) {
    clearTimeout(handle as ReturnType<typeof setTimeout>);
  },
};

/**
 * A clock that only moves when told to: deterministic time for tests and simulations.
 *
 * @example
 * ```ts
 * import { manualClock } from 'firebreak';
 * const clock = manualClock();
 * clock.setTimeout(() => console.log('fired'), 100);
 * clock.advance(100); // prints "fired"
 * ```
 */
export interface ManualClock extends Clock {
  /** Moves time forward by `ms`, firing every timer that falls due, in time order. */
  advance(ms: number): void;
  /**
   * Moves time forward by `ms` one due timer at a time, letting pending promise callbacks run
   * after each timer, so that work a timer starts can schedule further timers in the same span.
   */
  advanceAsync(ms: number): Promise<void>;
  /** How many timers are waiting to fire. */
  readonly pendingTimers: number;
}

interface ManualTimer {
  readonly at: number;
  readonly order: number;
  readonly callback: () => void;
}

/**
 * Creates a {@link ManualClock} that starts at monotonic time `start` and wall time `wallStart`.
 *
 * @param start - the initial value of `now()`. @default 0
 * @param wallStart - the initial value of `wallNow()`. @default 1_700_000_000_000
 * @example
 * ```ts
 * import { manualClock, timeout } from 'firebreak';
 * const clock = manualClock();
 * const guard = timeout({ duration: 50, clock });
 * const call = guard.execute(() => new Promise(() => {}));
 * clock.advance(50); // the call now rejects with a TimeoutError
 * await call.catch(() => {});
 * ```
 */
export function manualClock(start = 0, wallStart = 1_700_000_000_000): ManualClock {
  let now = start;
  let order = 0;
  const timers = new Set<ManualTimer>();

  const nextDue = (until: number): ManualTimer | undefined => {
    let first: ManualTimer | undefined;
    for (const timer of timers) {
      if (timer.at > until) continue;
      if (!first || timer.at < first.at || (timer.at === first.at && timer.order < first.order)) first = timer;
    }
    return first;
  };
  const fire = (timer: ManualTimer): void => {
    timers.delete(timer);
    now = Math.max(now, timer.at);
    timer.callback();
  };

  return {
    now: () => now,
    wallNow: () => wallStart + (now - start),
    setTimeout(callback, ms) {
      const timer: ManualTimer = { at: now + Math.min(Math.max(ms, 0), MAX_TIMER_DELAY), order: order++, callback };
      timers.add(timer);
      return timer;
    },
    clearTimeout(handle) {
      timers.delete(handle as ManualTimer);
    },
    advance(ms) {
      const until = now + ms;
      for (let timer = nextDue(until); timer; timer = nextDue(until)) fire(timer);
      now = until;
    },
    async advanceAsync(ms) {
      const until = now + ms;
      await flushMicrotasks();
      for (let timer = nextDue(until); timer; timer = nextDue(until)) {
        fire(timer);
        await flushMicrotasks();
      }
      now = until;
      await flushMicrotasks();
    },
    get pendingTimers() {
      return timers.size;
    },
  };
}

/** Lets every queued promise callback run: a macrotask turn comes after all microtasks. */
function flushMicrotasks(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
