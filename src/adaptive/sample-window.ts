import type { LimitWindow } from './limit.js';

/** A window closes with at least this many samples, however long that takes. */
export const MIN_WINDOW_SAMPLES = 10;
/** ...and no sooner than this many milliseconds after its first sample. */
export const MIN_WINDOW_MS = 100;

/**
 * The samples of the current window: calls that ran and settled, each an RTT or a drop. A window
 * closes once it holds {@link MIN_WINDOW_SAMPLES} samples and spans {@link MIN_WINDOW_MS}: a quiet
 * period never closes a window on two or three samples (whose RTT says little and would bias the
 * baseline), it just lasts longer.
 */
export class SampleWindow {
  #start = NaN;
  #samples = 0;
  #rttSum = 0;
  #rtts = 0;
  #dropped = false;
  #inflight = 0;

  /** Notes the calls in flight, as a call is admitted. */
  seeInflight(inflight: number): void {
    if (inflight > this.#inflight) this.#inflight = inflight;
  }

  /** Adds a settled call: its RTT, or a drop. */
  add(now: number, rtt: number | undefined): void {
    if (this.#samples === 0) this.#start = now;
    this.#samples++;
    if (rtt === undefined) this.#dropped = true;
    else {
      this.#rttSum += rtt;
      this.#rtts++;
    }
  }

  /** Marks the window as dropped without a sample (the event loop was overloaded). */
  markDropped(): void {
    this.#dropped = true;
  }

  /** Whether the window may close at `now`. */
  ready(now: number): boolean {
    return this.#samples >= MIN_WINDOW_SAMPLES && now - this.#start >= MIN_WINDOW_MS;
  }

  /** Closes the window: its summary, and a fresh window that starts with `inflight` calls running. */
  close(inflight: number): LimitWindow {
    const window: LimitWindow = { rtt: this.#rtts === 0 ? NaN : this.#rttSum / this.#rtts, inflight: this.#inflight, dropped: this.#dropped };
    this.#samples = 0;
    this.#rttSum = 0;
    this.#rtts = 0;
    this.#dropped = false;
    this.#inflight = inflight;
    return window;
  }
}
