import type { IncomingHttpHeaders } from 'node:http';

/**
 * A response made up by a fallback instead of one from the server: a plain object, or a fetch
 * `Response` (its body is read whole before it is delivered).
 *
 * @example
 * ```ts
 * import type { SyntheticResponse } from 'firebreak/undici';
 * const cached: SyntheticResponse = { status: 200, headers: { 'content-type': 'application/json' }, body: '{"cached":true}' };
 * ```
 */
export interface SyntheticResponse {
  /** The status code, 200 to 599. */
  readonly status: number;
  /** @default '' */
  readonly statusText?: string;
  /** Header names and values; a fetch `Headers` works too. @default {} */
  readonly headers?: Readonly<Record<string, string | readonly string[]>> | { forEach(callback: (value: string, name: string) => void): void };
  /** The body. @default empty */
  readonly body?: string | Uint8Array | null;
}

/** A synthetic response, read and checked: what the caller's handler is given. */
export interface SyntheticParts {
  readonly status: number;
  readonly statusText: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/**
 * Reads what a fallback answered as a response, or explains why it is not one. A fetch
 * `Response` (anything with `arrayBuffer()`) has its body read first.
 */
export async function readSynthetic(value: unknown): Promise<SyntheticParts> {
  if (typeof value !== 'object' || value === null) throw notAResponse(value);
  const candidate = value as { status?: unknown; statusText?: unknown; headers?: unknown; body?: unknown; arrayBuffer?: unknown };
  const status = candidate.status;
  if (typeof status !== 'number' || !Number.isInteger(status) || status < 200 || status > 599) throw notAResponse(value);
  const statusText = typeof candidate.statusText === 'string' ? candidate.statusText : '';
  const headers = readHeaders(candidate.headers);
  if (typeof candidate.arrayBuffer === 'function') {
    const bytes = await (candidate.arrayBuffer as () => Promise<ArrayBuffer>).call(value);
    return { status, statusText, headers, body: Buffer.from(bytes) };
  }
  const body = candidate.body;
  if (body === undefined || body === null) return { status, statusText, headers, body: Buffer.alloc(0) };
  if (typeof body === 'string') return { status, statusText, headers, body: Buffer.from(body) };
  if (body instanceof Uint8Array) return { status, statusText, headers, body: Buffer.from(body.buffer, body.byteOffset, body.byteLength) };
  throw notAResponse(value);
}

function readHeaders(headers: unknown): IncomingHttpHeaders {
  const fields: Record<string, string | string[]> = {};
  if (headers === undefined || headers === null) return fields;
  if (typeof (headers as { forEach?: unknown }).forEach === 'function' && !Array.isArray(headers)) {
    (headers as { forEach(callback: (value: string, name: string) => void): void }).forEach((value, name) => {
      fields[name.toLowerCase()] = value;
    });
    return fields;
  }
  if (typeof headers !== 'object') throw new TypeError('firebreak/undici: a synthetic response\'s headers must be an object or a Headers');
  for (const [name, value] of Object.entries(headers)) fields[name.toLowerCase()] = Array.isArray(value) ? value.map(String) : String(value);
  return fields;
}

function notAResponse(value: unknown): TypeError {
  const described = typeof value === 'object' && value !== null ? 'an object without a status in 200..599 and a string or bytes body' : String(value);
  return new TypeError(`firebreak/undici: the policy answered ${described}, not a response (give a fallback a SyntheticResponse or a fetch Response)`);
}
