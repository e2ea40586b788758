import { systemClock } from '../clock.js';
import type { Outcome } from '../policy.js';

/**
 * Anything that has HTTP headers to read: a fetch `Response`, or a look-alike from another client.
 *
 * @example
 * ```ts
 * import { retryAfterMs, type HasHeaders } from 'firebreak';
 * const reply: HasHeaders = { headers: new Headers({ 'retry-after': '2' }) };
 * console.log(retryAfterMs(reply)); // 2000
 * ```
 */
export interface HasHeaders {
  readonly headers: { get(name: string): string | null | undefined };
}

/**
 * Whether an HTTP status says "try again later": 408 (request timeout), 429 (too many requests)
 * and every 5xx.
 *
 * Use it to judge responses in your own `shouldHandle`; {@link httpShouldHandle} uses it.
 *
 * @param status - the response's status code.
 * @example
 * ```ts
 * import { isTransientHttpStatus } from 'firebreak';
 * isTransientHttpStatus(503); // true
 * isTransientHttpStatus(404); // false
 * ```
 */
export function isTransientHttpStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status <= 599);
}

const DELTA_SECONDS = /^\s*(\d+(?:\.\d+)?)\s*$/;

/**
 * The wait a response asks for in its `Retry-After` header, in milliseconds: delta-seconds
 * (`120`) or an HTTP date (`Wed, 21 Oct 2026 07:28:00 GMT`, 0 once past). `undefined` when the
 * header is absent or unreadable.
 *
 * The retry policy calls it on fetch `Response` results by itself; use it in your own backoff or
 * for other clients' responses.
 *
 * @param response - a fetch `Response`, or anything with `headers.get(name)`.
 * @param wallNow - the current wall-clock time in ms since the epoch, to read an HTTP date. @default systemClock.wallNow()
 * @example
 * ```ts
 * import { retryAfterMs } from 'firebreak';
 * const response = await fetch('http://127.0.0.1:8080/busy');
 * const wait = retryAfterMs(response) ?? 1_000;
 * ```
 */
export function retryAfterMs(response: HasHeaders, wallNow: number = systemClock.wallNow()): number | undefined {
  const header = response.headers.get('retry-after');
  if (typeof header !== 'string') return undefined;
  const seconds = DELTA_SECONDS.exec(header);
  if (seconds) return Number(seconds[1]) * 1000;
  if (!/[a-z]/i.test(header)) return undefined;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - wallNow);
}

/**
 * Error codes of network failures worth retrying: Node.js socket and DNS errors, undici's connect,
 * socket and timeout errors, and firebreak's own attempt timeout. `ENOTFOUND` is left out: an
 * unknown host name is a configuration error more often than a transient one.
 */
const TRANSIENT_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENETDOWN',
  'ENETUNREACH',
  'EHOSTDOWN',
  'EHOSTUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_SOCKET',
  'ERR_TIMEOUT',
]);

/**
 * Whether `error` is a transient network failure: its `code` (or that of an error in its `cause`
 * chain, or in an `AggregateError`'s `errors`) is one of ECONNRESET, ECONNREFUSED, ECONNABORTED,
 * ETIMEDOUT, EPIPE, EAI_AGAIN, ENETDOWN, ENETUNREACH, EHOSTDOWN, EHOSTUNREACH, undici's
 * UND_ERR_CONNECT_TIMEOUT, UND_ERR_HEADERS_TIMEOUT, UND_ERR_BODY_TIMEOUT and UND_ERR_SOCKET, or
 * firebreak's ERR_TIMEOUT. fetch's `TypeError('fetch failed')` is judged by its `cause`.
 *
 * @param error - any thrown value.
 * @example
 * ```ts
 * import { isTransientNetworkError } from 'firebreak';
 * const error = await fetch('http://127.0.0.1:1/').catch((e: unknown) => e);
 * isTransientNetworkError(error); // true: fetch failed, caused by ECONNREFUSED
 * ```
 */
export function isTransientNetworkError(error: unknown): boolean {
  return hasTransientCode(error, 0);
}

function hasTransientCode(error: unknown, depth: number): boolean {
  if (typeof error !== 'object' || error === null || depth > 8) return false;
  const { code, cause, errors } = error as { code?: unknown; cause?: unknown; errors?: unknown };
  if (typeof code === 'string' && TRANSIENT_CODES.has(code)) return true;
  if (Array.isArray(errors) && errors.some((inner) => hasTransientCode(inner, depth + 1))) return true;
  return cause !== undefined && hasTransientCode(cause, depth + 1);
}

/**
 * A `shouldHandle` for HTTP calls: responses with a transient status (408, 429, 5xx; see
 * {@link isTransientHttpStatus}) and transient network errors (see
 * {@link isTransientNetworkError}) are failures; every other response and error is not.
 *
 * Use it with `retry` (a retried 503 waits at least its `Retry-After`) or with a circuit breaker.
 * Retry only requests that are safe to repeat (GET, PUT, DELETE, or with an idempotency key).
 *
 * @param outcome - the outcome of one attempt: a `Response` (anything with a numeric `status`) or an error.
 * @example
 * ```ts
 * import { httpShouldHandle, retry } from 'firebreak';
 * const policy = retry({ shouldHandle: httpShouldHandle });
 * const response = await policy.execute((ctx) => fetch('http://127.0.0.1:8080/', { signal: ctx.signal }));
 * ```
 */
export function httpShouldHandle(outcome: Outcome<unknown>): boolean {
  if (!outcome.ok) return isTransientNetworkError(outcome.error);
  const value = outcome.value as { status?: unknown } | null;
  return typeof value === 'object' && value !== null && typeof value.status === 'number' && isTransientHttpStatus(value.status);
}

/**
 * Frees a discarded result's connection: the unread body of a fetch `Response` that is retried
 * would otherwise hold its socket until garbage collection.
 */
export function discardBody(value: unknown): void {
  if (typeof value !== 'object' || value === null) return;
  const { body, bodyUsed } = value as { body?: { cancel?: unknown } | null; bodyUsed?: unknown };
  if (bodyUsed !== false || typeof body?.cancel !== 'function') return;
  try {
    Promise.resolve((body.cancel as () => unknown).call(body)).catch(() => undefined);
  } catch {
    // a body that refuses to be cancelled is left to the garbage collector
  }
}
