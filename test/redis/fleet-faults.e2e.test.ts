import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { redisFleet } from '../../src/redis/index.js';
import { hasTool } from '../helpers/system-tools.js';
import { redisForSuite } from '../helpers/redis-server.js';
import { runReplicas, startDependency } from './fleet-harness.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(!hasTool('redis-server'))('faults of Redis mid-run: killed, restarted empty, paused', { timeout: 60_000 }, () => {
  const server = redisForSuite();

  for (const client of ['redis', 'ioredis'] as const) {
    it(`no call fails because of Redis, and the fleet re-forms when it is back (${client} client)`, async () => {
      const dependency = await startDependency(false);
      const prefix = `faults-${client}:`;
      let operatorClient: Redis | undefined;
      try {
        const results = await runReplicas(
          3,
          { redisPort: server().port, prefix, client, fleet: true, dependency: dependency.url, scenario: 'breaker', rate: 20, runMs: 20_000, syncInterval: 20, storeTimeout: 100 },
          dependency,
          async () => {
            await sleep(300);
            await server().kill();
            await sleep(500);
            await server().restart();
            await sleep(700);
            server().pause();
            await sleep(500);
            server().resume();
            await sleep(700);
            // The fleet re-formed on the restarted, empty Redis: an operator's isolation reaches every replica.
            operatorClient = new Redis(server().port, '127.0.0.1');
            const operator = redisFleet({ client: operatorClient, prefix, storeTimeout: 1_000 });
            await operator.isolate('dependency', { ttl: 5_000 });
            await operator.close();
            await sleep(700);
          },
        );
        for (const result of results) {
          expect(result.others, result.id).toEqual([]);
          expect(result.calls.filter(([, outcome]) => outcome === 'failed'), result.id).toEqual([]);
          expect(result.calls.some(([, outcome]) => outcome === 'rejected'), result.id).toBe(true);
          expect(result.calls.at(-1)?.[1], result.id).toBe('rejected');
          expect(result.storeErrors, result.id).toBeGreaterThan(0);
          expect(result.connectedAtEnd, result.id).toBe(true);
        }
        expect(dependency.arrivals.every((arrival) => arrival.status === 200)).toBe(true);
      } finally {
        operatorClient?.disconnect();
        await dependency.close();
      }
    });
  }
});
