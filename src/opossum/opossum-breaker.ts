/**
 * The parts of an opossum `CircuitBreaker` (opossum 8 or 9) that `fromOpossum` uses, described
 * structurally so that firebreak needs neither opossum nor its types at run time.
 *
 * @example
 * ```ts
 * import CircuitBreaker from 'opossum';
 * import type { OpossumBreaker } from 'firebreak/opossum';
 * const breaker: OpossumBreaker = new CircuitBreaker(async () => 'ok', { name: 'auth' });
 * ```
 */
export interface OpossumBreaker {
  readonly name: string;
  readonly opened: boolean;
  readonly halfOpen: boolean;
  readonly isShutdown: boolean;
  /** Runs the breaker's action with `context` as `this` and `args` as arguments. */
  call(context: unknown, ...args: never[]): Promise<unknown>;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  removeListener(event: string, listener: (...args: unknown[]) => void): unknown;
}

/** The members of an opossum breaker its types leave out, read and written by the adapter. */
export interface OpossumInternals {
  action: (...args: unknown[]) => unknown;
  readonly options: {
    readonly timeout?: number | false;
    readonly resetTimeout?: number;
    readonly cache?: boolean;
    readonly coalesce?: boolean;
  };
  readonly constructor: { isOurError?(error: unknown): boolean };
}

/** The codes of opossum's own rejections. */
export type OpossumErrorCode = 'EOPENBREAKER' | 'ESHUTDOWN' | 'ETIMEDOUT' | 'ESEMLOCKED';

/** The code of `error` when opossum itself made it (not the action), `undefined` otherwise. */
export function opossumErrorCode(breaker: OpossumInternals, error: unknown): OpossumErrorCode | undefined {
  if (typeof error !== 'object' || error === null || breaker.constructor.isOurError?.(error) !== true) return undefined;
  const code = (error as { code?: unknown }).code;
  return code === 'EOPENBREAKER' || code === 'ESHUTDOWN' || code === 'ETIMEDOUT' || code === 'ESEMLOCKED' ? code : undefined;
}
