import type { OptionReader } from '../options.js';
import type { Fleet } from './fleet.js';

/** Reads the `fleet` option of a policy: a {@link Fleet}, or `undefined` when not given. */
export function readFleet(read: OptionReader): Fleet | undefined {
  if (!read.has('fleet')) return undefined;
  const fleet = read.raw('fleet') as Partial<Fleet> | null;
  const ok = typeof fleet === 'object' && fleet !== null && typeof fleet.joinBreaker === 'function' && typeof fleet.joinBudget === 'function' && typeof fleet.joinLimiter === 'function';
  if (!ok) read.fail('fleet', 'a Fleet (such as redisFleet() from firebreak/redis)');
  return fleet as Fleet;
}
