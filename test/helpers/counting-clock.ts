import { manualClock, type Clock } from '../../src/index.js';

/** A manual clock that counts its `now()` readings. */
export function countingClock(): { clock: Clock; reads: () => number; advance: (ms: number) => void } {
  const inner = manualClock();
  let reads = 0;
  const clock: Clock = {
    now: () => {
      reads++;
      return inner.now();
    },
    wallNow: () => inner.wallNow(),
    setTimeout: (callback, ms, unref) => inner.setTimeout(callback, ms, unref),
    clearTimeout: (handle) => inner.clearTimeout(handle),
  };
  return { clock, reads: () => reads, advance: (ms) => inner.advance(ms) };
}
