import { describe, expect, it } from 'vitest';
import { hasTool } from '../helpers/system-tools.js';
import { redisForSuite } from '../helpers/redis-server.js';
import { runReplicas, startDependency } from './fleet-harness.js';

const RUN_MS = 2_000;
/** The budget of each replica (fixture): ratio 0.1, 20 retries per second of reserve, a window of 1 s. */
const RATIO = 0.1;
const RESERVE = 20;

describe.skipIf(!hasTool('redis-server'))('retry amplification of three replica processes against an always-failing dependency', { timeout: 90_000 }, () => {
  const server = redisForSuite();

  async function run(fleet: boolean) {
    const dependency = await startDependency(true);
    try {
      const results = await runReplicas(
        3,
        { redisPort: server().port, prefix: `budget-${fleet}:`, client: 'ioredis', fleet, dependency: dependency.url, scenario: 'budget', rate: 20, runMs: RUN_MS, syncInterval: 50, storeTimeout: 500 },
        dependency,
        () => new Promise((resolve) => setTimeout(resolve, RUN_MS + 200)),
      );
      const requests = results.reduce((sum, result) => sum + result.calls.length, 0);
      const attempts = dependency.arrivals.length;
      for (const result of results) expect(result.others).toEqual([]);
      return { requests, retries: attempts - requests, amplification: attempts / requests };
    } finally {
      await dependency.close();
    }
  }

  it('local budgets retry up to one reserve each; one fleet budget holds the fleet to one reserve', async () => {
    const local = await run(false);
    const fleet = await run(true);
    const figure = (name: string, run: typeof local): string =>
      `${name}: ${run.requests} requests, ${run.retries} retries, ${run.amplification.toFixed(2)}× the load (maxAttempts 5)`;
    console.log(`${figure('local budgets', local)}\n${figure('fleet budget', fleet)}`);
    // One window of 1 s is about half the run: the budget allows RESERVE per window, plus RATIO of the requests.
    const windows = RUN_MS / 1_000 + 1;
    expect(fleet.retries).toBeLessThanOrEqual(RATIO * fleet.requests + RESERVE * windows);
    expect(local.retries).toBeGreaterThan(RESERVE * 3);
    expect(fleet.retries).toBeLessThan(0.6 * local.retries);
  });
});
