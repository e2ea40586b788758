/**
 * How much a call matters when the dependency cannot take them all: `'critical'` calls are the
 * last to be turned away, `'sheddable'` ones the first.
 *
 * @example
 * ```ts
 * import type { Priority } from 'firebreak';
 * const checkout: Priority = 'critical';
 * ```
 */
export type Priority = 'critical' | 'degraded' | 'sheddable';

/** Every priority, the highest first. */
export const PRIORITIES: readonly Priority[] = ['critical', 'degraded', 'sheddable'];

/** The index of `priority` in {@link PRIORITIES}; -1 for anything else. */
export function priorityRank(priority: unknown): number {
  return PRIORITIES.indexOf(priority as Priority);
}
