import { MAX_TIMER_DELAY, type Clock } from '../clock.js';
import type { Fleet } from '../fleet/fleet.js';
import { readFleet } from '../fleet/read-fleet.js';
import { OptionReader } from '../options.js';
import type { ShouldHandle } from '../policy.js';
import { handleAllErrors } from '../should-handle.js';
import { ConsecutiveWindow } from './consecutive-window.js';
import { CountWindow } from './count-window.js';
import { readSnapshot, type CircuitBreakerSnapshot, type RestoredState } from './snapshot.js';
import type { MachineRules } from './state-machine.js';
import { TimeWindow } from './time-window.js';
import type { CallWindow, RateRules } from './window.js';

/**
 * Which calls a circuit breaker judges while closed.
 * - `{ type: 'consecutive', failures }`: opens after `failures` failures in a row.
 * - `{ type: 'count', size }`: the last `size` calls, judged by rate.
 * - `{ type: 'time', duration, buckets }`: the calls of the last `duration` ms, judged by rate,
 *   kept in `buckets` buckets (default 10): the window slides one bucket at a time.
 *
 * @example
 * ```ts
 * import { circuitBreaker, type CircuitWindowOptions } from 'firebreak';
 * const window: CircuitWindowOptions = { type: 'time', duration: 30_000, buckets: 30 };
 * const breaker = circuitBreaker({ window, failureRateThreshold: 0.5, minimumCalls: 20 });
 * ```
 */
export type CircuitWindowOptions =
  | {
      readonly type: 'consecutive';
      /** Failures in a row that open the circuit (an integer >= 1). */
      readonly failures: number;
    }
  | {
      readonly type: 'count';
      /** How many of the latest calls the window holds (an integer in [1, 1,000,000]). */
      readonly size: number;
    }
  | {
      readonly type: 'time';
      /** How many milliseconds of calls the window holds (>= 1). */
      readonly duration: number;
      /** How many buckets the window slides by (an integer in [1, 1,000]). @default 10 */
      readonly buckets?: number;
    };

/**
 * How long a circuit stays open: the number of opens since the last close (1 for the first)
 * gives the milliseconds, so that the open time can grow while the dependency stays down.
 *
 * @example
 * ```ts
 * import { circuitBreaker, type OpenForBackoff } from 'firebreak';
 * const doubling: OpenForBackoff = (opens) => Math.min(1_000 * 2 ** (opens - 1), 60_000);
 * const breaker = circuitBreaker({ openFor: doubling });
 * ```
 */
export type OpenForBackoff = (opens: number) => number;

/**
 * Options of the half-open state.
 *
 * @example
 * ```ts
 * import { circuitBreaker, type CircuitHalfOpenOptions } from 'firebreak';
 * const halfOpen: CircuitHalfOpenOptions = { maxCalls: 3, probeTimeout: 5_000 };
 * const breaker = circuitBreaker({ halfOpen });
 * ```
 */
export interface CircuitHalfOpenOptions {
  /** Probes let through at most; this many successful probes close the circuit. @default 1 */
  readonly maxCalls?: number;
  /**
   * Milliseconds after which a probe that has not settled counts as a failed probe (re-opening
   * the circuit), so that a hung probe cannot hold half-open forever. The probe's caller still
   * gets the probe's own result. `Infinity` turns this off. @default 30_000
   */
  readonly probeTimeout?: number;
}

/**
 * Options of {@link circuitBreaker}.
 *
 * @example
 * ```ts
 * import { circuitBreaker, type CircuitBreakerOptions } from 'firebreak';
 * const options: CircuitBreakerOptions<Response> = {
 *   name: 'auth',
 *   window: { type: 'count', size: 50 },
 *   failureRateThreshold: 0.5,
 *   minimumCalls: 10,
 *   shouldHandle: (outcome) => !outcome.ok || outcome.value.status >= 500,
 *   openFor: 5_000,
 * };
 * const breaker = circuitBreaker(options);
 * ```
 */
export interface CircuitBreakerOptions<T = unknown> {
  /** Name for errors, events and metrics. @default 'circuitBreaker' */
  readonly name?: string;
  /**
   * Which outcomes are failures; outcomes it does not handle count as successes. A caller's
   * abort and a fast-fail rejection (circuit open, bulkhead full) are set aside before it runs
   * and are not recorded at all. @default every error except a caller abort
   */
  readonly shouldHandle?: ShouldHandle<T>;
  /** The calls judged while closed. @default { type: 'count', size: 100 } */
  readonly window?: CircuitWindowOptions;
  /** Open when failures / calls >= this (count and time windows), in (0, 1]. @default 0.5 */
  readonly failureRateThreshold?: number;
  /** A call is slow when it takes this many ms or more (`Infinity`: no call is slow). @default Infinity */
  readonly slowCallDuration?: number;
  /**
   * Open when slow calls / calls >= this (count and time windows), in (0, 1]. In half-open, the
   * circuit re-opens once slow probes / `halfOpen.maxCalls` reach it. @default 1
   */
  readonly slowCallRateThreshold?: number;
  /**
   * Calls the window must hold before a rate can open the circuit (count and time windows); at
   * most the size of a count window. @default 10, or the count window's size if smaller
   */
  readonly minimumCalls?: number;
  /**
   * Milliseconds to stay open before letting probes through, or an {@link OpenForBackoff}
   * (called with 1 at the first open since the last close, 2 at the next re-open, ...). The
   * backoff is checked at construction with 1; a later result that is not a number >= 0 (or a
   * throw) counts as that first value; results are capped at 2,147,483,647 ms. @default 10_000
   */
  readonly openFor?: number | OpenForBackoff;
  /** The half-open state. @default { maxCalls: 1, probeTimeout: 30_000 } */
  readonly halfOpen?: CircuitHalfOpenOptions;
  /** Source of time and timers. @default systemClock */
  readonly clock?: Clock;
  /** A state saved with `toJSON()` to start from. @default a closed circuit */
  readonly initialState?: CircuitBreakerSnapshot;
  /**
   * Replicas to share openings, one fleet-wide probe and fleet-wide isolation with (breakers of
   * the same `name`): `redisFleet()` from `firebreak/redis`. @default none: this process alone
   */
  readonly fleet?: Fleet;
}

/** Everything {@link circuitBreaker} needs, checked. */
export interface BreakerSettings {
  readonly name: string;
  readonly shouldHandle: ShouldHandle;
  readonly window: CallWindow;
  readonly rules: MachineRules;
  readonly slowCallDuration: number;
  readonly probeTimeout: number;
  readonly clock: Clock;
  readonly initialState: RestoredState | undefined;
  readonly fleet: Fleet | undefined;
  /** How a fleet judges the replicas' pooled calls; undefined for a consecutive window (openings only). */
  readonly fleetWindow: FleetWindowRules | undefined;
}

/**
 * The fleet window of a breaker: a time window's own duration in 10 buckets; for a count window,
 * the newest calls of the fleet up to the window's size, kept in 20 buckets of 250 ms.
 */
export interface FleetWindowRules {
  readonly window: number;
  readonly buckets: number;
  readonly size: number;
  readonly minimumCalls: number;
  readonly failureRateThreshold: number;
}

const OPTION_KEYS = [
  'name',
  'shouldHandle',
  'window',
  'failureRateThreshold',
  'slowCallDuration',
  'slowCallRateThreshold',
  'minimumCalls',
  'openFor',
  'halfOpen',
  'clock',
  'initialState',
  'fleet',
];

const WINDOW_KEYS: Record<string, readonly string[]> = {
  consecutive: ['type', 'failures'],
  count: ['type', 'size'],
  time: ['type', 'duration', 'buckets'],
};

const RATE_KEYS = ['failureRateThreshold', 'slowCallRateThreshold', 'minimumCalls'];
const WINDOW_SHAPE = "a window: { type: 'consecutive', failures } | { type: 'count', size } | { type: 'time', duration, buckets? }";

/** The largest count window: one byte per call. */
export const MAX_COUNT_WINDOW = 1_000_000;
/** The most buckets a time window may have. */
export const MAX_TIME_BUCKETS = 1_000;

/** Reads and checks the options of {@link circuitBreaker}: the one place they are validated. */
export function readBreakerOptions(options: unknown): BreakerSettings {
  const read = new OptionReader('circuitBreaker', options, OPTION_KEYS);
  const name = read.string('name', 'circuitBreaker');
  const shouldHandle = read.optionalFunction<ShouldHandle>('shouldHandle') ?? handleAllErrors;
  const slowCallDuration = read.duration('slowCallDuration', Infinity, { allowInfinity: true });
  if (read.has('slowCallRateThreshold') && !read.has('slowCallDuration')) {
    read.fail('slowCallRateThreshold', 'given with `slowCallDuration` (without it no call is slow)');
  }
  const openFor = readOpenFor(read);
  const halfOpen = read.nested('halfOpen', ['maxCalls', 'probeTimeout']);
  const maxProbes = halfOpen.integer('maxCalls', 1, 1);
  const probeTimeout = halfOpen.duration('probeTimeout', 30_000, { min: 1, allowInfinity: true });
  const clock = read.clock();
  const { window, slowProbeRate, fleetWindow } = readWindow(read);
  const initialState = readSnapshot(read, clock, openFor);
  const fleet = readFleet(read);
  return { name, shouldHandle, window, rules: { maxProbes, slowProbeRate, openFor }, slowCallDuration, probeTimeout, clock, initialState, fleet, fleetWindow };
}

function readWindow(read: OptionReader): { window: CallWindow; slowProbeRate: number; fleetWindow?: FleetWindowRules } {
  const raw = read.has('window') ? read.raw('window') : { type: 'count', size: 100 };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return read.fail('window', WINDOW_SHAPE);
  const type = (raw as { type?: unknown }).type;
  const keys = typeof type === 'string' && Object.hasOwn(WINDOW_KEYS, type) ? WINDOW_KEYS[type] : undefined;
  if (keys === undefined) return read.fail('window.type', "one of 'consecutive', 'count', 'time'", type);
  const window = new OptionReader(read.factory, raw, keys, 'window.');

  if (type === 'consecutive') {
    for (const key of RATE_KEYS) {
      if (read.has(key)) read.fail(key, "left out with a consecutive window (it opens on `window.failures` failures in a row)");
    }
    return { window: new ConsecutiveWindow(requiredInteger(window, 'failures', 1, Number.MAX_SAFE_INTEGER)), slowProbeRate: Infinity };
  }

  const size = type === 'count' ? requiredInteger(window, 'size', 1, MAX_COUNT_WINDOW) : Number.MAX_SAFE_INTEGER;
  const rules: RateRules = {
    failureRateThreshold: read.rate('failureRateThreshold', 0.5),
    slowCallRateThreshold: read.rate('slowCallRateThreshold', 1),
    minimumCalls: read.integer('minimumCalls', Math.min(10, size), 1, size),
  };
  const pooled = { minimumCalls: rules.minimumCalls, failureRateThreshold: rules.failureRateThreshold };
  if (type === 'count') {
    const fleetWindow = { window: 5_000, buckets: 20, size, ...pooled };
    return { window: new CountWindow(size, rules), slowProbeRate: rules.slowCallRateThreshold, fleetWindow };
  }
  if (!window.has('duration')) window.fail('duration', 'a number of milliseconds >= 1');
  const duration = window.duration('duration', 0, { min: 1 });
  const buckets = window.integer('buckets', 10, 1, MAX_TIME_BUCKETS);
  return { window: new TimeWindow(duration, buckets, rules), slowProbeRate: rules.slowCallRateThreshold, fleetWindow: { window: duration, buckets: 10, size: 0, ...pooled } };
}

function requiredInteger(read: OptionReader, key: string, min: number, max: number): number {
  if (!read.has(key)) read.fail(key, `an integer in [${min}, ${max}]`);
  return read.integer(key, min, min, max);
}

const OPEN_FOR = `a number of milliseconds in [0, ${MAX_TIMER_DELAY}], or a function (opens) => ms that returns one`;

/** The `openFor` option: a number stays a number (a function per breaker would cost it a closure). */
function readOpenFor(read: OptionReader): number | OpenForBackoff {
  const raw = read.has('openFor') ? read.raw('openFor') : 10_000;
  if (typeof raw === 'number') {
    if (!(raw >= 0 && raw <= MAX_TIMER_DELAY)) read.fail('openFor', OPEN_FOR);
    return raw;
  }
  if (typeof raw !== 'function') return read.fail('openFor', OPEN_FOR);
  const backoff = raw as OpenForBackoff;
  const first = callBackoff(backoff, 1);
  if (typeof first !== 'number') return read.fail('openFor', `${OPEN_FOR} (for 1 it returned ${first.returned})`);
  return (opens) => {
    const ms = callBackoff(backoff, opens);
    return typeof ms === 'number' ? ms : first;
  };
}

/** The backoff's result capped to the longest timer, or what it did instead of returning a number >= 0. */
function callBackoff(backoff: OpenForBackoff, opens: number): number | { readonly returned: string } {
  let ms: unknown;
  try {
    ms = backoff(opens);
  } catch (error) {
    return { returned: `a throw: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (typeof ms === 'number' && ms >= 0) return Math.min(ms, MAX_TIMER_DELAY);
  return { returned: typeof ms === 'string' ? JSON.stringify(ms) : String(ms) };
}
