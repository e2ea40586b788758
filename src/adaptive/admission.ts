/**
 * What an adaptive bulkhead does with an arriving call: run it, queue it, queue it after
 * evicting a waiter of lower priority, or turn it away as `'full'` or `'shed'`.
 */
export type AdaptiveAdmission = 'run' | 'queue' | 'evict' | 'full' | 'shed';

/** What admission looks at for one arriving call. */
export interface AdmissionInput {
  /** Calls running (slots taken), all priorities. */
  readonly active: number;
  /** Calls of this call's priority running. */
  readonly activeOfPriority: number;
  /** The integer limit. */
  readonly limit: number;
  /** This priority's guaranteed share of the limit, in calls (0 without partitions). */
  readonly share: number;
  /** The shares of the priorities above this one that they do not use now, in calls. */
  readonly reservedAbove: number;
  /** Whether partitions are configured. */
  readonly partitioned: boolean;
  /** Whether this call is critical. */
  readonly critical: boolean;
  /** Whether this call is sheddable. */
  readonly sheddable: boolean;
  /** Callers waiting, all priorities, and the most that may wait. */
  readonly queued: number;
  readonly queue: number;
  /** Whether a caller of lower priority is waiting (it can be evicted for this one). */
  readonly lowerWaiting: boolean;
  /** Whether the event loop is overloaded. */
  readonly overloaded: boolean;
}

/**
 * Whether a call of a priority may take a slot now. With partitions, the share of each priority
 * is reserved for it and the priorities above it: a call runs while its priority runs below its
 * share (even with the limit reached, which a falling limit may leave behind), or while the calls
 * running plus the unused shares of the priorities above it stay below the limit. Without
 * partitions, shares and reservations are 0: a call runs below the limit.
 */
export function mayRun(active: number, limit: number, activeOfPriority: number, share: number, reservedAbove: number): boolean {
  return active + reservedAbove < limit || activeOfPriority < share;
}

/**
 * Decides what happens to an arriving call. A sheddable call is shed at once while the event
 * loop is overloaded. A call that may not run waits if the queue has room, or takes the place
 * of the oldest waiter of the lowest priority below its own; otherwise it is turned away:
 * `'shed'` for a call below critical when partitions decide who runs, `'full'` otherwise.
 */
export function adaptiveAdmission(input: AdmissionInput): AdaptiveAdmission {
  if (input.overloaded && input.sheddable) return 'shed';
  if (mayRun(input.active, input.limit, input.activeOfPriority, input.share, input.reservedAbove)) return 'run';
  if (input.queued < input.queue) return 'queue';
  if (input.lowerWaiting) return 'evict';
  return input.partitioned && !input.critical ? 'shed' : 'full';
}
