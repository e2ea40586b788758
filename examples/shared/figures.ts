/** Small helpers the guides share to count and print what they measured. */

/** How many of `items` pass `test`. */
export function count<T>(items: readonly T[], test: (item: T) => boolean): number {
  return items.reduce((n, item) => (test(item) ? n + 1 : n), 0);
}

/** Nearest-rank percentile; NaN for no values. */
export function percentile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] ?? NaN;
}

/** One decimal place. */
export function round(value: number): number {
  return Math.round(value * 10) / 10;
}

/** Milliseconds for a table: one decimal below 10, whole above. */
export function ms(value: number): string {
  return value < 10 ? value.toFixed(1) : value.toFixed(0);
}

/** Milliseconds as seconds, for a timeline. */
export function s(msValue: number): string {
  return `${(msValue / 1_000).toFixed(2)} s`;
}
