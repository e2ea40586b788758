import { stopWaiting, whenAborted } from '../abort-listeners.js';
import type { Clock, TimerHandle } from '../clock.js';

/**
 * Waits `ms` on `clock` (a ref'd timer: the wait is the work being awaited), never less: a timer
 * that fires early by the clock's own reading is re-armed for the rest. Rejects at once with the
 * signal's reason when `signal` aborts, clearing the timer and its listener.
 */
export function sleep(clock: Clock, ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  if (ms <= 0) return Promise.resolve();
  const until = clock.now() + ms;
  return new Promise<void>((resolve, reject) => {
    const onAbort = (): void => {
      clock.clearTimeout(timer);
      reject(signal?.reason);
    };
    const wake = (): void => {
      const left = until - clock.now();
      if (left > 0) {
        timer = clock.setTimeout(wake, Math.ceil(left));
        return;
      }
      if (wait) stopWaiting(wait);
      resolve();
    };
    let timer: TimerHandle = clock.setTimeout(wake, ms);
    const wait = signal && whenAborted(signal, onAbort);
  });
}
