import type { Scenario } from './scenario.js';
import { seeded } from '../shared/seeded-random.js';

/** One request of the open-loop traffic: when it is sent, where, and for which user. */
export interface PlannedRequest {
  /** Seconds from the run's start. */
  readonly at: number;
  readonly path: string;
  /** The bearer token: `u<n>` for a returning user, `n<i>` for a user seen for the first time. */
  readonly token: string;
}

/**
 * The traffic of one run, fixed in advance so that both runs get the same: requests at a fixed
 * rate per endpoint (open loop: they are sent on time whatever the latency), users drawn from a
 * seeded sequence.
 */
export function planTraffic(s: Scenario): PlannedRequest[] {
  const seconds = s.phases.reduce((sum, phase) => sum + phase.seconds, 0);
  const random = seeded(s.seed);
  const planned: { at: number; path: string }[] = [];
  for (const endpoint of s.endpoints) {
    const count = Math.round(endpoint.ratePerSecond * seconds);
    const offset = random() / endpoint.ratePerSecond;
    for (let i = 0; i < count; i++) planned.push({ at: offset + i / endpoint.ratePerSecond, path: endpoint.path });
  }
  planned.sort((a, b) => a.at - b.at);
  return planned.map(({ at, path }, index) => ({
    at,
    path,
    token: random() < s.newUserShare ? `n${index}` : `u${Math.floor(random() * s.returningUsers)}`,
  }));
}
