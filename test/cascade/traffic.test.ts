import { describe, expect, it } from 'vitest';
import { scenario, phaseTimes, totalRate } from '../../examples/cascade/scenario.js';
import { planTraffic } from '../../examples/cascade/traffic.js';

describe('the traffic plan', () => {
  const s = scenario(true);
  const plan = planTraffic(s);
  const seconds = phaseTimes(s).at(-1)?.endS ?? 0;

  it('is the same for both runs', () => {
    expect(planTraffic(s)).toEqual(plan);
  });

  it('sends each endpoint its rate, in time order, within the run', () => {
    expect(plan).toHaveLength(totalRate(s) * seconds);
    for (const endpoint of s.endpoints) expect(plan.filter((request) => request.path === endpoint.path)).toHaveLength(endpoint.ratePerSecond * seconds);
    expect(plan.every((request, i) => i === 0 || (plan[i - 1]?.at ?? 0) <= request.at)).toBe(true);
    expect(plan.every((request) => request.at >= 0 && request.at < seconds)).toBe(true);
  });

  it('mostly comes from returning users, with a share of first-time users', () => {
    const newUsers = plan.filter((request) => request.token.startsWith('n')).length / plan.length;
    expect(newUsers).toBeGreaterThan(s.newUserShare / 2);
    expect(newUsers).toBeLessThan(s.newUserShare * 2);
    const returning = new Set(plan.filter((request) => request.token.startsWith('u')).map((request) => request.token));
    expect(returning.size).toBe(s.returningUsers);
  });
});
