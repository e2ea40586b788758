import { isCompositeSource, isRetrySource } from './sources.js';

/**
 * Calls `visit` once for `target` and once for each object it is made of: the policies of a
 * pipeline or a `firebreak()` result (at any depth) and the budget of a retry policy. Shared by
 * `firebreak/prometheus` and `firebreak/opentelemetry`, which bind what they find by the events
 * it offers.
 */
export function walk(target: unknown, visit: (part: object) => void, seen = new Set<unknown>()): void {
  if (typeof target !== 'object' || target === null || seen.has(target)) return;
  seen.add(target);
  visit(target);
  if (isRetrySource(target)) walk(target.budget, visit, seen);
  if (isCompositeSource(target)) for (const policy of target.policies) walk(policy, visit, seen);
}
