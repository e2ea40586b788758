import { FirebreakError, type FirebreakErrorOptions, nameErrorClass } from './firebreak-error.js';

/**
 * The rejection of a call that ran past its timeout. Distinct from a caller's abort, which
 * rejects with the caller's own `signal.reason`.
 *
 * @example
 * ```ts
 * import { TimeoutError, timeout } from 'firebreak';
 * const guard = timeout(50);
 * await guard.execute(() => new Promise(() => {})).catch((error) => {
 *   if (error instanceof TimeoutError) console.log(error.code, error.duration); // ERR_TIMEOUT 50
 * });
 * ```
 */
export class TimeoutError extends FirebreakError {
  static override readonly code = 'ERR_TIMEOUT';
  declare readonly code: 'ERR_TIMEOUT';

  constructor(
    /** The name of the timeout policy. */
    readonly policy: string,
    /** The time, in milliseconds, the call was given. */
    readonly duration: number,
    options: FirebreakErrorOptions = {},
  ) {
    super('ERR_TIMEOUT', `${policy}: timed out after ${duration} ms`, options);
  }
}

nameErrorClass(TimeoutError, 'TimeoutError');
