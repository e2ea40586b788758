export { seeded } from '../helpers/seeded-random.js';

/** A source that returns `values` in turn, then fails the test if asked for more. */
export function sequence(...values: number[]): () => number {
  let index = 0;
  return () => {
    const value = values[index++];
    if (value === undefined) throw new Error('random() was called more often than expected');
    return value;
  };
}
