/**
 * The stand-in for a recommendations service over HTTP on 127.0.0.1, whose health follows a
 * schedule: each step, from `fromMs` after `start()`, sets how long it takes to answer and with
 * which status (a request follows the step in force when it arrives).
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One step of the schedule. */
export interface HealthStep {
  /** Milliseconds after `start()` from which this step applies. */
  readonly fromMs: number;
  readonly latencyMs: number;
  /** @default 200 */
  readonly status?: number;
}

/** What `GET /recommendations` answers with a 200. */
export interface Recommendations {
  readonly items: readonly string[];
  /** Whether these are the bestsellers served by the fallback rather than picks for the user. */
  readonly bestsellers?: boolean;
}

/** The running service. */
export interface RecommendationsService {
  readonly url: string;
  /** Starts the schedule's clock. */
  start(): void;
  close(): Promise<void>;
}

/** Starts the service on a free port; until `start()` it answers like the first step. */
export async function startRecommendations(schedule: readonly HealthStep[]): Promise<RecommendationsService> {
  let startedAt = performance.now();
  const server = createServer((_req, res) => {
    const now = performance.now() - startedAt;
    const step = schedule.filter((s) => s.fromMs <= now).at(-1) ?? schedule[0];
    const status = step?.status ?? 200;
    const body = status === 200 ? JSON.stringify({ items: ['tent', 'stove', 'headlamp'] } satisfies Recommendations) : '{"error":"overloaded"}';
    const answer = setTimeout(() => res.writeHead(status, { 'content-type': 'application/json' }).end(body), step?.latencyMs ?? 0);
    res.on('close', () => clearTimeout(answer));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    start() {
      startedAt = performance.now();
    },
    async close() {
      const closed = once(server, 'close');
      server.close();
      server.closeAllConnections();
      await closed;
    },
  };
}
