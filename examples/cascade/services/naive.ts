import type { UpstreamResponse } from './http-client.js';

/**
 * What the incident had: on any failure (an error or a 5xx), call again at once, a fixed number
 * of times, with no timeout, no backoff and no budget shared with the other callers.
 */
export async function eagerRetry(call: () => Promise<UpstreamResponse>, attempts: number): Promise<UpstreamResponse> {
  for (let attempt = 1; ; attempt++) {
    try {
      const response = await call();
      if (response.status < 500 || attempt >= attempts) return response;
    } catch (error) {
      if (attempt >= attempts) throw error;
    }
  }
}
