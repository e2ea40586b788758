const BRAND = Symbol.for('firebreak.error.code');

/** Options every firebreak error accepts. */
export interface FirebreakErrorOptions {
  /** The error that led to this one. */
  readonly cause?: unknown;
  /**
   * Whether to capture a stack trace. Fast-fail rejections skip it: they are created on every
   * rejected call and their stack says nothing the error code does not.
   * @default true
   */
  readonly captureStack?: boolean;
}

/**
 * The base of every error firebreak throws. Each subclass has a literal `name` and a stable
 * `code`; `instanceof` works across two copies of the package (a `Symbol.for` brand).
 *
 * @example
 * ```ts
 * import { FirebreakError, timeout } from 'firebreak';
 * try {
 *   await timeout(10).execute(() => new Promise((resolve) => setTimeout(resolve, 100)));
 * } catch (error) {
 *   if (error instanceof FirebreakError) console.log(error.code); // 'ERR_TIMEOUT'
 * }
 * ```
 */
export class FirebreakError extends Error {
  /** The code of this class of error; `undefined` on the base class, which matches them all. */
  static readonly code: string | undefined = undefined;

  /** A stable machine-readable code such as `ERR_TIMEOUT`. */
  readonly code: string;
  declare readonly [BRAND]: string;

  /**
   * @param message - the message; `undefined` leaves it to a `message` getter on the subclass's
   *   prototype, so that a fast-fail error formats its message only when someone reads it.
   */
  constructor(code: string, message: string | undefined, options: FirebreakErrorOptions = {}) {
    const { cause, captureStack = true } = options;
    let limit: number | undefined;
    if (!captureStack) {
      limit = Error.stackTraceLimit;
      Error.stackTraceLimit = 0;
    }
    super(message, cause === undefined ? undefined : { cause });
    if (limit !== undefined) Error.stackTraceLimit = limit;
    this.code = code;
    if (this[BRAND] !== code) Object.defineProperty(this, BRAND, { value: code });
  }

  /** Recognises firebreak errors from any copy of the package, by code for subclasses. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (typeof value !== 'object' || value === null) return false;
    const code = (value as { [BRAND]?: unknown })[BRAND];
    if (typeof code !== 'string') return false;
    return this.code === undefined || this.code === code;
  }
}

/**
 * Gives an error class its literal `name`, and brands its prototype with its `code` so that
 * instances need no property of their own for the cross-copy `instanceof`.
 */
export function nameErrorClass(errorClass: { readonly prototype: Error; readonly code: string | undefined }, name: string): void {
  Object.defineProperty(errorClass.prototype, 'name', { value: name, writable: true, configurable: true });
  if (errorClass.code !== undefined) Object.defineProperty(errorClass.prototype, BRAND, { value: errorClass.code });
}

nameErrorClass(FirebreakError, 'FirebreakError');

/**
 * The `stack` of an error made by {@link withoutConstructor}: its first line only. An error made
 * by its constructor has a `stack` of its own, which hides this one; assigning `stack` gives the
 * error its own too.
 */
Object.defineProperty(FirebreakError.prototype, 'stack', {
  get(this: FirebreakError): string {
    return `${this.name}: ${this.message}`;
  },
  set(this: FirebreakError, value: unknown) {
    Object.defineProperty(this, 'stack', { value, writable: true, configurable: true });
  },
  configurable: true,
});

type Writable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * An instance of an error class made without running its constructor, for its maker to fill in:
 * no stack trace is captured at all, which makes it some twenty times cheaper than even
 * `captureStack: false`. Fast-fail rejections, made on every rejected call, are made this way;
 * `instanceof`, `name`, `code` and `message` work as for any other instance.
 */
export function withoutConstructor<E extends FirebreakError>(errorClass: { readonly prototype: E }): Writable<E> {
  return Object.create(errorClass.prototype) as Writable<E>;
}
