import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { hasTool } from '../helpers/system-tools.js';
import { redisForSuite } from '../helpers/redis-server.js';
import { bursts, runReplicas, startDependency } from './fleet-harness.js';

const MINIMUM_CALLS = 10;
/** The dependency recovers at the third probe burst: two failed open periods, then a good probe. */
const FAILED_PROBES = 2;

describe.skipIf(!hasTool('redis-server'))('three replica processes and one failing dependency', { timeout: 60_000 }, () => {
  const server = redisForSuite();

  async function run(fleet: boolean, client: 'redis' | 'ioredis') {
    const dependency = await startDependency(true, FAILED_PROBES);
    try {
      const results = await runReplicas(
        3,
        { redisPort: server().port, prefix: `breaker-${client}-${fleet}:`, client, fleet, dependency: dependency.url, scenario: 'breaker', rate: 20, runMs: 20_000, syncInterval: 20, storeTimeout: 500 },
        dependency,
        async () => {
          while (dependency.failing) await new Promise((resolve) => setTimeout(resolve, 50));
          await new Promise((resolve) => setTimeout(resolve, 600));
        },
      );
      const failing = dependency.arrivals.filter((arrival) => arrival.status === 503);
      const [doomed = [], ...probes] = bursts(failing, 250);
      const goodProbe = dependency.arrivals.find((arrival) => arrival.status === 200);
      return { results, doomed: doomed.length, probes: probes.map((burst) => burst.length), goodProbe, arrivals: dependency.arrivals };
    } finally {
      await dependency.close();
    }
  }

  it('alone, each replica pays minimumCalls doomed calls', async () => {
    const { results, doomed, probes } = await run(false, 'redis');
    console.log(`local breakers: ${doomed} doomed calls, failed probes per open period ${JSON.stringify(probes)}`);
    expect(doomed).toBeGreaterThanOrEqual(3 * MINIMUM_CALLS);
    for (const result of results) expect(result.others).toEqual([]);
  });

  for (const client of ['redis', 'ioredis'] as const) {
    it(`in a fleet (${client} client): about one replica's minimumCalls, one probe per open period, closed together by a good probe`, async () => {
      const { results, doomed, probes, goodProbe, arrivals } = await run(true, client);
      console.log(`fleet breakers (${client}): ${doomed} doomed calls, failed probes per open period ${JSON.stringify(probes)}`);
      expect(doomed).toBeGreaterThanOrEqual(MINIMUM_CALLS);
      expect(doomed).toBeLessThan(2.5 * MINIMUM_CALLS);
      expect(probes).toEqual(Array(FAILED_PROBES).fill(1));
      expect(goodProbe).toBeDefined();
      // Every replica calls again soon after the one good probe: the fleet closed them, none waited for a probe of its own.
      for (const result of results) {
        const first = arrivals.find((arrival) => arrival.replica === result.id && arrival.status === 200);
        expect(first, result.id).toBeDefined();
        expect(first!.t - goodProbe!.t, result.id).toBeLessThan(400);
        expect(arrivals.filter((arrival) => arrival.replica === result.id && arrival.t > goodProbe!.t && arrival.status === 503)).toEqual([]);
        expect(result.others, result.id).toEqual([]);
        expect(result.connectedAtEnd, result.id).toBe(true);
      }
    });
  }

  it('leaves only keys that expire', async () => {
    const client = new Redis(server().port, '127.0.0.1');
    try {
      const keys = await client.keys('*');
      expect(keys.length).toBeGreaterThan(0);
      const ttls = await Promise.all(keys.map((key) => client.pttl(key)));
      expect(keys.filter((_, i) => ttls[i] === -1)).toEqual([]);
    } finally {
      client.disconnect();
    }
  });
});
