import type { Context } from './context.js';
import type { ShouldHandle } from './policy.js';

/** The default judgement: every error is a failure, no result is. */
export const handleAllErrors: ShouldHandle = (outcome) => !outcome.ok;

/**
 * Judges an error with `shouldHandle`, after setting aside the caller's abort, which no
 * `shouldHandle` can make a failure.
 */
export function isHandledError(ctx: Context, error: unknown, shouldHandle: ShouldHandle): boolean {
  if (ctx.isCallerAbort(error)) return false;
  return shouldHandle === handleAllErrors || shouldHandle({ ok: false, error });
}
