import type { HistogramSeries, LocalHistogram } from './local-histogram.js';
import type { Tally, TallyFamily } from './tally.js';

/** What one `instrument` call attached: undone, last first, by `detach`. */
export class Attachment {
  #undo: (() => void)[] = [];

  /** Remembers how to undo one step. */
  add(undo: () => void): void {
    this.#undo.push(undo);
  }

  /** A tally of `family` for these label values, released on detach (the last user removes its series). */
  tally(family: TallyFamily<string>, ...labelValues: string[]): Tally {
    const tally = family.tally(...labelValues);
    this.add(() => family.release(tally));
    return tally;
  }

  /** A series of `histogram` with these labels, released on detach. */
  series(histogram: LocalHistogram, labels: Readonly<Record<string, string>>): HistogramSeries {
    const series = histogram.series(labels);
    this.add(() => histogram.release(series));
    return series;
  }

  /** Undoes every step; a second call does nothing. */
  detach(): void {
    const undo = this.#undo;
    this.#undo = [];
    for (let index = undo.length - 1; index >= 0; index--) undo[index]?.();
  }
}
