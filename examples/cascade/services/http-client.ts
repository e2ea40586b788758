import { request, type Agent, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';

/** An HTTP response read in full. */
export interface UpstreamResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** Options of {@link get}. */
export interface GetOptions {
  readonly agent: Agent;
  readonly headers?: OutgoingHttpHeaders;
  /** Aborting it destroys the request and its connection. */
  readonly signal?: AbortSignal | undefined;
}

/** A GET through `agent`, read in full. Rejects on a network error or on the signal's abort. */
export function get(url: string, { agent, headers = {}, signal }: GetOptions): Promise<UpstreamResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, headers, signal }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}
