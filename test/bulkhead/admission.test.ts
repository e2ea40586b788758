import { describe, expect, it } from 'vitest';
import { admission, release } from '../../src/bulkhead/admission.js';

describe('bulkhead decisions, as data', () => {
  it.each([
    // active, concurrency, queued, queue, decision
    [0, 1, 0, 0, 'run'],
    [3, 4, 0, 0, 'run'],
    [4, 4, 0, 0, 'full'],
    [4, 4, 0, 2, 'queue'],
    [4, 4, 1, 2, 'queue'],
    [4, 4, 2, 2, 'full'],
  ] as const)('admission(active %i, concurrency %i, queued %i, queue %i) is %s', (active, concurrency, queued, queue, decision) => {
    expect(admission(active, concurrency, queued, queue)).toBe(decision);
  });

  it.each([
    // unplaced abandoned work, queued, decision
    [0, 0, 'free'],
    [0, 3, 'admit'],
    [1, 0, 'keep'],
    [2, 5, 'keep'],
  ] as const)('release(unplaced %i, queued %i) is %s', (unplaced, queued, decision) => {
    expect(release(unplaced, queued)).toBe(decision);
  });
});
