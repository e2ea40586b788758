import { systemClock, type Clock } from './clock.js';
import { InvalidOptionError } from './errors/invalid-option-error.js';

/**
 * Reads and checks the options of one factory call: every check throws {@link InvalidOptionError}
 * naming the factory, the option and the value it got.
 */
export class OptionReader {
  readonly #options: Record<string, unknown>;

  constructor(
    readonly factory: string,
    options: unknown,
    known: readonly string[],
    readonly prefix = '',
  ) {
    if (options === undefined) options = {};
    if (typeof options !== 'object' || options === null || Array.isArray(options)) {
      throw new InvalidOptionError(factory, prefix ? prefix.slice(0, -1) : 'options', 'an object', options);
    }
    this.#options = options as Record<string, unknown>;
    for (const key of Object.keys(this.#options)) {
      if (!known.includes(key)) {
        const near = known.find((name) => name.toLowerCase() === key.toLowerCase() || editDistance(name, key) <= 2);
        const hint = near === undefined ? '' : `did you mean \`${prefix}${near}\`? `;
        const problem = `is not an option of ${factory} (${hint}the options${prefix ? ` of \`${prefix.slice(0, -1)}\`` : ''} are ${known.join(', ')})`;
        throw new InvalidOptionError(factory, prefix + key, `one of the known options (${known.join(', ')})`, this.#options[key], problem);
      }
    }
  }

  /** The raw value of `key`, `undefined` when absent. */
  raw(key: string): unknown {
    return this.#options[key];
  }

  /** Whether `key` is given (and not `undefined`). */
  has(key: string): boolean {
    return this.#options[key] !== undefined;
  }

  fail(key: string, expected: string, value: unknown = this.#options[key]): never {
    throw new InvalidOptionError(this.factory, this.prefix + key, expected, value);
  }

  /** A number of milliseconds ≥ `min` (finite unless `allowInfinity`). */
  duration(key: string, fallback: number, { min = 0, allowInfinity = false } = {}): number {
    const value = this.#options[key];
    if (value === undefined) return fallback;
    const ok = typeof value === 'number' && value >= min && (Number.isFinite(value) || (allowInfinity && value === Infinity));
    if (!ok) this.fail(key, `a number of milliseconds ${min > 0 ? `>= ${min}` : '>= 0'}${allowInfinity ? ' or Infinity' : ''}`);
    return value;
  }

  /** An integer in [min, max]. */
  integer(key: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
    const value = this.#options[key];
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      this.fail(key, max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer in [${min}, ${max}]`);
    }
    return value;
  }

  /** A rate in (0, 1]. */
  rate(key: string, fallback: number): number {
    const value = this.#options[key];
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !(value > 0 && value <= 1)) this.fail(key, 'a number in (0, 1]');
    return value;
  }

  /** A probability in [0, 1]; required when `fallback` is left out. */
  probability(key: string, fallback?: number): number {
    const given = this.#options[key];
    const value = given === undefined ? fallback : given;
    if (typeof value !== 'number' || !(value >= 0 && value <= 1)) this.fail(key, 'a number in [0, 1]');
    return value;
  }

  /** A finite number ≥ `min` (or > `min` when `exclusive`). */
  number(key: string, fallback: number, min: number, exclusive = false): number {
    const value = this.#options[key];
    if (value === undefined) return fallback;
    const ok = typeof value === 'number' && Number.isFinite(value) && (exclusive ? value > min : value >= min);
    if (!ok) this.fail(key, `a finite number ${exclusive ? '>' : '>='} ${min}`);
    return value;
  }

  /** A function, or `undefined`. */
  optionalFunction<F extends (...args: never[]) => unknown>(key: string): F | undefined {
    const value = this.#options[key];
    if (value === undefined) return undefined;
    if (typeof value !== 'function') this.fail(key, 'a function');
    return value as F;
  }

  /** One of `choices`. */
  oneOf<C extends string>(key: string, fallback: C, choices: readonly C[]): C {
    const value = this.#options[key];
    if (value === undefined) return fallback;
    if (typeof value !== 'string' || !(choices as readonly string[]).includes(value)) {
      this.fail(key, `one of ${choices.map((c) => `'${c}'`).join(', ')}`);
    }
    return value as C;
  }

  /** A boolean. */
  boolean(key: string, fallback: boolean): boolean {
    const value = this.#options[key];
    if (value === undefined) return fallback;
    if (typeof value !== 'boolean') this.fail(key, 'a boolean');
    return value;
  }

  /** A non-empty string. */
  string(key: string, fallback: string): string {
    const value = this.#options[key];
    if (value === undefined) return fallback;
    if (typeof value !== 'string' || value.length === 0) this.fail(key, 'a non-empty string');
    return value;
  }

  /** A {@link Clock}: an object with `now`, `wallNow`, `setTimeout` and `clearTimeout`. */
  clock(key = 'clock'): Clock {
    const value = this.#options[key];
    if (value === undefined) return systemClock;
    const clock = (typeof value === 'object' ? value : null) as Partial<Clock> | null;
    const ok =
      clock !== null &&
      typeof clock.now === 'function' &&
      typeof clock.wallNow === 'function' &&
      typeof clock.setTimeout === 'function' &&
      typeof clock.clearTimeout === 'function';
    if (!ok) this.fail(key, 'a Clock (now, wallNow, setTimeout, clearTimeout)');
    return value as Clock;
  }

  /** Nested options under `key`, read with their own known keys. */
  nested(key: string, known: readonly string[]): OptionReader {
    return new OptionReader(this.factory, this.#options[key], known, `${this.prefix}${key}.`);
  }
}

/** The Levenshtein distance between two short strings, to suggest the option a typo meant. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1)));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
