import type { Registry } from 'prom-client';

/** One sample of a metric as prom-client reports it. */
export interface Sample {
  readonly labels: Record<string, string | number>;
  readonly value: number;
  readonly metricName?: string;
}

/** The metrics of a registry, read once: their types and samples by name. */
export class Scrape {
  private constructor(readonly metrics: Map<string, { type: string; help: string; values: Sample[] }>) {}

  static async of(registry: Registry): Promise<Scrape> {
    const json = await registry.getMetricsAsJSON();
    return new Scrape(new Map(json.map((metric) => [metric.name, { type: String(metric.type), help: metric.help, values: metric.values as Sample[] }])));
  }

  type(name: string): string | undefined {
    return this.metrics.get(name)?.type;
  }

  /** Every sample of `name` (for a histogram, of the series `sampleName` such as `_count`). */
  samples(name: string, sampleName = name): Sample[] {
    const metric = this.metrics.get(name);
    if (!metric) throw new Error(`no metric ${name}`);
    return metric.values.filter((sample) => (sample.metricName ?? name) === sampleName);
  }

  /** The value of the one sample of `name` with exactly these labels (besides `le`). */
  value(name: string, labels: Record<string, string>, sampleName = name): number | undefined {
    const matching = this.samples(name, sampleName).filter((sample) => sameLabels(sample.labels, labels));
    if (matching.length > 1) throw new Error(`${matching.length} samples of ${sampleName} match ${JSON.stringify(labels)}`);
    return matching[0]?.value;
  }

  /** The label sets of `name`'s samples, as sorted `key=value` strings. */
  labelSets(name: string, sampleName = name): string[] {
    return this.samples(name, sampleName)
      .map((sample) => Object.entries(sample.labels).map(([key, value]) => `${key}=${value}`).sort().join(','))
      .sort();
  }
}

function sameLabels(actual: Record<string, string | number>, expected: Record<string, string>): boolean {
  const keys = Object.keys(actual).filter((key) => key !== 'le');
  return keys.length === Object.keys(expected).length && keys.every((key) => String(actual[key]) === expected[key]);
}
