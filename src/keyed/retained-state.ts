/** A circuit breaker, as {@link retainedState} reads it. */
interface BreakerPart {
  readonly state: string;
}

/** A bulkhead (static or adaptive), as {@link retainedState} reads it. */
interface BulkheadPart {
  readonly stats: { readonly active: number; readonly queued: number };
}

/**
 * What a keyed entry would lose if it were dropped now:
 * - `'none'`: nothing, it may go;
 * - `'stale'`: a breaker half-open with nobody calling: dropped when idle, never for capacity;
 * - `'live'`: a breaker open or isolated, or a bulkhead with calls running or queued: never dropped.
 */
export type Retained = 'none' | 'stale' | 'live';

/** The parts of one policy whose state matters, found once when the policy is built. */
export interface StatefulParts {
  readonly breakers: readonly BreakerPart[];
  readonly bulkheads: readonly BulkheadPart[];
}

const NO_PARTS: StatefulParts = { breakers: [], bulkheads: [] };

function isBreaker(value: object): value is BreakerPart {
  const candidate = value as { state?: unknown; isolate?: unknown };
  return typeof candidate.state === 'string' && typeof candidate.isolate === 'function';
}

function isBulkhead(value: object): value is BulkheadPart {
  const stats = (value as { stats?: { active?: unknown; queued?: unknown } }).stats;
  return typeof stats === 'object' && stats !== null && typeof stats.active === 'number' && typeof stats.queued === 'number';
}

/**
 * Finds the breakers and bulkheads of `policy`: the policy itself, or the stages of a
 * `pipeline()` or `firebreak()` result (through `policies`), at any depth. Found by their members,
 * so an adapter or a policy from another copy of the package counts too.
 */
export function statefulParts(policy: unknown): StatefulParts {
  const breakers: BreakerPart[] = [];
  const bulkheads: BulkheadPart[] = [];
  const seen = new Set<object>();
  const visit = (value: unknown): void => {
    if (typeof value !== 'object' || value === null || seen.has(value)) return;
    seen.add(value);
    if (isBreaker(value)) breakers.push(value);
    if (isBulkhead(value)) bulkheads.push(value);
    const inner = (value as { policies?: unknown }).policies;
    if (Array.isArray(inner)) for (const part of inner) visit(part);
  };
  visit(policy);
  return breakers.length === 0 && bulkheads.length === 0 ? NO_PARTS : { breakers, bulkheads };
}

/** What dropping the policy made of `parts` would lose, read now. */
export function retainedState(parts: StatefulParts): Retained {
  let retained: Retained = 'none';
  for (const bulkhead of parts.bulkheads) {
    const { active, queued } = bulkhead.stats;
    if (active > 0 || queued > 0) return 'live';
  }
  for (const breaker of parts.breakers) {
    const state = breaker.state;
    if (state === 'open' || state === 'isolated') return 'live';
    if (state === 'half-open') retained = 'stale';
  }
  return retained;
}
