import type { CallWindow } from './window.js';

/**
 * The current run of failures: a call that does not fail empties it, and `threshold` failures in
 * a row open the circuit. `calls` and `failures` are both the length of the run.
 */
export class ConsecutiveWindow implements CallWindow {
  calls = 0;
  slowCalls = 0;

  constructor(readonly threshold: number) {}

  get failures(): number {
    return this.calls;
  }

  advance(): void {}

  record(failure: boolean, slow: boolean): boolean {
    if (!failure) {
      this.clear();
      return false;
    }
    this.calls++;
    if (slow) this.slowCalls++;
    return this.tripped();
  }

  tripped(): boolean {
    return this.calls >= this.threshold;
  }

  clear(): void {
    this.calls = 0;
    this.slowCalls = 0;
  }
}
