import { FirebreakError, nameErrorClass } from './firebreak-error.js';

/**
 * Thrown synchronously by a factory given a bad option: it names the factory, the option and the
 * value it got.
 *
 * @example
 * ```ts
 * import { InvalidOptionError, timeout } from 'firebreak';
 * try {
 *   timeout(-1);
 * } catch (error) {
 *   if (error instanceof InvalidOptionError) console.log(error.option); // 'duration'
 * }
 * ```
 */
export class InvalidOptionError extends FirebreakError {
  static override readonly code = 'ERR_INVALID_OPTION';
  declare readonly code: 'ERR_INVALID_OPTION';

  constructor(
    /** The factory that refused the option, such as `circuitBreaker`. */
    readonly factory: string,
    /** The name of the option, such as `failureRateThreshold`. */
    readonly option: string,
    /** What the option must be, such as `a number in (0, 1]`. */
    readonly expected: string,
    /** The value it got. */
    readonly value: unknown,
    /** What is wrong, when "must be `expected`" does not say it well (an unknown option). */
    readonly problem: string = `must be ${expected}`,
  ) {
    super('ERR_INVALID_OPTION', `${factory}: \`${option}\` ${problem}, got ${describeValue(value)}`);
  }
}

nameErrorClass(InvalidOptionError, 'InvalidOptionError');

/** How a refused value is shown in a message. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return 'an array';
  if (value !== null && typeof value === 'object') return 'an object';
  return String(value);
}
