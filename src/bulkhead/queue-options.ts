import type { OptionReader } from '../options.js';

/**
 * Reads `queue` and `queueTimeout`, shared by `bulkhead` and `adaptiveBulkhead`: a finite
 * `queueTimeout` with no queue (`queue: 0`, the default) is refused, since no caller ever waits.
 */
export function readQueueOptions(read: OptionReader): { readonly queue: number; readonly queueTimeout: number } {
  const queue = read.integer('queue', 0, 0);
  if (queue === 0 && read.has('queueTimeout') && read.raw('queueTimeout') !== Infinity) {
    read.fail('queueTimeout', 'left out with `queue: 0` (no caller waits: give `queue` a size to use it)');
  }
  return { queue, queueTimeout: read.duration('queueTimeout', Infinity, { allowInfinity: true }) };
}
