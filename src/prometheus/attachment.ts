import type { HistogramSeries, LocalHistogram } from './local-histogram.js';
import type { Tally, TallyFamily } from './tally.js';

/** What one `instrument` call attached: undone, last first, by `detach`. */
export class Attachment {
  #undo: (() => void)[] = [];

  /** Remembers how to undo one step. */
  add(undo: () => void): void {
    this.#undo.push(undo);
  }

  /** A tally of `family` for these label values, flushed and released on detach. */
  tally(family: TallyFamily<string>, ...labelValues: string[]): Tally {
    const tally = family.tally(...labelValues);
    this.add(() => family.release(tally));
    return tally;
  }

  /** The series of `histogram` with these labels, created at zero so that it shows at once. */
  series(histogram: LocalHistogram, labels: Record<string, string>): HistogramSeries {
    return histogram.series(labels);
  }

  /** Undoes every step; a second call does nothing. */
  detach(): void {
    const undo = this.#undo;
    this.#undo = [];
    for (let index = undo.length - 1; index >= 0; index--) undo[index]?.();
  }
}
