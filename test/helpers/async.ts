/** Test helpers for promises: a promise settled from outside, and a flush of pending callbacks. */

export interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

export function deferred<T = string>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets every pending promise callback run: a macrotask turn comes after all microtasks. */
export const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
