import { FirebreakError, nameErrorClass, withoutConstructor } from './firebreak-error.js';

/**
 * The abort reason of a hedged attempt that lost: another attempt of the same call settled first,
 * so this one's `ctx.signal` aborts with this error. Callers never see it (the call settles with
 * the winner's outcome); the stages inside the hedge do. It is a fast-fail: never retried by
 * default and never recorded as a failure by a breaker, since it says nothing about the dependency.
 *
 * @example
 * ```ts
 * import { HedgeLostError, hedge } from 'firebreak';
 * const fast = hedge({ delay: 50 });
 * await fast.execute((ctx) => {
 *   ctx.signal.addEventListener('abort', () => console.log(ctx.signal.reason instanceof HedgeLostError));
 *   return fetch('http://127.0.0.1:8080/search', { signal: ctx.signal });
 * });
 * ```
 */
export class HedgeLostError extends FirebreakError {
  static override readonly code = 'ERR_HEDGE_LOST';
  declare readonly code: 'ERR_HEDGE_LOST';

  constructor(
    /** The name of the hedge policy. */
    readonly policy: string,
    /** The number of the attempt that won. */
    readonly winner: number,
  ) {
    super('ERR_HEDGE_LOST', undefined, { captureStack: false });
  }
}

nameErrorClass(HedgeLostError, 'HedgeLostError');
Object.defineProperty(HedgeLostError.prototype, 'message', {
  get(this: HedgeLostError): string {
    return `${this.policy}: attempt ${this.winner} settled first, this attempt is no longer needed`;
  },
  configurable: true,
});

/** A {@link HedgeLostError} made the cheap way: one per call whose attempts lost. */
export function hedgeLostError(policy: string, winner: number): HedgeLostError {
  const error = withoutConstructor(HedgeLostError);
  error.code = 'ERR_HEDGE_LOST';
  error.policy = policy;
  error.winner = winner;
  return error;
}
