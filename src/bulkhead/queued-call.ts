import { stopWaiting, whenAborted, type AbortWait } from '../abort-listeners.js';
import type { Clock, TimerHandle } from '../clock.js';
import type { Context } from '../context.js';
import type { Operation } from '../policy.js';
import type { Waiter } from './wait-queue.js';

/**
 * A caller waiting for a bulkhead slot, with its guards: the queue timeout and the abort of its
 * signal, both stopped once it leaves the queue.
 */
export class QueuedCall implements Waiter<QueuedCall> {
  prev: QueuedCall | undefined = undefined;
  next: QueuedCall | undefined = undefined;
  waiting = false;
  #timer: TimerHandle | undefined = undefined;
  /** Its wait on the call's signal, while it can abort. */
  #abortWait: AbortWait | undefined = undefined;

  constructor(
    readonly ctx: Context,
    readonly fn: Operation<unknown>,
    readonly resolve: (value: unknown) => void,
    readonly reject: (error: unknown) => void,
    /** Clock time at which it started waiting. */
    readonly since: number,
    /** The rank of its priority (adaptive bulkheads); 0 otherwise. */
    readonly rank = 0,
  ) {}

  /**
   * Starts the guards: `expire` after `queueTimeout` (an unref'd timer, none for `Infinity`),
   * `leave` with the abort reason when the call's signal aborts (only if it can abort).
   */
  guard(clock: Clock, queueTimeout: number, expire: (call: QueuedCall) => void, leave: (call: QueuedCall, reason: unknown) => void): void {
    if (queueTimeout !== Infinity) {
      this.#timer = clock.setTimeout(() => {
        this.#timer = undefined;
        expire(this);
      }, queueTimeout, true);
    }
    if (this.ctx.scope.canAbort) {
      const signal = this.ctx.signal;
      this.#abortWait = whenAborted(signal, () => leave(this, signal.reason));
    }
  }

  /** Stops the guards. */
  unguard(clock: Clock): void {
    if (this.#timer !== undefined) clock.clearTimeout(this.#timer);
    if (this.#abortWait) stopWaiting(this.#abortWait);
  }
}
