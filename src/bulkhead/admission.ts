/** What a bulkhead does with an arriving call: run it now, queue it, or turn it away. */
export type Admission = 'run' | 'queue' | 'full';

/**
 * Decides what happens to an arriving call, from the slots taken (`active`) and the callers
 * waiting (`queued`). A free slot implies an empty queue (a freed slot goes to the head of the
 * queue first), so a call that runs at once never overtakes a waiting caller.
 */
export function admission(active: number, concurrency: number, queued: number, queue: number): Admission {
  if (active < concurrency) return 'run';
  return queued < queue ? 'queue' : 'full';
}

/**
 * What happens when a holder of a slot ends: a call that settled, or work an inner timeout
 * abandoned that has now settled.
 * - `'keep'`: abandoned work is still running without a slot of its own (`unplaced > 0`): it
 *   keeps this one, so the slot stays taken until that work settles;
 * - `'admit'`: the slot passes to the caller at the head of the queue;
 * - `'free'`: the slot becomes available.
 */
export function release(unplaced: number, queued: number): 'keep' | 'admit' | 'free' {
  if (unplaced > 0) return 'keep';
  return queued > 0 ? 'admit' : 'free';
}
