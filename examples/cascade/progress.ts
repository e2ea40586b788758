import type { RunWatch } from './run.js';

/**
 * The progress line on stderr: rewritten in place on a terminal, one line per phase otherwise
 * (a CI log or a test).
 */
export class Progress {
  #lastPhase = '';
  #lastCount = 0;
  #lastSamples = 0;
  readonly #tty = process.stderr.isTTY;

  update(state: RunWatch): void {
    const key = `${state.mode}/${state.phase}`;
    if (!this.#tty) {
      if (key !== this.#lastPhase) process.stderr.write(`  [${state.mode}] ${state.phase} from ${state.elapsedS.toFixed(1)} s\n`);
      this.#lastPhase = key;
      return;
    }
    const samples = state.load.samples;
    const recent = samples.slice(this.#lastSamples);
    this.#lastSamples = samples.length;
    const ok = recent.length === 0 ? '' : ` · answered lately ${((100 * recent.filter((sample) => sample.ok).length) / recent.length).toFixed(0)} % ok`;
    const pool = state.pool === undefined ? '' : ` · gateway pool ${state.pool.inUse}/${state.pool.size} in use, ${state.pool.waiting} waiting`;
    const line = `  [${state.mode}] ${state.phase.padEnd(9)} ${state.elapsedS.toFixed(1).padStart(5)}/${state.totalS} s · sent ${state.load.sent()}${ok}${pool}`;
    process.stderr.write(`\r${line.padEnd(this.#lastCount)}`);
    this.#lastCount = line.length;
    this.#lastPhase = key;
  }

  /** Ends the line before other output. */
  done(): void {
    if (this.#tty && this.#lastCount > 0) process.stderr.write('\n');
    this.#lastCount = 0;
    this.#lastSamples = 0;
  }
}
