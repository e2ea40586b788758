import { stopWaiting, whenAborted } from '../abort-listeners.js';
import type { Clock, TimerHandle } from '../clock.js';
import type { Context } from '../context.js';

/**
 * Waits `ms` on `clock` with a ref'd timer (the wait is the work being awaited). Rejects at once
 * with the abort reason when the call's scope aborts, clearing the timer and its listener; the
 * signal is only created when something can abort the call.
 */
export function sleepInScope(clock: Clock, ms: number, ctx: Context): Promise<void> {
  const scope = ctx.scope;
  if (scope.aborted) return Promise.reject(scope.reason);
  if (!scope.canAbort) return new Promise<void>((resolve) => clock.setTimeout(resolve, ms));
  const signal = ctx.signal;
  return new Promise<void>((resolve, reject) => {
    const onAbort = (): void => {
      clock.clearTimeout(timer);
      reject(signal.reason);
    };
    const timer: TimerHandle = clock.setTimeout(() => {
      stopWaiting(wait);
      resolve();
    }, ms);
    const wait = whenAborted(signal, onAbort);
  });
}
