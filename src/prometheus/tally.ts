import type { Counter } from 'prom-client';

/**
 * One counter series counted as a plain number on the call path and handed to prom-client when
 * the counter is collected (at scrape time), so that a call pays an increment, not a label lookup.
 */
export class Tally {
  /** Counted since the last flush. */
  count = 0;

  constructor(readonly series: Counter.Internal) {
    series.inc(0);
  }

  /** Adds what was counted to the counter. */
  flush(): void {
    if (this.count === 0) return;
    this.series.inc(this.count);
    this.count = 0;
  }
}

/** The tallies of one counter, flushed together when the counter is collected. */
export class TallyFamily<L extends string> {
  readonly #tallies = new Set<Tally>();

  constructor(readonly counter: Counter<L>) {}

  /** A tally for the series with these label values, in the counter's label order. */
  tally(...labelValues: string[]): Tally {
    const tally = new Tally(this.counter.labels(...labelValues));
    this.#tallies.add(tally);
    return tally;
  }

  /** Flushes `tally` a last time and stops collecting it. */
  release(tally: Tally): void {
    tally.flush();
    this.#tallies.delete(tally);
  }

  /** Flushes every tally: the counter's `collect`. */
  flush(): void {
    for (const tally of this.#tallies) tally.flush();
  }
}
