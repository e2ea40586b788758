import type { Counter } from 'prom-client';

/**
 * One counter series counted as a plain number on the call path and handed to prom-client when
 * the counter is collected (at scrape time), so that a call pays an increment, not a label lookup.
 */
export class Tally {
  /** Counted since the last flush. */
  count = 0;
  /** How many bindings count into this series; it is removed when the last one is released. */
  users = 1;

  constructor(
    readonly series: Counter.Internal,
    readonly labels: Readonly<Record<string, string>>,
    readonly key: string,
  ) {
    series.inc(0);
  }

  /** Adds what was counted to the counter. */
  flush(): void {
    if (this.count === 0) return;
    this.series.inc(this.count);
    this.count = 0;
  }
}

/**
 * The tallies of one counter, flushed together when the counter is collected. Bindings with the
 * same label values share one tally; its series leaves the counter when the last of them is
 * released, so the series of removed policies do not outlive them.
 */
export class TallyFamily<L extends string> {
  readonly #tallies = new Map<string, Tally>();

  constructor(
    readonly counter: Counter<L>,
    /** The counter's own labels, in order: what positional label values stand for. */
    readonly labelNames: readonly string[],
  ) {}

  /** The tally for the series with these labels (a series may leave out `key`). */
  tally(labels: Readonly<Record<string, string>>): Tally {
    const key = JSON.stringify(labels);
    const shared = this.#tallies.get(key);
    if (shared !== undefined) {
      shared.users++;
      return shared;
    }
    const tally = new Tally(this.counter.labels(labels as Partial<Record<L, string>>), labels, key);
    this.#tallies.set(key, tally);
    return tally;
  }

  /** One binding stops counting into `tally`; the last one takes its series out of the counter. */
  release(tally: Tally): void {
    if (--tally.users > 0) return;
    this.#tallies.delete(tally.key);
    this.counter.remove(tally.labels as Partial<Record<L, string>>);
  }

  /** Flushes every tally: the counter's `collect`. */
  flush(): void {
    for (const tally of this.#tallies.values()) tally.flush();
  }
}
