/**
 * The simulated dependency: `capacity` workers, each serving one request at a time for a
 * log-normal service time (mean `serviceMs`), and an unbounded FIFO in front of them. Its
 * latency is the service time plus the time waiting for a worker: it grows with queueing.
 */
import type { SimClock } from './sim-clock.js';

export interface DependencyOptions {
  readonly clock: SimClock;
  readonly capacity: number;
  readonly serviceMs: number;
  /** The spread of the service time (σ of its logarithm). */
  readonly sigma: number;
  readonly random: () => number;
}

export class Dependency {
  #busy = 0;
  readonly #waiting: (() => void)[] = [];
  #head = 0;

  constructor(readonly options: DependencyOptions) {}

  /** One request: resolves when a worker has served it. */
  request(): Promise<void> {
    return new Promise((resolve) => {
      if (this.#busy < this.options.capacity) this.#serve(resolve);
      else this.#waiting.push(resolve);
    });
  }

  #serve(done: () => void): void {
    this.#busy++;
    this.options.clock.setTimeout(() => {
      this.#busy--;
      done();
      if (this.#head < this.#waiting.length) {
        const next = this.#waiting[this.#head] as () => void;
        this.#waiting[this.#head++] = noop;
        if (this.#head > 4096 && this.#head * 2 > this.#waiting.length) {
          this.#waiting.splice(0, this.#head);
          this.#head = 0;
        }
        this.#serve(next);
      }
    }, this.#serviceTime());
  }

  /** A log-normal service time with mean `serviceMs` (Box-Muller). */
  #serviceTime(): number {
    const { serviceMs, sigma, random } = this.options;
    const z = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    return serviceMs * Math.exp(sigma * z - (sigma * sigma) / 2);
  }
}

const noop = (): void => {};
