import { describe, expect, it } from 'vitest';
import { runScenario } from '../../bench/adaptive/scenario.js';
import { PARTITIONS, PRIORITY_MIX, PROTECTIONS, type Protection } from '../../bench/adaptive/simulation.js';
import { adaptiveBulkhead } from '../../src/index.js';

const protection = (id: string): Protection => PROTECTIONS.find((p) => p.id === id) as Protection;
const short = { seconds: 1, warmupSeconds: 1, seed: 3 };

describe('the adaptive-concurrency simulation (bench/adaptive), shortened', () => {
  it('gives the same figures on every run (simulated time)', async () => {
    const once = await runScenario({ ...short, load: 2, build: protection('gradient2').build });
    const again = await runScenario({ ...short, load: 2, build: protection('gradient2').build });
    expect(again).toEqual(once);
  });

  it('at 5 × capacity, gradient2 keeps the goodput of the right static limit, where a limit set 10 × too high collapses', async () => {
    const [right, tooHigh, learned] = await Promise.all(
      ['static C', 'static 10 C', 'gradient2'].map((id) => runScenario({ ...short, load: 5, build: protection(id).build })),
    );
    expect(learned?.goodput).toBeGreaterThan(0.9 * (right?.goodput ?? Infinity));
    expect(tooHigh?.goodput).toBeLessThan(0.2 * (learned?.goodput ?? 0));
  });

  it('at 5 × capacity with partitions, critical calls keep at least 99 % success', async () => {
    const result = await runScenario({
      ...short,
      load: 5,
      mix: PRIORITY_MIX,
      build: (clock) => {
        const policy = adaptiveBulkhead({ clock, partitions: PARTITIONS });
        return { policy, limit: () => policy.stats.limit };
      },
    });
    expect(result.byPriority.critical.success).toBeGreaterThanOrEqual(0.99);
    expect(result.byPriority.sheddable.success).toBeLessThan(0.5);
  });
});
