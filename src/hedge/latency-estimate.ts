/**
 * An online estimate of a percentile of recent latencies: the last `size` samples in a ring,
 * the percentile recomputed (one sort of a typed array) after every `size / 20` new samples, so a
 * sample costs O(1) and a reading O(1) amortised, in `16 × size` bytes.
 */
export class LatencyEstimate {
  readonly #ring: Float64Array;
  readonly #scratch: Float64Array;
  readonly #recomputeEvery: number;
  /** Samples held: at most the ring's size. */
  #count = 0;
  #next = 0;
  #sinceCompute = 0;
  #value = Infinity;

  constructor(
    /** The percentile, in (0, 1): 0.95 for the 95th. */
    readonly percentile: number,
    /** How many recent samples are kept. */
    readonly size: number,
    /** Samples needed before the estimate is finite. */
    readonly minSamples: number,
  ) {
    this.#ring = new Float64Array(size);
    this.#scratch = new Float64Array(size);
    this.#recomputeEvery = Math.max(1, Math.floor(size / 20));
  }

  /** Adds one latency, in ms. */
  record(ms: number): void {
    this.#ring[this.#next] = ms;
    this.#next = (this.#next + 1) % this.size;
    if (this.#count < this.size) this.#count++;
    if (++this.#sinceCompute >= this.#recomputeEvery || (this.#count >= this.minSamples && this.#value === Infinity)) this.#compute();
  }

  /** The percentile of the samples held; `Infinity` until `minSamples` were recorded. */
  get value(): number {
    return this.#value;
  }

  /** How many samples are held. */
  get count(): number {
    return this.#count;
  }

  #compute(): void {
    this.#sinceCompute = 0;
    const n = this.#count;
    if (n < this.minSamples) return;
    const sorted = this.#scratch.subarray(0, n);
    sorted.set(this.#ring.subarray(0, n));
    sorted.sort();
    this.#value = sorted[Math.min(n - 1, Math.max(0, Math.ceil(this.percentile * n) - 1))]!;
  }
}
