import type { Dispatcher } from 'undici';

/** Methods that RFC 9110 defines as idempotent: sending one twice does no more than once. */
const IDEMPOTENT_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);

/**
 * Whether a request may be sent more than once (by a retry or a hedge): its method is
 * idempotent (or it says so, with `idempotent: true` or an `Idempotency-Key` header) and its body
 * can be sent again (none, a string, bytes or a Blob; not a stream or an iterator, which are
 * read once: fetch hands every body to the dispatcher as an iterator).
 */
export function isRepeatable(opts: Dispatcher.DispatchOptions): boolean {
  const safe = IDEMPOTENT_METHODS.has(opts.method.toUpperCase()) || opts.idempotent === true || hasHeader(opts.headers, 'idempotency-key');
  return safe && isReplayableBody(opts.body);
}

function isReplayableBody(body: unknown): boolean {
  if (body === undefined || body === null || typeof body === 'string') return true;
  if (ArrayBuffer.isView(body) || body instanceof ArrayBuffer) return true;
  return typeof Blob !== 'undefined' && body instanceof Blob;
}

/** Whether `headers`, in any of the forms undici takes, has a header called `name` (lower case). */
export function hasHeader(headers: unknown, name: string): boolean {
  if (headers === undefined || headers === null) return false;
  if (Array.isArray(headers)) {
    if (headers.length > 0 && Array.isArray(headers[0])) return (headers as unknown[][]).some((pair) => String(pair[0]).toLowerCase() === name);
    for (let index = 0; index < headers.length; index += 2) if (String(headers[index]).toLowerCase() === name) return true;
    return false;
  }
  if (typeof headers !== 'object') return false;
  if (Symbol.iterator in headers) {
    for (const pair of headers as Iterable<unknown>) if (Array.isArray(pair) && String(pair[0]).toLowerCase() === name) return true;
    return false;
  }
  return Object.keys(headers).some((key) => key.toLowerCase() === name);
}
