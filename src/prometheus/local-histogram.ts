import { Histogram, type HistogramConfiguration } from 'prom-client';

/**
 * One series of a {@link LocalHistogram}, bound once per instrumented policy: an observation is
 * a bucket search and three additions on plain numbers, where prom-client's `observe` hashes and
 * validates the labels on every call.
 */
export class HistogramSeries {
  /** Observations per bucket (not cumulative); the last slot is above the highest bound. */
  readonly counts: number[];
  count = 0;
  sum = 0;
  /** How many bindings observe into this series; it is dropped when the last one is released. */
  users = 1;

  constructor(
    readonly key: string,
    readonly labels: Readonly<Record<string, string>>,
    readonly bounds: readonly number[],
  ) {
    this.counts = new Array<number>(bounds.length + 1).fill(0);
  }

  observe(value: number): void {
    const bounds = this.bounds;
    let bucket = 0;
    while (bucket < bounds.length && value > (bounds[bucket] as number)) bucket++;
    (this.counts[bucket] as number)++;
    this.count++;
    this.sum += value;
  }

  reset(): void {
    this.counts.fill(0);
    this.count = 0;
    this.sum = 0;
  }
}

/** A sample as prom-client reports it; buckets carry an `exemplar` slot (always empty here). */
type Sample = { labels: Record<string, string | number>; value: number; metricName: string; exemplar?: null };

/**
 * A prom-client `Histogram` whose series are counted in {@link HistogramSeries} and turned into
 * samples when the registry reads it: the same exposition (`_bucket` with `le`, `_sum`,
 * `_count`) at a fraction of the cost per observation.
 */
export class LocalHistogram extends Histogram {
  readonly #series = new Map<string, HistogramSeries>();
  readonly #bounds: readonly number[];
  readonly #name: string;
  readonly #help: string;

  constructor(configuration: HistogramConfiguration<string> & { readonly buckets: number[] }) {
    super(configuration);
    this.#bounds = [...configuration.buckets].sort((a, b) => a - b);
    this.#name = configuration.name;
    this.#help = configuration.help;
  }

  /** The series with these labels, created (at zero) on first use and shared after. */
  series(labels: Readonly<Record<string, string>>): HistogramSeries {
    const key = JSON.stringify(labels);
    const shared = this.#series.get(key);
    if (shared !== undefined) {
      shared.users++;
      return shared;
    }
    const series = new HistogramSeries(key, labels, this.#bounds);
    this.#series.set(key, series);
    return series;
  }

  /** One binding stops observing into `series`; the last one drops it from the exposition. */
  release(series: HistogramSeries): void {
    if (--series.users === 0) this.#series.delete(series.key);
  }

  /** The samples, as `registry.getMetricsAsJSON()` gives them. */
  override get(): ReturnType<Histogram['get']> {
    const metric = { name: this.#name, help: this.#help, type: 'histogram', aggregator: 'sum', values: this.#samples() };
    return Promise.resolve(metric as unknown as Awaited<ReturnType<Histogram['get']>>);
  }

  /** What prom-client's registry reads to write the text exposition: the same samples. */
  getForPromString(): ReturnType<Histogram['get']> {
    return this.get();
  }

  /** Zeroes every series (`registry.resetMetrics()`). */
  override reset(): void {
    super.reset();
    // prom-client's constructor calls reset() before the fields of this class exist.
    if (!(#series in this)) return;
    for (const series of this.#series.values()) series.reset();
  }

  #samples(): Sample[] {
    const samples: Sample[] = [];
    const bucket = `${this.#name}_bucket`;
    for (const series of this.#series.values()) {
      let cumulative = 0;
      this.#bounds.forEach((bound, index) => {
        cumulative += series.counts[index] as number;
        samples.push({ labels: { le: bound, ...series.labels }, value: cumulative, metricName: bucket, exemplar: null });
      });
      samples.push({ labels: { le: '+Inf', ...series.labels }, value: series.count, metricName: bucket, exemplar: null });
      samples.push({ labels: { ...series.labels }, value: series.sum, metricName: `${this.#name}_sum` });
      samples.push({ labels: { ...series.labels }, value: series.count, metricName: `${this.#name}_count` });
    }
    return samples;
  }
}
