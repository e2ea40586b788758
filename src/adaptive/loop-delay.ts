import type { Clock, TimerHandle } from '../clock.js';

/**
 * Measures how late a repeating timer fires: the delay of the event loop, the signal
 * `@fastify/under-pressure` watches. It runs only while `busy()` says there is work (an idle
 * bulkhead keeps no timer), and its timer is unref'd.
 */
export class LoopDelayProbe {
  #timer: TimerHandle | undefined;
  #expected = 0;
  /** The last measured delay (ms); 0 while the probe is stopped. */
  delay = 0;

  constructor(
    readonly clock: Clock,
    /** Delay (ms) beyond which the loop counts as overloaded. */
    readonly threshold: number,
    readonly busy: () => boolean,
  ) {}

  /** Whether the last measured delay is past the threshold. */
  get overloaded(): boolean {
    return this.delay > this.threshold;
  }

  /** Starts measuring, if not already. */
  start(): void {
    if (this.#timer === undefined) this.#schedule();
  }

  #schedule(): void {
    const interval = Math.max(10, this.threshold / 4);
    this.#expected = this.clock.now() + interval;
    this.#timer = this.clock.setTimeout(this.#tick, interval, true);
  }

  readonly #tick = (): void => {
    this.#timer = undefined;
    this.delay = Math.max(0, this.clock.now() - this.#expected);
    if (this.busy()) this.#schedule();
    else this.delay = 0;
  };
}
