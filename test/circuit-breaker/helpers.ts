/** Shared test helpers of the circuit-breaker suites. */

export { deferred, flush, type Deferred } from '../helpers/async.js';

/** The rejection reason of `promise`, or a failure if it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

/** Settles the promise's rejection as handled and reports whether it has settled. */
export function track<T>(promise: Promise<T>): { settled: boolean } {
  const state = { settled: false };
  promise.then(
    () => (state.settled = true),
    () => (state.settled = true),
  );
  return state;
}

export const fail = (): Promise<never> => Promise.reject(new Error('down'));
export const succeed = (): string => 'ok';
