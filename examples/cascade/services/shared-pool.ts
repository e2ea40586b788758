/**
 * One pool of `size` connections shared by every upstream call of a process, handed out in
 * arrival order whatever the upstream: the shape of a pooling HTTP client with a global maximum
 * (Apache HttpClient's `maxTotal`, a Go `Transport`'s `MaxConnsPerHost` behind one egress proxy,
 * a JDBC-style pool). A caller that waits gives its place back only if its signal aborts.
 */
export class SharedPool {
  #inUse = 0;
  readonly #waiting: { grant: () => void; signal: AbortSignal | undefined }[] = [];

  constructor(readonly size: number) {}

  /** Connections in use. */
  get inUse(): number {
    return this.#inUse;
  }

  /** Callers waiting for a connection. */
  get waiting(): number {
    return this.#waiting.length;
  }

  /** Runs `use` with a connection of the pool, waiting (FIFO) for one if all are in use. */
  async run<T>(use: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    await this.#acquire(signal);
    try {
      return await use();
    } finally {
      this.#release();
    }
  }

  #acquire(signal: AbortSignal | undefined): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.#inUse < this.size) {
      this.#inUse++;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const waiter = {
        signal,
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = (): void => {
        this.#waiting.splice(this.#waiting.indexOf(waiter), 1);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiting.push(waiter);
    });
  }

  #release(): void {
    const next = this.#waiting.shift();
    if (next) next.grant();
    else this.#inUse--;
  }
}
