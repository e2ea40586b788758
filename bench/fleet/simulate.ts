#!/usr/bin/env node
/**
 * A deterministic simulation of a fleet larger than this machine: 1,000 replicas of a gateway,
 * one dependency that is down for 30 s, the real `circuitBreaker` of each replica alone or in a
 * fleet (the real fleet link and `storeFleet`, on an in-memory copy of the Redis scripts), on a
 * manual clock. Prints the doomed calls (calls that reached the dependency while it was down),
 * the failed probes, the time to recover, and the store operations per second.
 *
 * Usage: node --import tsx bench/fleet/simulate.ts [--json FILE] [--replicas N]
 */
import { writeFileSync } from 'node:fs';
import { circuitBreaker, manualClock, storeFleet, type CircuitBreakerPolicy, type StoreFleet } from '../../src/index.js';
import { memoryStore } from './memory-store.js';

const args = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const at = args.indexOf(name);
  return at === -1 ? undefined : args[at + 1];
};
const REPLICAS = Number(option('--replicas') ?? 1_000);
const PER_REPLICA_RATE = 5;
const TICK = 10;
const DOWN_FROM = 10_000;
const DOWN_UNTIL = 40_000;
const END = 60_000;

interface Figures {
  readonly mode: 'local' | 'fleet';
  readonly doomedCalls: number;
  readonly firstOpenPeriodDoomed: number;
  readonly failedProbes: number;
  readonly recoveredAfterMs: number | null;
  readonly storeOpsPerSecond: number;
}

async function simulate(mode: 'local' | 'fleet'): Promise<Figures> {
  const clock = manualClock();
  const store = memoryStore(clock);
  const fleets: StoreFleet[] = [];
  const breakers: CircuitBreakerPolicy[] = [];
  for (let i = 0; i < REPLICAS; i++) {
    const fleet = mode === 'fleet' ? storeFleet({ store, name: `replica-${i}`, clock }) : undefined;
    if (fleet) fleets.push(fleet);
    breakers.push(
      circuitBreaker({
        name: 'auth',
        window: { type: 'count', size: 20 },
        minimumCalls: 10,
        failureRateThreshold: 0.5,
        openFor: 5_000,
        halfOpen: { maxCalls: 1, probeTimeout: 1_000 },
        clock,
        ...(fleet ? { fleet } : {}),
      }),
    );
  }
  let doomed = 0;
  let firstOpenPeriodDoomed = 0;
  let firstOpenAt: number | undefined;
  let failedProbes = 0;
  let recoveredAt: number | null = null;
  let next = 0;
  const perTick = (REPLICAS * PER_REPLICA_RATE * TICK) / 1_000;
  for (let t = 0; t < END; t += TICK) {
    const down = t >= DOWN_FROM && t < DOWN_UNTIL;
    for (let c = 0; c < perTick; c++) {
      const breaker = breakers[next]!;
      next = (next + 1) % REPLICAS;
      const probing = breaker.state === 'half-open';
      breaker
        .execute(() => {
          if (!down) return 'ok';
          doomed++;
          if (firstOpenAt === undefined || t < firstOpenAt + 5_000) firstOpenPeriodDoomed++;
          if (probing) failedProbes++;
          throw new Error('auth is down');
        })
        .catch(() => undefined);
    }
    if (firstOpenAt === undefined && breakers.some((breaker) => breaker.state === 'open')) firstOpenAt = t;
    await clock.advanceAsync(TICK);
    if (t >= DOWN_UNTIL && recoveredAt === null && breakers.every((breaker) => breaker.state === 'closed')) recoveredAt = t;
  }
  await Promise.all(fleets.map((fleet) => fleet.close()));
  return {
    mode,
    doomedCalls: doomed,
    firstOpenPeriodDoomed,
    failedProbes,
    recoveredAfterMs: recoveredAt === null ? null : recoveredAt - DOWN_UNTIL,
    storeOpsPerSecond: Math.round(store.operations / (END / 1_000)),
  };
}

const local = await simulate('local');
const fleet = await simulate('fleet');
const rows = [local, fleet];
const format = (n: number | null): string => (n === null ? 'never' : n.toLocaleString('en-US'));
console.log(
  `${REPLICAS.toLocaleString('en-US')} replicas, ${(REPLICAS * PER_REPLICA_RATE).toLocaleString('en-US')} calls/s round-robin, ` +
    `the dependency down from ${DOWN_FROM / 1_000} s to ${DOWN_UNTIL / 1_000} s (manual clock, ${END / 1_000} s)`,
);
console.log('breaker: count window 20, minimumCalls 10, failureRateThreshold 0.5, openFor 5 s; fleet: syncInterval 250 ms, quorum 1\n');
console.log('mode   doomed calls  of them before the first open period ended  failed probes  recovered after (ms)  store ops/s');
for (const row of rows) {
  console.log(
    `${row.mode.padEnd(6)} ${format(row.doomedCalls).padStart(12)}  ${format(row.firstOpenPeriodDoomed).padStart(42)}  ${format(row.failedProbes).padStart(13)}  ${format(row.recoveredAfterMs).padStart(20)}  ${format(row.storeOpsPerSecond).padStart(11)}`,
  );
}
const json = option('--json');
if (json !== undefined) writeFileSync(json, `${JSON.stringify({ replicas: REPLICAS, rows }, null, 2)}\n`);
