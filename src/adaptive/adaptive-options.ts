import { readQueueOptions } from '../bulkhead/queue-options.js';
import type { Clock } from '../clock.js';
import { OptionReader } from '../options.js';
import type { CallContext, ShouldHandle } from '../policy.js';
import { handleAllErrors } from '../should-handle.js';
import { aimd } from './aimd.js';
import { gradient2 } from './gradient2.js';
import type { LimitAlgorithm, LimitAlgorithmName, LimitSettings } from './limit.js';
import { PRIORITIES, type Priority } from './priority.js';
import { vegas } from './vegas.js';

/**
 * The guaranteed shares of an adaptive bulkhead's limit, per priority: fractions in [0, 1]
 * whose sum is at most 1. A priority left out has no guaranteed share (it only gets what the
 * others leave free).
 *
 * @example
 * ```ts
 * import type { AdaptivePartitions } from 'firebreak';
 * const partitions: AdaptivePartitions = { critical: 0.6, degraded: 0.3, sheddable: 0.1 };
 * ```
 */
export type AdaptivePartitions = { readonly [P in Priority]?: number };

/**
 * Options of {@link adaptiveBulkhead}.
 *
 * @example
 * ```ts
 * import { adaptiveBulkhead, type AdaptiveBulkheadOptions } from 'firebreak';
 * const options: AdaptiveBulkheadOptions = { name: 'search', algorithm: 'vegas', initial: 10, max: 100, queue: 20, queueTimeout: 50 };
 * const pool = adaptiveBulkhead(options);
 * ```
 */
export interface AdaptiveBulkheadOptions {
  /** Name for errors, events and metrics. @default 'bulkhead' */
  readonly name?: string;
  /** How the limit moves: `'gradient2'`, `'vegas'` or `'aimd'`. @default 'gradient2' */
  readonly algorithm?: LimitAlgorithmName;
  /** The limit to start from, and to return to after a recovery (an integer in [min, max]). @default 20 */
  readonly initial?: number;
  /** The lowest limit (an integer >= 1). @default 1 */
  readonly min?: number;
  /** The highest limit (an integer >= min). @default 1000 */
  readonly max?: number;
  /**
   * How much slower than the baseline RTT a window may be and still count as normal variance:
   * within `tolerance × minRtt` the limit never falls, past it the limit never grows (a number
   * > 1). @default 1.25
   */
  readonly tolerance?: number;
  /** How many callers may wait for a slot (an integer >= 0). @default 0 */
  readonly queue?: number;
  /** Milliseconds a caller may wait in the queue before it is rejected. @default Infinity */
  readonly queueTimeout?: number;
  /**
   * Which outcomes are drops (signs of overload that lower the limit). A caller abort and a
   * fast-fail of an inner stage never are. @default every error
   */
  readonly shouldHandle?: ShouldHandle;
  /** The priority of a call. @default (ctx) => ctx.priority ?? 'critical' */
  readonly priority?: (ctx: CallContext) => Priority;
  /** Guaranteed shares of the limit per priority. @default none: the limit is shared first come first served */
  readonly partitions?: AdaptivePartitions;
  /**
   * Event-loop delay (ms) past which the process counts as overloaded: sheddable calls are shed
   * and the window counts as a drop. Measured by an unref'd timer while calls run. @default off
   */
  readonly eventLoopDelay?: number;
  /** Source of time and timers. @default systemClock */
  readonly clock?: Clock;
}

/** The options of one adaptive bulkhead, checked and with their defaults. */
export interface AdaptiveSettings extends LimitSettings {
  readonly name: string;
  readonly algorithm: LimitAlgorithmName;
  readonly decide: LimitAlgorithm;
  readonly queue: number;
  readonly queueTimeout: number;
  readonly shouldHandle: ShouldHandle;
  readonly priority: (ctx: CallContext) => unknown;
  /** The guaranteed share of each priority, in {@link PRIORITIES} order; `undefined` without partitions. */
  readonly partitions: readonly number[] | undefined;
  readonly eventLoopDelay: number | undefined;
  readonly clock: Clock;
}

const ALGORITHMS: Record<LimitAlgorithmName, LimitAlgorithm> = { gradient2, vegas, aimd };

const KNOWN = [
  'name',
  'algorithm',
  'initial',
  'min',
  'max',
  'tolerance',
  'queue',
  'queueTimeout',
  'shouldHandle',
  'priority',
  'partitions',
  'eventLoopDelay',
  'clock',
];

const defaultPriority = (ctx: CallContext): Priority => ctx.priority ?? 'critical';

/** Reads and checks the options of `adaptiveBulkhead()`. */
export function readAdaptiveOptions(options: unknown): AdaptiveSettings {
  const read = new OptionReader('adaptiveBulkhead', options, KNOWN);
  const algorithm = read.oneOf<LimitAlgorithmName>('algorithm', 'gradient2', ['gradient2', 'vegas', 'aimd']);
  const min = read.integer('min', 1, 1);
  const max = read.integer('max', Math.max(1000, min), min);
  const initial = read.integer('initial', Math.min(max, Math.max(min, 20)), min, max);
  const tolerance = read.number('tolerance', 1.25, 1, true);
  return {
    name: read.string('name', 'bulkhead'),
    algorithm,
    decide: ALGORITHMS[algorithm],
    initial,
    min,
    max,
    tolerance,
    ...readQueueOptions(read),
    shouldHandle: read.optionalFunction<ShouldHandle>('shouldHandle') ?? handleAllErrors,
    priority: read.optionalFunction<(ctx: CallContext) => Priority>('priority') ?? defaultPriority,
    partitions: readPartitions(read),
    eventLoopDelay: read.has('eventLoopDelay') ? read.duration('eventLoopDelay', 0, { min: 1 }) : undefined,
    clock: read.clock(),
  };
}

function readPartitions(read: OptionReader): readonly number[] | undefined {
  if (!read.has('partitions')) return undefined;
  const nested = read.nested('partitions', PRIORITIES);
  const shares = PRIORITIES.map((priority) => nested.probability(priority, 0));
  if (shares.reduce((sum, share) => sum + share, 0) > 1 + 1e-9) {
    read.fail('partitions', 'shares whose sum is at most 1');
  }
  return shares;
}
