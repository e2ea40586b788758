import type { IncomingHttpHeaders } from 'node:http';

/**
 * The head of a response as the policies see it (`shouldHandle`, `Retry-After`, a fallback's
 * `ctx.outcome`): the status and the headers; the body follows only if this attempt's response is
 * the one delivered.
 *
 * @example
 * ```ts
 * import type { UndiciResponseHead } from 'firebreak/undici';
 * const isThrottled = (head: UndiciResponseHead) => head.status === 429 && head.headers.get('retry-after') !== null;
 * ```
 */
export interface UndiciResponseHead {
  /** The HTTP status code. */
  readonly status: number;
  /** The status message, `''` when the server sent none. */
  readonly statusText: string;
  /** The response headers, read by name (case-insensitive); several values are joined with `, `. */
  readonly headers: { get(name: string): string | null };
}

/** Reads undici's header object by name, as fetch's `Headers.get` does. */
export class HeaderReader {
  constructor(readonly fields: IncomingHttpHeaders) {}

  get(name: string): string | null {
    const value = this.fields[name.toLowerCase()];
    if (value === undefined) return null;
    return Array.isArray(value) ? value.join(', ') : value;
  }
}

/** What an attempt resolves with: a response head, with a `body` whose `cancel()` drops the rest. */
export class ResponseHead implements UndiciResponseHead {
  readonly headers: HeaderReader;
  /** Read by the retry policy, which cancels the body of a response it retries. */
  readonly bodyUsed = false;
  readonly body: { cancel(): void };

  constructor(
    /** The attempt this response belongs to. */
    readonly owner: object,
    readonly status: number,
    readonly fields: IncomingHttpHeaders,
    readonly statusText: string,
    cancel: () => void,
  ) {
    this.headers = new HeaderReader(fields);
    this.body = { cancel };
  }
}
