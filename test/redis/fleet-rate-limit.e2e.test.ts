import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { describe, expect, it } from 'vitest';
import { rateLimiter, RateLimitedError, type RateLimiterPolicy } from '../../src/index.js';
import { redisFleet } from '../../src/redis/index.js';
import { hasTool } from '../helpers/system-tools.js';
import { redisForSuite } from '../helpers/redis-server.js';

const RATE = 50;
const BURST = 10;
const RUN_MS = 1_500;

/** Calls both limiters every 5 ms for RUN_MS; returns the admissions and the wall time taken. */
async function drive(limiters: readonly RateLimiterPolicy[]): Promise<{ admitted: number; elapsed: number }> {
  let admitted = 0;
  const start = performance.now();
  while (performance.now() - start < RUN_MS) {
    for (const limiter of limiters) {
      await limiter.execute(() => void admitted++).catch((error: unknown) => {
        if (!(error instanceof RateLimitedError)) throw error;
      });
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return { admitted, elapsed: performance.now() - start };
}

describe.skipIf(!hasTool('redis-server'))('a fleet-wide rate limit (GCRA in one Lua script on Redis\'s clock)', { timeout: 30_000 }, () => {
  const server = redisForSuite();

  it('two replicas (node-redis and ioredis) share one rate; alone each would take the whole rate', async () => {
    const nodeRedis = await createClient({ socket: { host: '127.0.0.1', port: server().port } }).connect();
    const ioredis = new Redis(server().port, '127.0.0.1');
    const fleets = [redisFleet({ client: nodeRedis, syncInterval: 50 }), redisFleet({ client: ioredis, syncInterval: 50 })];
    try {
      const shared = fleets.map((fleet) => rateLimiter({ name: 'api', rate: RATE, burst: BURST, fleet }));
      while (!fleets.every((fleet) => fleet.connected)) await new Promise((resolve) => setTimeout(resolve, 10));
      const together = await drive(shared);
      const alone = await drive([rateLimiter({ name: 'api', rate: RATE, burst: BURST }), rateLimiter({ name: 'api', rate: RATE, burst: BURST })]);
      console.log(`rate ${RATE}/s, burst ${BURST}, two replicas: ${together.admitted} admitted in ${Math.round(together.elapsed)} ms with the fleet, ${alone.admitted} alone`);
      // GCRA's bound over the run, plus the batches granted at the last sync (at most one burst per replica).
      expect(together.admitted).toBeLessThanOrEqual(BURST + (RATE * together.elapsed) / 1_000 + 2 * BURST);
      expect(together.admitted).toBeGreaterThanOrEqual(RATE / 2);
      expect(alone.admitted).toBeGreaterThan(together.admitted);
    } finally {
      await Promise.all(fleets.map((fleet) => fleet.close()));
      nodeRedis.destroy();
      ioredis.disconnect();
    }
  });
});
