import { ratesTrip, type CallWindow, type RateRules } from './window.js';

const FAILURE = 1;
const SLOW = 2;

/**
 * The last `size` calls, in a ring of one byte per call with running totals: recording costs
 * O(1) however full the window is.
 */
export class CountWindow implements CallWindow {
  calls = 0;
  failures = 0;
  slowCalls = 0;
  readonly #ring: Uint8Array;
  #next = 0;

  constructor(
    readonly size: number,
    readonly rules: RateRules,
  ) {
    this.#ring = new Uint8Array(size);
  }

  advance(): void {}

  record(failure: boolean, slow: boolean): boolean {
    const ring = this.#ring;
    const index = this.#next;
    if (this.calls === this.size) {
      const old = ring[index] ?? 0;
      if (old & FAILURE) this.failures--;
      if (old & SLOW) this.slowCalls--;
    } else {
      this.calls++;
    }
    ring[index] = (failure ? FAILURE : 0) | (slow ? SLOW : 0);
    if (failure) this.failures++;
    if (slow) this.slowCalls++;
    this.#next = index + 1 === this.size ? 0 : index + 1;
    return this.tripped();
  }

  tripped(): boolean {
    return ratesTrip(this, this.rules);
  }

  clear(): void {
    this.calls = 0;
    this.failures = 0;
    this.slowCalls = 0;
    this.#next = 0;
  }
}
