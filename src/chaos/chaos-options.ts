import type { OptionReader } from '../options.js';
import type { ChaosEnabled } from './decide.js';

/**
 * Options every chaos policy takes.
 *
 * @example
 * ```ts
 * import { chaos, type ChaosOptions } from 'firebreak';
 * const common: ChaosOptions = { rate: 0.05, enabled: () => process.env.CHAOS === 'on' };
 * const policy = chaos.fault({ ...common, error: new Error('injected') });
 * ```
 */
export interface ChaosOptions {
  /** Name for events and metrics. @default 'chaos-fault', 'chaos-latency' or 'chaos-result' */
  readonly name?: string;
  /** The share of calls to inject into, in [0, 1]: 0 never, 1 always. */
  readonly rate: number;
  /**
   * Whether the policy is on: a boolean, or a function asked on every call. A function that
   * throws rejects that call with its error, without calling the function. @default true
   */
  readonly enabled?: ChaosEnabled;
  /**
   * The source of randomness, returning numbers in [0, 1) like `Math.random`; inject a seeded one
   * for reproducible drills. @default Math.random
   */
  readonly random?: () => number;
}

/** What a chaos policy reads from {@link ChaosOptions}. */
export interface ChaosSettings {
  readonly name: string;
  readonly rate: number;
  readonly enabled: ChaosEnabled;
  readonly random: () => number;
}

/** The option names of {@link ChaosOptions}, for the reader's list of known options. */
export const CHAOS_OPTION_KEYS = ['name', 'rate', 'enabled', 'random'] as const;

/** Reads and checks the common chaos options. */
export function readChaosOptions(read: OptionReader, defaultName: string): ChaosSettings {
  const enabled = read.raw('enabled');
  if (enabled !== undefined && typeof enabled !== 'boolean' && typeof enabled !== 'function') {
    read.fail('enabled', 'a boolean or a function');
  }
  return {
    name: read.string('name', defaultName),
    rate: read.probability('rate'),
    enabled: (enabled as ChaosEnabled | undefined) ?? true,
    random: read.optionalFunction<() => number>('random') ?? Math.random,
  };
}
