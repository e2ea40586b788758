import type { HistogramSeries, LocalHistogram } from './local-histogram.js';
import type { Tally, TallyFamily } from './tally.js';

/**
 * What one `instrument` call attached: undone, last first, by `detach`. The attachment of one
 * key of a keyed policy adds `key` to the labels of every series it makes.
 */
export class Attachment {
  #undo: (() => void)[] = [];

  constructor(
    /** Labels added to every series: `{ key }` for a key of a keyed policy. */
    readonly extra: Readonly<Record<string, string>> = {},
  ) {}

  /** The labels of a series of the policy named `name`: its name and the extra labels. */
  labels(name: string): Readonly<Record<string, string>> {
    return { name, ...this.extra };
  }

  /** Remembers how to undo one step. */
  add(undo: () => void): void {
    this.#undo.push(undo);
  }

  /** A tally of `family` for these label values, released on detach (the last user removes its series). */
  tally(family: TallyFamily<string>, ...labelValues: string[]): Tally {
    const labels: Record<string, string> = {};
    family.labelNames.forEach((label, index) => {
      const value = labelValues[index];
      if (value !== undefined) labels[label] = value;
    });
    const tally = family.tally({ ...labels, ...this.extra });
    this.add(() => family.release(tally));
    return tally;
  }

  /** A series of `histogram` with these labels, released on detach. */
  series(histogram: LocalHistogram, labels: Readonly<Record<string, string>>): HistogramSeries {
    const series = histogram.series({ ...labels, ...this.extra });
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
