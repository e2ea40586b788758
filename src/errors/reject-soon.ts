const SETTLED = Promise.resolve();

/**
 * A promise rejected with `error` one reaction later, once the caller has attached its own (an
 * await does so at once). A promise rejected before any handler is attached costs Node's
 * unhandled-rejection bookkeeping, and rejecting by a throw in a reaction costs the throw: this
 * costs less than half of either. A caller that never handles it still gets the unhandled
 * rejection.
 */
export function rejectSoon(error: unknown): Promise<never> {
  let reject!: (reason: unknown) => void;
  const rejection = new Promise<never>((_, rejectWith) => {
    reject = rejectWith;
  });
  void SETTLED.then(() => reject(error));
  return rejection;
}
