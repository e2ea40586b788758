import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { httpShouldHandle, isTransientHttpStatus, isTransientNetworkError, retry, retryAfterMs, TimeoutError } from '../../src/index.js';

const servers: Server[] = [];

/** Starts a server on 127.0.0.1 that answers each request with the next of `answers`. */
async function serve(answers: readonly { status: number; headers?: Record<string, string> }[]): Promise<{ url: string; arrivals: number[] }> {
  const arrivals: number[] = [];
  const server = createServer((request, response) => {
    arrivals.push(performance.now());
    const answer = answers[Math.min(arrivals.length, answers.length) - 1]!;
    response.writeHead(answer.status, answer.headers);
    response.end(`answer ${arrivals.length}`);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, arrivals };
}

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

describe('isTransientHttpStatus', () => {
  it('is true for 408, 429 and every 5xx, false for the rest', () => {
    const transient = Array.from({ length: 500 }, (_, i) => i + 100).filter(isTransientHttpStatus);
    expect(transient).toEqual([408, 429, ...Array.from({ length: 100 }, (_, i) => 500 + i)]);
  });
});

describe('retryAfterMs', () => {
  const wallNow = Date.parse('2026-03-01T12:00:00Z');
  const reply = (value?: string): { headers: Headers } => ({ headers: new Headers(value === undefined ? {} : { 'Retry-After': value }) });

  it('reads delta-seconds', () => {
    expect(retryAfterMs(reply('120'), wallNow)).toBe(120_000);
    expect(retryAfterMs(reply(' 0 '), wallNow)).toBe(0);
    expect(retryAfterMs(reply('1.5'), wallNow)).toBe(1_500);
  });

  it('reads an HTTP date, and gives 0 for a date already past', () => {
    expect(retryAfterMs(reply('Sun, 01 Mar 2026 12:00:30 GMT'), wallNow)).toBe(30_000);
    expect(retryAfterMs(reply('Sun, 01 Mar 2026 11:00:00 GMT'), wallNow)).toBe(0);
  });

  it('gives undefined for an absent or unreadable header', () => {
    for (const value of [undefined, '', 'soon', '-5', '5s', '12abc']) expect(retryAfterMs(reply(value), wallNow)).toBeUndefined();
  });

  it('takes a fetch Response, or anything with headers.get', () => {
    expect(retryAfterMs(new Response(null, { status: 503, headers: { 'retry-after': '2' } }))).toBe(2_000);
    expect(retryAfterMs({ headers: { get: (name: string) => (name === 'retry-after' ? '7' : null) } })).toBe(7_000);
  });
});

describe('httpShouldHandle', () => {
  it('handles 408, 429 and 5xx responses, not 2xx, 3xx or other 4xx', () => {
    for (const status of [408, 429, 500, 502, 503, 504]) expect(httpShouldHandle({ ok: true, value: new Response(null, { status }) })).toBe(true);
    for (const status of [200, 204, 301, 400, 401, 404, 409]) expect(httpShouldHandle({ ok: true, value: new Response(null, { status }) })).toBe(false);
    expect(httpShouldHandle({ ok: true, value: 'not a response' })).toBe(false);
  });

  it('handles network errors by code, in the error, its cause chain, or an AggregateError', () => {
    const coded = (code: string): Error => Object.assign(new Error(code), { code });
    for (const code of ['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_SOCKET', 'UND_ERR_HEADERS_TIMEOUT']) {
      expect(httpShouldHandle({ ok: false, error: coded(code) })).toBe(true);
      expect(httpShouldHandle({ ok: false, error: new TypeError('fetch failed', { cause: coded(code) }) })).toBe(true);
    }
    expect(isTransientNetworkError(new TypeError('fetch failed', { cause: new AggregateError([coded('ECONNREFUSED')]) }))).toBe(true);
    expect(isTransientNetworkError(new TimeoutError('auth', 100))).toBe(true);
    for (const error of [new Error('bug'), coded('ENOTFOUND'), coded('ERR_INVALID_URL'), new TypeError('fetch failed'), 'ECONNRESET', null]) {
      expect(httpShouldHandle({ ok: false, error })).toBe(false);
    }
  });

  it("recognises fetch's own TypeError('fetch failed') for a refused connection", async () => {
    const { url } = await serve([{ status: 200 }]);
    const server = servers.pop()!;
    await new Promise((resolve) => server.close(resolve));
    const error = await fetch(url).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect(httpShouldHandle({ ok: false, error })).toBe(true);
  });
});

describe('retrying fetch against a real HTTP server', () => {
  it('waits at least Retry-After: 1 after a 503, then gets the 200', async () => {
    const { url, arrivals } = await serve([{ status: 503, headers: { 'Retry-After': '1' } }, { status: 200 }]);
    const policy = retry({ shouldHandle: httpShouldHandle });
    const response = await policy.execute((ctx) => fetch(url, { signal: ctx.signal }));
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('answer 2');
    expect(arrivals).toHaveLength(2);
    expect(arrivals[1]! - arrivals[0]!).toBeGreaterThanOrEqual(1_000);
  });

  it('retries a refused connection and gives up with the last error after maxAttempts', async () => {
    const { url } = await serve([{ status: 200 }]);
    const server = servers.pop()!;
    await new Promise((resolve) => server.close(resolve));
    const policy = retry({ maxAttempts: 2, shouldHandle: httpShouldHandle, backoff: () => 1 });
    let attempts = 0;
    const error = await policy.execute(() => (attempts++, fetch(url))).catch((e: unknown) => e);
    expect(attempts).toBe(2);
    expect(error).toBeInstanceOf(TypeError);
  });
});
